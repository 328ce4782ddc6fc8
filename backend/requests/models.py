"""The catalogue (Service) and the request itself, its timeline and its supporters."""
from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class ServiceKind(StrEnum):
    INCIDENT = "incident"
    LOST = "lost"
    FOUND = "found"
    FORM = "form"


class Status(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
# The condition of the partial index of the open map (migration 0010), written out as it must stand in a query
# for the planners to use that index: with bound values instead, neither SQLite nor PostgreSQL can prove it.
OPEN_ON_MAP = "public AND status IN (" + ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES)) + ")"


class Channel(StrEnum):
    APP = "app"
    WEB = "web"
    PHONE = "phone"
    COUNTER = "counter"
    MAIL = "mail"  # a letter, recorded by staff
    EMAIL = "email"  # an e-mail to the town's address (requests/inbound.py)
    OPEN311 = "open311"


class Service(Model):
    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="services", on_delete=fields.CASCADE)
    code = fields.CharField(max_length=64)
    kind = fields.CharEnumField(ServiceKind, max_length=10, default=ServiceKind.INCIDENT)
    group = fields.CharField(max_length=80, default="")  # its French name, which filters use as its key
    group_en = fields.CharField(max_length=80, default="", db_default="")
    icon = fields.CharField(max_length=40, default="")
    name_fr = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    description_fr = fields.TextField(default="")
    description_en = fields.TextField(default="")
    due_hours = fields.IntField(default=120)
    urgent = fields.BooleanField(default=False)
    emergency_message_fr = fields.TextField(default="")
    emergency_message_en = fields.TextField(default="")
    emergency_phone = fields.CharField(max_length=20, default="")
    attributes = fields.JSONField(default=list)
    team = fields.CharField(max_length=80, default="")
    active = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    # The procedure's page in the catalogue (procedures.check_info): audience, who may ask, documents, duration, cost.
    info = fields.JSONField(null=True)
    # Its questions' version (QuestionSet): a request keeps the questions it was answered with.
    questions_version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service"
        unique_together = (("organisation", "code"),)


class ServiceRequest(Model):
    id = fields.IntField(primary_key=True)
    ref = fields.CharField(max_length=32, unique=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="requests", on_delete=fields.RESTRICT)
    service = fields.ForeignKeyField("models.Service", related_name="requests", on_delete=fields.RESTRICT)
    status = fields.CharEnumField(Status, max_length=16, default=Status.SUBMITTED)
    channel = fields.CharEnumField(Channel, max_length=10, default=Channel.APP)
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    address = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    # Hidden from the public by staff (moderation); its author and staff still read it.
    description_hidden = fields.BooleanField(default=False, db_default=False)
    attributes = fields.JSONField(default=dict)
    author = fields.ForeignKeyField("models.User", related_name="requests", null=True, on_delete=fields.SET_NULL)
    contact_email = fields.CharField(max_length=254, default="")
    contact_name = fields.CharField(max_length=200, default="")
    contact_phone = fields.CharField(max_length=40, default="")
    tracking_token_hash = fields.CharField(max_length=64, null=True, unique=True)
    language = fields.CharField(max_length=2, default="fr")
    assignee = fields.ForeignKeyField(
        "models.User", related_name="assigned_requests", null=True, on_delete=fields.SET_NULL
    )
    team = fields.CharField(max_length=80, default="")
    priority = fields.IntField(default=0)
    due_at = fields.DatetimeField(null=True)
    duplicate_of = fields.ForeignKeyField(
        "models.ServiceRequest", related_name="duplicates", null=True, on_delete=fields.SET_NULL
    )
    public = fields.BooleanField(default=True)
    supporters_count = fields.IntField(default=0)
    photo_count = fields.IntField(default=0, db_default=0)  # kept by the photo writer: lists ask for photos only where there are
    photo_lat = fields.FloatField(null=True)
    photo_lon = fields.FloatField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)
    # The staff's first public word (a status change, a message, a move): the statistics' time to first answer.
    first_answer_at = fields.DatetimeField(null=True)
    questions_version = fields.IntField(null=True)  # the version of its service's questions it answered

    class Meta:
        table = "service_request"
        indexes = [
            Index(fields=("organisation_id", "status", "created_at")),
            # The public map pages through this index alone, newest first, and stops after a page: a box in a
            # busy town is answered from a few thousand index entries, never from the table. (A (lat, lon)
            # index tempts SQLite into sorting every request of the box instead: ten times slower.) The id
            # right after the time gives the page's order (created_at, id) without any sort.
            Index(fields=("created_at", "id", "lat", "lon", "status", "public")),
            Index(fields=("author_id", "created_at")),
            Index(fields=("service_id", "status")),
            # The staff queue filtered by category: its page and its counts per status from the index alone.
            Index(fields=("organisation_id", "service_id", "status", "created_at")),
        ]


class QuestionSet(Model):
    # One version of a service's questions, kept when a manager changes them (issue 17, point 4): the requests
    # answered with it still read their questions as they were asked.
    id = fields.IntField(primary_key=True)
    service = fields.ForeignKeyField("models.Service", related_name="question_sets", on_delete=fields.CASCADE)
    version = fields.IntField()
    attributes = fields.JSONField(default=list)
    changed_by = fields.ForeignKeyField("models.User", related_name="question_sets", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "question_set"
        unique_together = (("service", "version"),)


class Event(Model):
    # One step of a request's timeline.

    id = fields.BigIntField(primary_key=True)
    request = fields.ForeignKeyField("models.ServiceRequest", related_name="events", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=20)
    at = fields.DatetimeField()
    status = fields.CharField(max_length=16, null=True)
    comment = fields.TextField(default="")
    public = fields.BooleanField(default=True)
    actor = fields.ForeignKeyField("models.User", related_name="events", null=True, on_delete=fields.SET_NULL)
    actor_is_staff = fields.BooleanField(default=False)
    data = fields.JSONField(default=dict)

    class Meta:
        table = "event"
        indexes = [Index(fields=("request_id", "at"))]


class Supporter(Model):
    # A citizen who said "me too" and follows the request.

    id = fields.IntField(primary_key=True)
    request = fields.ForeignKeyField("models.ServiceRequest", related_name="supporters", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="supported", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "supporter"
        unique_together = (("request", "user"),)


class RefCounter(Model):
    # The last number handed out per organisation and year, for readable references.

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="ref_counters", on_delete=fields.CASCADE)
    year = fields.IntField()
    value = fields.IntField(default=0)

    class Meta:
        table = "ref_counter"
        unique_together = (("organisation", "year"),)


class IdempotencyKey(Model):
    # A creation already made for this key, so that a resend returns it instead of a second one.

    id = fields.IntField(primary_key=True)
    # SHA-256 of the caller's scope and the client's key: one caller's key never meets another's.
    key = fields.CharField(max_length=200, unique=True)
    # SHA-256 of what was sent: a resend is answered only when it is the same request.
    fingerprint = fields.CharField(max_length=64, default="", db_default="")
    request = fields.ForeignKeyField("models.ServiceRequest", related_name="idempotency_keys", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_key"


class SavedFilter(Model):
    # An agent's named queue filter (the query string of /agent), theirs alone.

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="saved_filters", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=80)
    query = fields.CharField(max_length=1000)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_filter"
        unique_together = (("user", "name"),)
