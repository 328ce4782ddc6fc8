"""Bodies the catalogue and request endpoints accept."""
from backend.validation import F, Schema

KINDS = ("incident", "lost", "found", "form")
_SERVICE_FIELDS = (
    F("name_fr", "string", max_length=200, min_length=1),
    F("name_en", "string", max_length=200, min_length=1),
    F("description_fr", "text", max_length=2000),
    F("description_en", "text", max_length=2000),
    F("kind", "string", choices=KINDS),
    F("group", "string", max_length=80),
    F("icon", "string", max_length=40),
    F("due_hours", "integer", minimum=1, maximum=24 * 365),
    F("urgent", "boolean"),
    F("emergency_message_fr", "text", max_length=500),
    F("emergency_message_en", "text", max_length=500),
    F("emergency_phone", "string", max_length=20),
    F("attributes", "array", doc="Open311 attribute definitions: code, datatype, required, order, description, values."),
    F("team", "string", max_length=80),
    F("active", "boolean"),
    F("position", "integer", minimum=0, maximum=10000),
)
new_service = Schema(
    "NewService",
    F("code", "string", required=True, max_length=64),
    *(F(f.name, f.type, required=f.name in ("name_fr", "name_en"), max_length=f.max_length, min_length=f.min_length,
        minimum=f.minimum, maximum=f.maximum, choices=f.choices, doc=f.doc) for f in _SERVICE_FIELDS),
)
service_update = Schema("ServiceUpdate", *_SERVICE_FIELDS)
