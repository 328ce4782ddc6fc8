"""Settings, read once from the environment (the only module that does), with embedded defaults."""
from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _setting(default: Any, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class Settings:
    """Every knob of Guichet; the environment variable is the field name in capitals."""

    data_dir: str = _setting("data", "Folder for the SQLite file, generated secrets and development e-mails.")
    database_url: str = _setting("", "Tortoise URL; empty means `sqlite://<DATA_DIR>/guichet.sqlite3`. "
                                     "PostgreSQL: `postgres://user@host:5432/db`.")
    postgres_plan_cache_mode: str = _setting("force_generic_plan", "PostgreSQL's `plan_cache_mode` for Guichet's "
                                             "connections; `auto` lets it plan again with each call's values.")
    media_root: str = _setting("media", "Where uploaded photos are stored: a folder (a shared volume with several "
                                        "hosts) or an S3-compatible bucket, `s3://bucket/prefix`.")
    media_s3_endpoint: str = _setting("", "With `MEDIA_ROOT=s3://...`: the S3-compatible service's URL (empty: AWS); "
                                      "credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    media_s3_region: str = _setting("", "With `MEDIA_ROOT=s3://...`: the bucket's region, when the service needs one.")
    media_accel_redirect: str = _setting("", "Behind nginx: an internal location (e.g. `/protected-media/`) that "
                                         "serves MEDIA_ROOT; the app checks who may see a photo, nginx sends it.")
    base_url: str = _setting("http://127.0.0.1:8000", "Public URL of the site (default: http://HOST:PORT); "
                                                      "`https://` turns on Secure cookies.")
    host: str = _setting("127.0.0.1", "Address `python -m backend serve` listens on.")
    port: int = _setting(8000, "Port `python -m backend serve` listens on.")
    secret_key: str = _setting("", "Signs CSRF tokens; generated into DATA_DIR/secret_key on first run when empty.")
    vapid_private_key: str = _setting("", "PEM of the Web Push VAPID key; generated into DATA_DIR on first run when empty.")
    vapid_contact: str = _setting("mailto:guichet@brenles.example", "VAPID `sub` claim: how push services reach the operator.")
    smtp_url: str = _setting("", "`smtp://user:pass@host:port` or `smtps://...`; empty writes e-mails as .eml files "
                                 "into DATA_DIR/outbox-mail.")
    mail_from: str = _setting("Guichet <guichet@brenles.example>", "Sender of every e-mail.")
    default_language: str = _setting("fr", "Language used when the user has not chosen one (fr or en).")
    worker_in_process: bool = _setting(True, "Deliver the outbox inside the web process (one-command setup); "
                                             "set 0 when the Procfile's worker runs.")
    worker_poll_seconds: float = _setting(1.0, "How often the outbox worker looks for due deliveries.")
    worker_stale_seconds: int = _setting(60, "`GET /healthz/worker` answers 503 when no worker beat for this long.")
    time_zone: str = _setting("Europe/Zurich", "The municipalities' time zone (IANA name): the hours of exports and "
                                                "e-mails.")
    mail_coalesce_seconds: int = _setting(60, "A notification e-mail waits this long, and the updates of the same "
                                               "request to the same person in that time go with it (0: at once).")
    outbox_lease_seconds: int = _setting(120, "A claimed delivery returns to the queue after this if its worker died.")
    outbox_max_age_hours: int = _setting(48, "After this, a delivery that keeps failing is marked failed.")
    max_body_bytes: int = _setting(1_048_576, "Largest JSON body accepted.")
    max_upload_bytes: int = _setting(41_943_040, "Largest multipart body accepted (photos included).")
    max_photos: int = _setting(5, "Photos per request.")
    max_photo_bytes: int = _setting(15_728_640, "Bytes per photo.")
    max_file_bytes: int = _setting(5_242_880, "Bytes of a file answering a procedure's question (PDF, JPEG or PNG).")
    max_photo_megapixels: int = _setting(50, "Pixels per photo, in millions; more is refused as image_too_large.")
    max_full_decode_megapixels: int = _setting(25, "Pixels, in millions, of a photo in a format decoded whole (PNG, "
                                                   "HEIC, WebP); JPEG, decoded at a fraction, has MAX_PHOTO_MEGAPIXELS.")
    photos_per_hour: int = _setting(60, "Photos one person (or one address, when anonymous) may send per hour.")
    image_workers: int = _setting(2, "Photos decoded at once, off the event loop.")
    max_description: int = _setting(4000, "Characters in a request's description.")
    max_comment: int = _setting(2000, "Characters in a comment.")
    max_short_text: int = _setting(200, "Characters in a name, an address or a one-line attribute.")
    password_min_length: int = _setting(10, "Shortest password accepted.")
    session_idle_days: int = _setting(30, "A session unused this long expires.")
    session_max_days: int = _setting(90, "A session ends this long after its sign-in, however much it is used.")
    login_window_seconds: int = _setting(900, "Window over which failed logins are counted.")
    login_max_failures_account: int = _setting(5, "Failed logins per account in the window before a browser unknown "
                                                  "to the account is slowed down (its owner's browsers never are).")
    login_slowest_seconds: int = _setting(60, "Longest wait between two sign-in attempts on an account under attack.")
    login_max_failures_ip: int = _setting(30, "Sign-in attempts per IP address in the window (right ones given back) "
                                              "before 429.")
    register_per_hour_ip: int = _setting(20, "Accounts created per IP address per hour.")
    create_per_hour_ip: int = _setting(60, "Requests created per IP address per hour (anonymous and signed-in).")
    reopen_days: int = _setting(30, "Days after resolution during which the author may reopen a request.")
    nearby_meters: int = _setting(50, "Radius of the 'already reported?' search.")
    open311_posts_per_hour: int = _setting(600, "Requests an Open311 key may create per hour.")
    lost_claims_per_day: int = _setting(3, "Found objects a citizen may claim per day.")
    lost_holding_days: int = _setting(365, "Days a found object is kept, unless its category says otherwise.")
    lost_min_score: float = _setting(0.45, "Lowest score (0 to 1) for a found object to be offered as a candidate.")
    nearby_days: int = _setting(30, "Age of the requests the 'already reported?' search looks at.")
    push_ttl_seconds: int = _setting(86400, "How long a push service keeps an update for a phone that is off.")
    push_timeout_seconds: float = _setting(10.0, "How long the worker waits for a push service's answer.")
    push_concurrency: int = _setting(50, "Pushes in flight at once from one worker.")
    push_max_subscriptions: int = _setting(20, "Devices that may receive pushes per user (and per anonymous request).")
    push_allow_loopback: bool = _setting(False, "Accept http://127.0.0.1 push endpoints (tests only: never in production).")
    geocoder: str = _setting("none", "Reverse geocoder: `none` or `nominatim`.")
    nominatim_url: str = _setting("", "Base URL of a Nominatim server, for GEOCODER=nominatim.")
    tile_url: str = _setting("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "Map tiles the PWA loads.")
    tile_attribution: str = _setting("© OpenStreetMap contributors", "Credit shown on the map for TILE_URL.")
    live_streams_per_person: int = _setting(5, "Live screens (server-sent event streams) one person holds open at once, "
                                                "per web process.")
    staff_idle_days: int = _setting(90, "A staff account unused this long is shown to its secretary for removal.")
    identity_document_max_bytes: int = _setting(5_242_880, "Bytes of the identity document a staff applicant may "
                                                            "attach (PDF, JPEG or PNG).")
    export_inline_max_bytes: int = _setting(20_000_000, "Photos, in bytes, up to which a person's data export is built "
                                                         "at once; above, the worker builds it and sends a link.")
    export_keep_hours: int = _setting(72, "Hours a built data export stays downloadable.")
    retention_contact_days: int = _setting(365, "Days a closed request keeps the contact details given with it "
                                                "(e-mail, name, phone, tracking link, devices for push).")
    retention_personal_days: int = _setting(730, "Days a closed request keeps its personal fields: the text and "
                                                 "answers of a request the public does not see, photos not public.")
    retention_lostfound_days: int = _setting(730, "Days a lost-and-found record is kept after its object's fate "
                                                  "(or its declaration) closed: description, marks, claims.")
    retention_audit_days: int = _setting(1825, "Days an audit entry is kept.")
    retention_log_days: int = _setting(365, "Days the technical traces are kept: deliveries (push, e-mails and "
                                            "their .eml copies), inbox messages, ended sessions.")
    inbound_smtp_port: int = _setting(0, "Port of the e-mail channel's SMTP listener, run by the worker (0: off).")
    inbound_smtp_host: str = _setting("127.0.0.1", "Address the e-mail channel's SMTP listener listens on.")
    inbound_address: str = _setting("guichet@brenles.example", "The town's address whose mail becomes requests.")
    inbound_organisation: str = _setting("brenles", "Slug of the organisation the e-mailed requests go to.")
    inbound_service: str = _setting("contact", "Code of the procedure (a service of kind form) e-mailed requests "
                                               "are filed under.")
    inbound_max_bytes: int = _setting(26_214_400, "Largest inbound e-mail accepted, attachments included.")
    trusted_proxy: bool = _setting(False, "Behind one reverse proxy: the client address is the last one of "
                                          "X-Forwarded-For, the one the proxy appended (earlier ones are the client's "
                                          "word).")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))

    @property
    def vapid_public_key(self) -> str:
        """The application server key: base64url of the uncompressed P-256 point."""
        key = serialization.load_pem_private_key(self.vapid_private_key.encode(), password=None)
        point = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(point).rstrip(b"=").decode()

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Reads the environment, fills derived defaults and creates missing secrets in the data folder."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None:
                continue
            values[f.name] = _convert(f.default, raw, f.name)
        values.update(overrides)
        settings = cls(**values)
        for f in fields(cls):
            if f.name.startswith("retention_") and getattr(settings, f.name) < 1:
                raise ValueError(f"{f.name.upper()} must be a number of days of at least 1 (got "
                                 f"{getattr(settings, f.name)}): personal data is kept for a set time, never "
                                 "for none or for ever.")
        data = Path(settings.data_dir)
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        if data.stat().st_mode & 0o077:
            data.chmod(0o700)  # the database, secrets and development mails inside: the owner's alone
        derived: dict[str, Any] = {}
        if "base_url" not in values:
            derived["base_url"] = f"http://{settings.host}:{settings.port}"
        if not settings.database_url:
            derived["database_url"] = f"sqlite://{(data / 'guichet.sqlite3').resolve()}"
        if not settings.secret_key:
            derived["secret_key"] = _stored_secret(data / "secret_key", lambda: secrets.token_urlsafe(48))
        if not settings.vapid_private_key:
            derived["vapid_private_key"] = _stored_secret(data / "vapid_private_key.pem", _new_vapid_pem)
        return cls(**{**values, **derived}) if derived else settings


def _convert(default: Any, raw: str, name: str) -> Any:
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"{name.upper()} must be a boolean, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name.upper()} must be a whole number, got {raw!r}") from None
    if isinstance(default, float):
        return float(raw)
    return raw


def _stored_secret(path: Path, make: Any) -> str:
    """Returns the secret kept at `path`, creating it (mode 600) the first time."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return value


def _new_vapid_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode().strip()


def documented_settings() -> list[tuple[str, Any, str]]:
    """(ENV_NAME, default, doc) for every setting, in declaration order: the README table."""
    return [(f.name.upper(), f.default, f.metadata["doc"]) for f in fields(Settings)]
