"""Append-only trail of staff changes and views of personal data."""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    actor = fields.ForeignKeyField("models.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL)
    actor_label = fields.CharField(max_length=254, default="")
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=60)
    target = fields.CharField(max_length=120, default="")
    detail = fields.JSONField(default=dict)
    ip = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_entry"
        # The trail is read per organisation, newest first.
        indexes = [Index(fields=("organisation_id", "id"))]
