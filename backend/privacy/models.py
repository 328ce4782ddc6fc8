"""The site's legal and information pages, as an organisation's administrator wrote them."""
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
