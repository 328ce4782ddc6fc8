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
    F("group_en", "string", max_length=80),
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
    F("info", "object", doc="The procedure's page: audience (individuals, companies, associations), who_fr/who_en, "
                            "documents_fr/documents_en (lists), duration_*, cost_*, keywords_*."),
)
new_service = Schema(
    "NewService",
    F("code", "string", required=True, max_length=64),
    *(F(f.name, f.type, required=f.name in ("name_fr", "name_en"), max_length=f.max_length, min_length=f.min_length,
        minimum=f.minimum, maximum=f.maximum, choices=f.choices, doc=f.doc) for f in _SERVICE_FIELDS),
)
service_update = Schema("ServiceUpdate", *_SERVICE_FIELDS)

new_request = Schema(
    "NewRequest",
    F("service", "string", required=True, max_length=64, doc="A service code of the catalogue at that point."),
    F("lat", "number", minimum=-90, maximum=90, doc="Required, with lon, but for a procedure without a place."),
    F("lon", "number", minimum=-180, maximum=180),
    F("organisation", "string", max_length=64,
      doc="For a procedure without a place (a service of kind `form`, no lat and lon): the organisation's slug."),
    F("description", "text", max_length="max_description"),
    F("attributes", "object", doc="Values of the service's extra attributes, by code."),
    F("address", "string", max_length="max_short_text"),
    F("contact_email", "email", max_length=254, doc="Required when not signed in."),
    F("contact_name", "string", max_length="max_short_text"),
    F("contact_phone", "string", max_length=40),
    F("channel", "string", choices=("app", "web", "phone", "counter", "mail"),
      doc="Staff recording a request received by phone, at the counter or by mail."),
    F("language", "string", choices=("fr", "en")),
    F("appointment", "string", max_length=40, doc="For a procedure with agendas (required there): "
                                                  "`<agenda id>@YYYY-MM-DDTHH:MM`, a free slot of .../slots."),
)
staff_event = Schema(
    "StaffEvent",
    F("status", "string", choices=("acknowledged", "in_progress", "resolved", "rejected", "duplicate", "closed")),
    F("comment", "text", max_length="max_comment"),
    F("public", "boolean", default=True, doc="false: an internal note that only staff see."),
    F("assignee", "integer", minimum=1, doc="User id of the staff member to assign."),
    F("duplicate_of", "string", max_length=32, doc="With status duplicate: the reference of the original."),
    F("hand_back", "boolean", default=False, doc="true: the assignee gives the request back to dispatch; "
                                                 "`comment` says why (an internal note)."),
    F("team", "string", max_length=80, doc="The team that handles it (dispatchers and managers); empty: none."),
    F("priority", "integer", minimum=-1, maximum=2, doc="-1 low, 0 normal, 1 high, 2 urgent."),
    F("due_at", "string", max_length=40, doc="When it should be dealt with (ISO 8601 with offset)."),
)
citizen_comment = Schema("Comment", F("comment", "text", required=True, max_length="max_comment", min_length=1))
reopen = Schema("Reopen", F("comment", "text", required=True, max_length="max_comment", min_length=1,
                            doc="Why it is not fixed."))
bulk = Schema(
    "StaffBulk",
    F("refs", "array", required=True, doc="Up to 100 references of the viewer's organisations."),
    F("status", "string", choices=("acknowledged", "in_progress", "resolved", "rejected", "closed")),
    F("comment", "text", max_length="max_comment"),
    F("public", "boolean", default=True),
    F("assignee", "integer", minimum=1),
    F("team", "string", max_length=80),
    F("priority", "integer", minimum=-1, maximum=2),
)
split = Schema(
    "Split",
    F("service", "string", required=True, max_length=64, doc="The category of the part that becomes a request."),
    F("description", "text", required=True, min_length=1, max_length="max_description"),
    F("lat", "number", minimum=-90, maximum=90, doc="Where, when not the same place."),
    F("lon", "number", minimum=-180, maximum=180),
)
move = Schema(
    "Move",
    F("service", "string", required=True, max_length=64, doc="The code of the service it goes to."),
    F("organisation", "string", max_length=64, doc="The slug of the organisation it goes to (default: the same)."),
    F("reason", "text", required=True, min_length=3, max_length="max_comment",
      doc="Why; the citizen is told, with the service it went to."),
)
moderation = Schema(
    "Moderation",
    F("reason", "text", required=True, min_length=1, max_length="max_comment", doc="Why (an internal note)."),
    F("description_hidden", "boolean", doc="true: the citizen's text is hidden from the public; false: shown."),
    F("photo", "string", max_length=300, doc="The url of one of the request's photos."),
    F("photo_hidden", "boolean", doc="With photo: true hides it from the public, false shows it again."),
)
saved_filter = Schema(
    "SavedFilter",
    F("name", "string", required=True, min_length=1, max_length=80),
    F("query", "string", required=True, max_length=1000, doc="The queue's query string, e.g. status=open&sort=due."),
)
