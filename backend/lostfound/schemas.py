"""Bodies the lost-and-found endpoints accept."""
from backend.validation import F, Schema

_OBJECT = (
    F("category", "string", required=True, max_length=40, doc="A key of the office's categories (keys, wallet...)."),
    F("description", "text", required=True, min_length=3, max_length="max_description"),
    F("colour", "string", max_length=20, doc="black, white, grey, silver, gold, red, pink, orange, yellow, green, "
                                             "blue, purple, brown, beige or multicolour."),
    F("brand", "string", max_length=80),
    F("marks", "text", max_length="max_comment", doc="Distinguishing marks: private (you and the office only)."),
    F("when_from", "string", required=True, max_length=40, doc="Start of the time window (ISO 8601 with offset)."),
    F("when_to", "string", required=True, max_length=40, doc="End of the time window."),
    F("lat", "number", minimum=-90, maximum=90),
    F("lon", "number", minimum=-180, maximum=180),
    F("organisation", "string", max_length=64, doc="Without a place: the municipality (slug)."),
    F("contact_email", "email", max_length=254, doc="Required when not signed in."),
    F("contact_name", "string", max_length="max_short_text"),
    F("contact_phone", "string", max_length=40),
    F("language", "string", choices=("fr", "en")),
)
lost = Schema("LostDeclaration", *_OBJECT,
              F("radius_m", "integer", minimum=0, maximum=20000, doc="How far from the point it may have been lost."))
found = Schema("FoundDeclaration", *_OBJECT,
               F("finder_keeps", "boolean", default=False, doc="A citizen keeps it until contacted (else handed in)."),
               F("storage_place", "string", max_length=200, doc="Staff: where the office keeps it."),
               F("channel", "string", choices=("app", "web", "counter", "phone", "mail")))
claim = Schema("Claim",
               F("found", "string", required=True, max_length=32, doc="Reference of the found object claimed."),
               F("answer", "text", required=True, min_length=3, max_length="max_comment",
                 doc="What only the owner knows: the distinguishing marks, what is inside, a receipt."))
decision = Schema("ClaimDecision", F("accept", "boolean", required=True), F("note", "text", max_length="max_comment"))
handover = Schema("Handover", F("identity", "string", required=True, min_length=3, max_length=120,
                                doc="The identity document checked (kind and number)."))
outcome = Schema("Outcome", F("outcome", "string", required=True,
                              choices=("to_finder", "donated", "destroyed", "to_issuer")))
storage = Schema("Storage", F("storage_place", "string", required=True, min_length=1, max_length=200))
