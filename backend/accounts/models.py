"""Users, their sessions and tokens, organisations and who holds which role where."""
from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Role(StrEnum):
    CITIZEN = "citizen"
    AGENT = "agent"
    FIELD_AGENT = "field_agent"
    DISPATCHER = "dispatcher"
    SERVICE_MANAGER = "service_manager"
    SECRETARY = "secretary"
    PREFECT = "prefect"
    ADMIN = "admin"
    # An account holder of the municipality: identified by its secretary, attached, with no right by itself.
    MEMBER = "member"
    # A deputy of the secretary, named by them: validates identities and attachments in their place.
    DEPUTY = "deputy"


STAFF_ROLES = frozenset(Role) - {Role.CITIZEN}
# The roles a service manager grants on one service of the catalogue.
SERVICE_ROLES = (Role.AGENT, Role.FIELD_AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER)


class MembershipStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"
    ENDED = "ended"


class OrganisationKind(StrEnum):
    CANTON = "canton"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=200)
    language = fields.CharField(max_length=2, default="fr")
    # What the person chose to give, to pre-fill their requests; never shown to anyone else.
    phone = fields.CharField(max_length=40, default="", db_default="")
    postal_address = fields.CharField(max_length=300, default="", db_default="")
    email_verified_at = fields.DatetimeField(null=True)
    # Encrypted with a key derived from SECRET_KEY (secrets.py): a copy of the database alone gives no codes.
    totp_secret = fields.CharField(max_length=200, null=True)
    # The last 30-second step a code was accepted for: a code is good once (RFC 6238, section 5.2).
    totp_last_step = fields.BigIntField(null=True)
    # Vouched for by a secretary (or a prefect) who checked who this person is; see AccessRequest.
    identity_verified_at = fields.DatetimeField(null=True)
    # How to be told of each kind of event: {"status": ["push", "email"], ...}; missing kinds use the defaults.
    notify_prefs = fields.JSONField(default=dict)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)
    # The sign-in before the last one: what the personal space shows, so that someone else's is noticed.
    previous_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "user"


class Session(Model):
    # A signed-in browser: the cookie holds a random token, the row its SHA-256.

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user = fields.ForeignKeyField("models.User", related_name="sessions", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    # When this session passed the second factor; a staff right is used only in such a session.
    second_factor_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"


class ApiToken(Model):
    # A personal token for clients other than the browser (Bearer), stored hashed.

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    name = fields.CharField(max_length=100)
    user = fields.ForeignKeyField("models.User", related_name="api_tokens", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # Tokens end: at this time, and with every password change or reset of their owner.
    expires_at = fields.DatetimeField(null=True)
    # What the token may do, space-separated: read (safe methods), write (a citizen's actions), staff.
    scopes = fields.CharField(max_length=100, default="read", db_default="read")

    class Meta:
        table = "api_token"


class AccountToken(Model):
    # A one-use link sent by e-mail: verify the address, reset the password, confirm a new e-mail.

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    purpose = fields.CharField(max_length=20)
    user = fields.ForeignKeyField("models.User", related_name="account_tokens", on_delete=fields.CASCADE)
    new_email = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_token"


class Organisation(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(OrganisationKind, max_length=20)
    parent = fields.ForeignKeyField(
        "models.Organisation", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    name_fr = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    ref_prefix = fields.CharField(max_length=8, default="GCH")
    contact_email = fields.CharField(max_length=254, default="")
    contact_phone = fields.CharField(max_length=40, default="")
    address = fields.CharField(max_length=300, default="")
    opening_hours = fields.CharField(max_length=300, default="")
    boundary = fields.JSONField(null=True)
    min_lat = fields.FloatField(null=True)
    min_lon = fields.FloatField(null=True)
    max_lat = fields.FloatField(null=True)
    max_lon = fields.FloatField(null=True)
    depth = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organisation"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="memberships", on_delete=fields.CASCADE)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=20)
    status = fields.CharEnumField(MembershipStatus, max_length=10, default=MembershipStatus.PENDING)
    team = fields.CharField(max_length=80, default="")
    granted_by = fields.ForeignKeyField(
        "models.User", related_name="granted_memberships", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "membership"
        unique_together = (("user", "organisation", "role"),)


class ServiceGrant(Model):
    # A right on one service of the catalogue, granted by its service manager.

    id = fields.IntField(primary_key=True)
    membership = fields.ForeignKeyField("models.Membership", related_name="grants", on_delete=fields.CASCADE)
    service = fields.ForeignKeyField("models.Service", related_name="grants", on_delete=fields.CASCADE)
    role = fields.CharEnumField(Role, max_length=20)
    granted_by = fields.ForeignKeyField(
        "models.User", related_name="granted_service_rights", null=True, on_delete=fields.SET_NULL
    )
    valid_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_grant"


class RecoveryCode(Model):
    # One of the ten one-use codes that stand in for the authenticator, shown once, stored hashed.

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="recovery_codes", on_delete=fields.CASCADE)
    code_hash = fields.CharField(max_length=64)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recovery_code"


class KnownDevice(Model):
    # A browser that signed in to this account before (a long-lived cookie, stored hashed): a new one is told.

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="devices", on_delete=fields.CASCADE)
    device_hash = fields.CharField(max_length=64)
    user_agent = fields.CharField(max_length=300, default="")
    first_seen_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "known_device"
        unique_together = (("user", "device_hash"),)


class AccessKind(StrEnum):
    ACCOUNT = "account"  # a new staff member: identity and attachment, decided by the secretary
    ATTACHMENT = "attachment"  # an identified account holder joins another municipality (secretary)
    SECRETARY = "secretary"  # to be a municipality's secretary, decided by the prefect of its district
    RIGHTS = "rights"  # a role on one service, decided by that service's manager


class AccessStatus(StrEnum):
    PENDING = "pending"
    ON_HOLD = "on_hold"  # the decider waits for something (a document, an answer), with the reason; decided later
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class IdentityMethod(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    KNOWN_EMAIL = "known_email"
    DOCUMENT = "document"


class AccessRequest(Model):
    # What a staff member asks, and who decided what, how the identity was checked and why.

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(AccessKind, max_length=12)
    applicant = fields.ForeignKeyField("models.User", related_name="access_requests", on_delete=fields.CASCADE)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="access_requests",
                                          on_delete=fields.CASCADE)
    service = fields.ForeignKeyField("models.Service", related_name="access_requests", null=True,
                                     on_delete=fields.CASCADE)
    role = fields.CharEnumField(Role, max_length=20, null=True)
    # What the applicant says of themself for the check: function, department, work phone, a word.
    identity = fields.JSONField(default=dict)
    message = fields.TextField(default="")
    valid_until = fields.DatetimeField(null=True)
    status = fields.CharEnumField(AccessStatus, max_length=10, default=AccessStatus.PENDING)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.ForeignKeyField("models.User", related_name="access_decisions", null=True,
                                        on_delete=fields.SET_NULL)
    reason = fields.TextField(default="")
    identity_method = fields.CharEnumField(IdentityMethod, max_length=12, null=True)
    identity_note = fields.CharField(max_length=300, default="")
    # A copy of an identity document the applicant attached (DATA_DIR/identity-documents): seen by the deciders
    # only, deleted once the request is decided or withdrawn.
    document_name = fields.CharField(max_length=80, default="", db_default="")
    document_type = fields.CharField(max_length=10, default="", db_default="")

    class Meta:
        table = "access_request"
        indexes = [Index(fields=("organisation_id", "kind", "status", "created_at")),
                   Index(fields=("applicant_id", "created_at"))]
