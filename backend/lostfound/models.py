"""A lost or found object is a request of a `lost` or `found` service, with these fields of its own."""
from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Side(StrEnum):
    LOST = "lost"
    FOUND = "found"


class Outcome(StrEnum):
    RETURNED = "returned"  # to its owner
    TO_FINDER = "to_finder"  # unclaimed at the end of the holding period
    DONATED = "donated"
    DESTROYED = "destroyed"
    TO_ISSUER = "to_issuer"  # identity documents and bank cards
    WITHDRAWN = "withdrawn"  # the owner found it, or gave up


class ClaimState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    HANDED_OVER = "handed_over"


class Item(Model):
    # The object's own fields; `marks` (distinguishing marks) are private: the author and staff only.

    id = fields.IntField(primary_key=True)
    request = fields.OneToOneField("models.ServiceRequest", related_name="item", on_delete=fields.CASCADE)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="items", on_delete=fields.RESTRICT)
    side = fields.CharEnumField(Side, max_length=5)
    category = fields.CharField(max_length=40)
    colour = fields.CharField(max_length=20, default="")
    brand = fields.CharField(max_length=80, default="")
    description = fields.TextField(default="")
    marks = fields.TextField(default="")
    when_from = fields.DatetimeField()
    when_to = fields.DatetimeField()
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    radius_m = fields.IntField(null=True)  # null with no point: "I don't know where" (the whole municipality)
    finder_keeps = fields.BooleanField(default=False)
    storage_place = fields.CharField(max_length=200, default="")
    holding_until = fields.DatetimeField(null=True)
    holding_ended_at = fields.DatetimeField(null=True)  # set by the worker, the office then decides the outcome
    is_open = fields.BooleanField(default=True)
    outcome = fields.CharEnumField(Outcome, max_length=10, null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "lost_found_item"
        # Matching reads the open items of the other side, of one category, in a time window.
        indexes = [Index(fields=("organisation_id", "side", "category", "is_open", "when_to")),
                   Index(fields=("side", "is_open", "holding_until"))]


class Candidate(Model):
    # A found item that may be a lost one: its score and the reasons for it, for staff and for the owner.

    id = fields.IntField(primary_key=True)
    lost = fields.ForeignKeyField("models.Item", related_name="found_candidates", on_delete=fields.CASCADE)
    found = fields.ForeignKeyField("models.Item", related_name="lost_candidates", on_delete=fields.CASCADE)
    score = fields.FloatField()
    reasons = fields.JSONField(default=list)
    created_at = fields.DatetimeField()

    class Meta:
        table = "lost_found_candidate"
        unique_together = (("lost", "found"),)


class Claim(Model):
    # The owner says "this one is mine" and answers what only the owner knows; staff decide and hand it over.

    id = fields.IntField(primary_key=True)
    lost = fields.ForeignKeyField("models.Item", related_name="claims", on_delete=fields.CASCADE)
    found = fields.ForeignKeyField("models.Item", related_name="found_claims", on_delete=fields.CASCADE)
    claimant = fields.ForeignKeyField("models.User", related_name="claims", null=True, on_delete=fields.SET_NULL)
    answer = fields.TextField()
    state = fields.CharEnumField(ClaimState, max_length=12, default=ClaimState.PENDING)
    decided_by = fields.ForeignKeyField("models.User", related_name="claims_decided", null=True,
                                        on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)
    decision_note = fields.TextField(default="")
    handed_over_by = fields.ForeignKeyField("models.User", related_name="handovers", null=True,
                                            on_delete=fields.SET_NULL)
    handed_over_at = fields.DatetimeField(null=True)
    identity_checked = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "lost_found_claim"
        indexes = [Index(fields=("found_id", "state"))]
