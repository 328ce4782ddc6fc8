"""Request bodies of the privacy routes."""
from backend.validation import F, Schema

erase = Schema("EraseAccount", F("password", "secret", required=True, max_length=256,
                                 doc="The account's password, asked again: deleting cannot be undone."))
