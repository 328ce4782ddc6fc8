"""A stored photo: the display copy and the thumbnail, named by content hash."""
from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Photo(Model):
    id = fields.IntField(primary_key=True)
    request = fields.ForeignKeyField("models.ServiceRequest", related_name="photos", on_delete=fields.CASCADE)
    path = fields.CharField(max_length=200)
    thumbnail_path = fields.CharField(max_length=200)
    width = fields.IntField()
    height = fields.IntField()
    bytes = fields.IntField()
    role = fields.CharField(max_length=10, default="report")
    # Hidden from the public by staff (moderation); the request's author and staff still see it.
    hidden = fields.BooleanField(default=False, db_default=False)
    uploaded_by = fields.ForeignKeyField("models.User", related_name="photos", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "photo"
        # A page of requests fetches its photos by request: without it, every list scanned the photo table.
        indexes = [Index(fields=("request_id", "id"))]
