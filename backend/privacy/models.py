"""The site's legal and information pages, as an organisation's administrator wrote them; data exports."""
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class LegalPage(Model):
    # One text per organisation, kind (pages.KINDS) and language; without one, the built-in text is shown.
    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="legal_pages", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=20)
    language = fields.CharField(max_length=2)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by = fields.ForeignKeyField("models.User", related_name="legal_pages", null=True,
                                        on_delete=fields.SET_NULL)

    class Meta:
        table = "legal_page"
        unique_together = (("organisation", "kind", "language"),)


class ExportStatus(StrEnum):
    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class DataExport(Model):
    # "All my data" as a ZIP in DATA_DIR/exports: built at once when small, else by the worker, then offered by link.
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="data_exports", on_delete=fields.CASCADE)
    status = fields.CharEnumField(ExportStatus, max_length=10, default=ExportStatus.PENDING)
    progress = fields.IntField(default=0)  # per cent
    file_name = fields.CharField(max_length=80, default="")
    size = fields.BigIntField(default=0)
    attempts = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)  # a worker building it; past, another takes it over
    created_at = fields.DatetimeField()
    ready_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "data_export"
