"""Bodies the account endpoints accept."""
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
    F("totp", "string", max_length=12, doc="The authenticator code, for accounts with a second factor."),
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
)
api_token = Schema("ApiToken", F("name", "string", required=True, max_length=100))
