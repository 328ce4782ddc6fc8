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


class Attachment(Model):
    # A file answering a question of a procedure (issue 17): a PDF kept as sent, or a photo re-encoded as JPEG.
    # Private to the request's author and its staff: kept in DATA_DIR/request-files, never under the media folder.
    id = fields.IntField(primary_key=True)
    request = fields.ForeignKeyField("models.ServiceRequest", related_name="attachments", on_delete=fields.CASCADE)
    code = fields.CharField(max_length=64)  # the question it answers
    name = fields.CharField(max_length=120)  # as the person named it, cleaned
    kind = fields.CharField(max_length=10)  # pdf | jpeg
    bytes = fields.IntField()
    path = fields.CharField(max_length=200)  # under DATA_DIR/request-files
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachment"
        unique_together = (("request", "code"),)
