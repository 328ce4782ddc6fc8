"""Fixed-window counters shared by every worker through the database."""
from tortoise import fields
from tortoise.models import Model


class RateCounter(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=200)
    window_start = fields.IntField()
    count = fields.IntField(default=0)

    class Meta:
        table = "rate_counter"
        unique_together = (("key", "window_start"),)
