"""Open311 API keys, given by an organisation's administrators to outside clients, stored hashed."""
from tortoise import fields
from tortoise.models import Model


class Open311Key(Model):
    # One key per outside client (another city's tool, a data portal); revoked, never deleted.

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="open311_keys", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    key_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_by = fields.ForeignKeyField("models.User", related_name="open311_keys", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "open311_key"
