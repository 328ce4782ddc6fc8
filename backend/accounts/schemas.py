"""Bodies the account endpoints accept."""
from backend.errors import ValidationFailed
from backend.validation import F, Schema

LANG = ("fr", "en")

register = Schema(
    "Register",
    F("email", "email", required=True, max_length=254),
    F("password", "secret", required=True, max_length=256, doc="At least PASSWORD_MIN_LENGTH characters."),
    F("name", "string", required=True, max_length="max_short_text"),
    F("language", "string", choices=LANG, default="fr"),
)
login = Schema(
    "Login",
    F("email", "email", required=True, max_length=254),
    F("password", "secret", required=True, max_length=256),
    F("totp", "string", max_length=20, doc="The authenticator code (or a recovery code), for accounts with a second factor."),
)
token_only = Schema("Token", F("token", "string", required=True, max_length=200))
email_only = Schema("Email", F("email", "email", required=True, max_length=254))
reset_confirm = Schema(
    "ResetConfirm",
    F("token", "string", required=True, max_length=200),
    F("password", "secret", required=True, max_length=256),
)
change_password = Schema(
    "ChangePassword",
    F("current_password", "secret", required=True, max_length=256),
    F("new_password", "secret", required=True, max_length=256),
)
change_email = Schema(
    "ChangeEmail",
    F("new_email", "email", required=True, max_length=254),
    F("password", "secret", required=True, max_length=256),
)
profile = Schema(
    "Profile",
    F("name", "string", max_length="max_short_text", min_length=1),
    F("language", "string", choices=LANG),
    F("phone", "string", max_length=40, doc="Empty: none. Pre-fills the person's requests."),
    F("postal_address", "string", max_length=300, doc="Empty: none. Pre-fills the person's requests."),
)
api_token = Schema(
    "ApiToken",
    F("name", "string", required=True, max_length=100),
    F("scopes", "array", doc="Any of read (the default: safe methods), write (a citizen's actions), staff (staff "
                             "rights, for a staff account that passed the second factor)."),
    F("expires_in_days", "integer", minimum=1, maximum=365, default=90, doc="Days until the token ends."),
)
second_factor = Schema(
    "SecondFactor",
    F("secret", "string", required=True, max_length=64, doc="The secret of the enrolment."),
    F("code", "string", required=True, max_length=12, doc="The code the authenticator app shows now."),
    F("enrolment", "string", required=True, max_length=128, doc="The proof given with the secret by the enrolment."),
)
access_request = Schema(
    "AccessRequest",
    F("kind", "string", required=True, choices=("account", "attachment", "secretary", "rights")),
    F("organisation", "string", required=True, max_length=64, doc="The municipality's slug."),
    F("also", "array", doc="For an account or an attachment: other municipalities' slugs, a request each, all made "
                           "or none."),
    F("identity", "object", doc="civility (madame, monsieur, autre), surname, first_names, birth_date (YYYY-MM-DD), "
      "postal_address, function, department, phone, employee_number: what the secretary checks."),
    F("role", "string", choices=("agent", "field_agent", "dispatcher", "service_manager"), doc="For rights."),
    F("services", "array", doc="For rights: the codes of the services (one request each)."),
    F("valid_until", "string", max_length=40, doc="For rights: when they end (ISO 8601), if they are temporary."),
    F("message", "text", max_length="max_comment"),
)
new_grant = Schema(
    "NewGrant",
    F("service", "string", required=True, max_length=64, doc="The code of one of the manager's services."),
    F("role", "string", required=True, choices=("agent", "field_agent", "dispatcher", "service_manager")),
    F("valid_until", "string", max_length=40, doc="When the right ends (ISO 8601); none: for good."),
)
grant_end = Schema(
    "GrantEnd",
    F("valid_until", "string", max_length=40, doc="The new end (ISO 8601); empty or null: for good."),
)
grant_removal = Schema(
    "GrantRemoval",
    F("reason", "text", required=True, max_length="max_comment", doc="Why the right ends: kept in the audit trail."),
)
access_decision = Schema(
    "AccessDecision",
    F("accept", "boolean", required=True),
    F("hold", "boolean", default=False, doc="true: on hold (not decided yet), with the reason; `accept` is ignored."),
    F("reason", "text", max_length="max_comment", doc="Required to refuse or hold; the applicant reads it."),
    F("identity_method", "string", choices=("in_person", "phone", "known_email", "document"),
      doc="How the identity was checked: required to accept an account or a secretary."),
    F("identity_note", "string", max_length=300),
    F("valid_until", "string", max_length=40, doc="For rights: when they end, if temporary."),
)
def _one_person(form: dict) -> None:
    if form["user"] is None and form["email"] is None:
        raise ValidationFailed("Name the person by user id or e-mail address.", code="required", field="email")


access_name = Schema(
    "AccessName",
    F("user", "integer", doc="The person's user id, or"),
    F("email", "email", max_length=254, doc="the person's e-mail address."),
    F("role", "string", required=True, choices=("deputy", "service_manager", "secretary", "prefect")),
    F("services", "array", doc="For a service manager of some services only."),
    check=_one_person,
)
access_end = Schema("AccessEnd", F("reason", "text", required=True, max_length="max_comment", min_length=1))
