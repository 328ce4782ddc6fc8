"""Push subscriptions, the outbox of deliveries and the citizen's inbox."""
from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class OutboxChannel(StrEnum):
    PUSH = "push"
    EMAIL = "email"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Outbox(Model):
    # A delivery to make; written in the same transaction as what caused it.

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharEnumField(OutboxChannel, max_length=8)
    status = fields.CharEnumField(OutboxStatus, max_length=8, default=OutboxStatus.PENDING)
    recipient = fields.CharField(max_length=254, default="")
    user = fields.ForeignKeyField("models.User", related_name="outbox", null=True, on_delete=fields.CASCADE)
    subscription_id = fields.IntField(null=True)
    topic = fields.CharField(max_length=32, default="")
    payload = fields.JSONField(default=dict)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"
        indexes = [Index(fields=("status", "next_attempt_at"))]


class PushSubscription(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="push_subscriptions", null=True, on_delete=fields.CASCADE)
    request = fields.ForeignKeyField(
        "models.ServiceRequest", related_name="push_subscriptions", null=True, on_delete=fields.CASCADE
    )
    endpoint = fields.CharField(max_length=1000)
    p256dh = fields.CharField(max_length=200)
    auth = fields.CharField(max_length=64)
    language = fields.CharField(max_length=2, default="fr")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "push_subscription"
        # By endpoint when a phone subscribes again; by user and by request when an update fans out.
        indexes = [Index(fields=("endpoint",)), Index(fields=("user_id",)), Index(fields=("request_id",))]


class Message(Model):
    # The citizen's inbox ("messagerie").

    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="messages", on_delete=fields.CASCADE)
    request = fields.ForeignKeyField("models.ServiceRequest", related_name="messages", null=True, on_delete=fields.CASCADE)
    subject = fields.CharField(max_length=200)
    body = fields.TextField(default="")
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message"
        indexes = [Index(fields=("user_id", "created_at"))]


class WorkerBeat(Model):
    # An outbox worker's sign of life, one row per process, so that a health check sees a dead or stuck one.

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)  # host:pid
    started_at = fields.DatetimeField()
    beat_at = fields.DatetimeField()
    failures = fields.IntField(default=0)
    last_error = fields.TextField(default="")

    class Meta:
        table = "worker_beat"
