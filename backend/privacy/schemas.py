"""Request bodies of the privacy routes."""
from backend.validation import F, Schema

erase = Schema("EraseAccount", F("password", "secret", required=True, max_length=256,
                                 doc="The account's password, asked again: deleting cannot be undone."))
page = Schema(
    "LegalPage",
    F("language", "string", required=True, choices=("fr", "en")),
    F("title", "string", required=True, min_length=1, max_length=200),
    F("body", "string", required=True, min_length=1, max_length=50_000,
      doc="Paragraphs apart by a blank line; `## ` starts a heading, `- ` a list item. Plain text, no HTML."),
)
person = Schema(
    "DataRightsRequest",
    F("organisation", "string", required=True, max_length=64, doc="Slug of the organisation whose data is meant."),
    F("email", "string", required=True, max_length=254, doc="The person's e-mail address (account or contact)."),
    F("reason", "string", required=True, min_length=3, max_length=500,
      doc="What the person asked and how they were identified (kept in the audit)."),
)
