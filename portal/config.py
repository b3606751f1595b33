"""Configuration profiles.

The *embedded* profile (the default) needs nothing but Python: SQLite under ``instance/``,
Celery on an SQLite-backed broker, mail kept in the portal's own mailbox. The *production*
profile is chosen with ``PORTAL_PROFILE=production`` and reads PostgreSQL, Redis and SMTP
settings from the environment.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PORTAL_INSTANCE", ROOT / "instance"))


def _secret_key() -> str:
    """A key kept in instance/ so sessions survive restarts of the embedded profile."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    PROFILE = "embedded"
    PORTAL_NAME = "Citizen Participation Portal"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "portal_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    AUTH_RATE_LIMIT = "10 per minute;50 per hour"
    # Open311: per client address, and per api_key for calls that carry one; writing stricter.
    OPEN311_RATE_LIMIT = "120 per minute;3000 per hour"
    OPEN311_POST_RATE_LIMIT = "10 per minute;100 per hour"
    OPEN311_KEY_RATE_LIMIT = "300 per minute;10000 per hour"
    OPEN311_KEY_POST_RATE_LIMIT = "30 per minute;1000 per hour"
    MAIL_BACKEND = "mailbox"  # or "smtp"
    MAIL_FROM = "portal@example.org"
    SMTP_HOST = "localhost"
    SMTP_PORT = 25
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    SMTP_STARTTLS = False
    # Who may read the component gallery: in the embedded profile everybody (it is a
    # laptop), in production only staff. The mailbox is for administrators in every profile.
    GALLERY_PUBLIC = True
    HSTS = False
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
    PROXY_COUNT = 0
    # Celery: the outbox is drained by a beat task; delivery is attempted at once too.
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_DRAIN_SECONDS = 30.0
    CELERY_DISPATCH = True
    DATA_EXPORT_HOURS = 72  # how long a "download my data" zip is kept (then deleted)
    # The portal's public address, for links in mail written outside a web request.
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000")
    FEEDBACK_CONFIRM_DAYS = 5  # working days for the resident to confirm an answer
    FEEDBACK_MAX_FILE_BYTES = 5 * 1024 * 1024
    DEADLINE_CHECK_SECONDS = 300.0
    # Disclosure on request (docs/transparency.md): working days, after Order 711 (2019).
    DISCLOSURE_ANSWER_DAYS = 20
    DISCLOSURE_EXTENSION_DAYS = 20  # one extension, at most this many working days
    DISCLOSURE_CORRECTION_DAYS = 7  # to ask for a correction, from receipt
    DISCLOSURE_ANSWER_TYPES = ("published", "provided", "partly", "refused", "not_exist",
                               "not_held", "repeated")
    DISCLOSURE_REFUSAL_GROUNDS = ("state_secret", "law_forbids", "security", "third_party",
                                  "internal", "process", "enforcement")
    DISCLOSURE_CHECK_SECONDS = 900.0
    # The disclosure catalog's categories, in order (codes of portal.transparency.catalog.CATEGORIES,
    # after Order 711 art. 20), and the largest attachment it takes.
    CATALOG_CATEGORIES = ("regulations", "plans", "statistics", "licensing", "penalties", "budgets",
                          "fees", "procurement", "services", "emergencies", "personnel",
                          "organization", "other")
    CATALOG_MAX_FILE_BYTES = 10 * 1024 * 1024
    METRICS_SNAPSHOTS = True  # the metrics page reads what refresh_metrics stored
    METRICS_REFRESH_SECONDS = 600.0
    # The accessibility statement: whom residents contact about accessibility, the body that
    # enforces the rules, and when the statement was last reviewed (an ISO date). Demo values:
    # a real city sets them (environment variables of the same names).
    ACCESSIBILITY_EMAIL = os.environ.get("ACCESSIBILITY_EMAIL", "accessibility@riverbend.example.org")
    ACCESSIBILITY_PHONE = os.environ.get("ACCESSIBILITY_PHONE", "+1 555 0100")
    ACCESSIBILITY_ADDRESS = os.environ.get(
        "ACCESSIBILITY_ADDRESS", "Citizen Service Dispatch Centre, 1 City Hall Square, Riverbend")
    ACCESSIBILITY_REVIEWED = os.environ.get("ACCESSIBILITY_REVIEWED", "2026-12-01")
    ACCESSIBILITY_ENFORCEMENT_NAME = os.environ.get(
        "ACCESSIBILITY_ENFORCEMENT_NAME", "Riverbend Equal Access Ombudsman")
    ACCESSIBILITY_ENFORCEMENT_URL = os.environ.get(
        "ACCESSIBILITY_ENFORCEMENT_URL", "https://ombudsman.riverbend.example.org/accessibility")
    # Anonymous public pages kept server-side (portal.core.cache), invalidated by data
    # versions in the shared backend; reference data kept per process the same way.
    PAGE_CACHE = True
    REFERENCE_CACHE = True
    PAGE_CACHE_TIMEOUT = 60  # seconds a rendered page is kept ("3 days ago" stays right)
    PAGE_CACHE_MAX_AGE = 60  # Cache-Control max-age for anonymous readers
    CACHE_DEFAULT_TIMEOUT = 300
    # Reports from this many different people hide a halls' item until a moderator decides.
    CONTENT_REPORT_HIDE_THRESHOLD = int(os.environ.get("CONTENT_REPORT_HIDE_THRESHOLD", "3"))
    CACHE_KEY_PREFIX = "portal:"
    # Maps (Leaflet): a tile server the city configures, e.g.
    # ``https://tiles.example.org/{z}/{x}/{y}.png`` with its attribution (plain text). Empty
    # (the default, and the embedded profile, which has no internet): the maps draw the area
    # boundaries and the demo streets as their base layer. The tile host is added to the
    # Content-Security-Policy's img-src.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
    # Observability (docs/operations.md, "Logs, metrics and health"): ``json`` writes one JSON
    # line per request and per task; a request id from ``X-Request-Id`` only when it is trusted.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    TRUST_REQUEST_ID = os.environ.get("TRUST_REQUEST_ID", "") == "1"
    # /metrics: from these addresses (or networks), or with ``Authorization: Bearer METRICS_TOKEN``.
    METRICS_ALLOWED_IPS = os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]  # static files
    # Pages made for one reader (signed in) are compressed once and sent once: brotli 1 costs
    # a quarter of Flask-Compress's default 4 (0.35 ms against 1.25 ms for a busy proposal's
    # 113 KB) for about 18 % more bytes (15.7 KB against 13.2 KB; docs/performance.md).
    # Cached pages, compressed once and served to many, use PAGE_CACHE_BR_LEVEL (9).
    COMPRESS_BR_LEVEL = 1
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/plain", "text/xml", "text/javascript",
                          "application/javascript", "application/json", "application/xml",
                          "application/atom+xml", "image/svg+xml", "text/calendar", "text/csv",
                          "application/geo+json"]


class EmbeddedConfig(Config):
    def __init__(self) -> None:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        self.SECRET_KEY = _secret_key()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite'}"
        )
        # A file-system cache in instance/: the web processes and the worker share it.
        self.CACHE_TYPE = "FileSystemCache"
        self.CACHE_DIR = os.environ.get("PORTAL_CACHE_DIR", str(INSTANCE / "cache"))
        self.CACHE_THRESHOLD = 5000
        self.CELERY = {
            "broker_url": os.environ.get(
                "CELERY_BROKER_URL", f"sqla+sqlite:///{INSTANCE / 'celery-broker.sqlite'}"
            ),
            "result_backend": os.environ.get(
                "CELERY_RESULT_BACKEND", f"db+sqlite:///{INSTANCE / 'celery-results.sqlite'}"
            ),
            "task_ignore_result": True,
            "broker_connection_retry_on_startup": True,
        }


class ProductionConfig(Config):
    PROFILE = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    GALLERY_PUBLIC = False
    HSTS = True

    def __init__(self) -> None:
        env = os.environ
        self.LOG_FORMAT = env.get("LOG_FORMAT", "json")
        # Secure cookies unless explicitly turned off, for a try-out on http://127.0.0.1
        # (``make run-prod``); never for a portal people use.
        if env.get("SESSION_COOKIE_SECURE") == "0":
            self.SESSION_COOKIE_SECURE = self.REMEMBER_COOKIE_SECURE = False
        missing = [k for k in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not env.get(k)]
        if missing:
            raise RuntimeError(f"production profile needs {', '.join(missing)}")
        self.SECRET_KEY = env["SECRET_KEY"]
        self.SQLALCHEMY_DATABASE_URI = env["DATABASE_URL"]
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.RATELIMIT_STORAGE_URI = env["REDIS_URL"]
        # Redis down: each process counts in memory until it is back, so logins stay limited
        # and no page fails because the counter could not be read.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.CACHE_TYPE = "RedisCache"
        self.CACHE_REDIS_URL = env.get("CACHE_REDIS_URL", env["REDIS_URL"])
        self.MAIL_BACKEND = env.get("MAIL_BACKEND", "smtp")
        self.MAIL_FROM = env.get("MAIL_FROM", self.MAIL_FROM)
        self.SMTP_HOST = env.get("SMTP_HOST", "localhost")
        self.SMTP_PORT = int(env.get("SMTP_PORT", "25"))
        self.SMTP_USERNAME = env.get("SMTP_USERNAME")
        self.SMTP_PASSWORD = env.get("SMTP_PASSWORD")
        self.SMTP_STARTTLS = env.get("SMTP_STARTTLS", "") == "1"
        # Behind the reverse proxy of docs/operations.md: without this, HTTPS is not seen
        # (no HSTS, http:// links in mail) and every visitor shares the proxy's rate limit.
        self.PROXY_COUNT = int(env.get("PROXY_COUNT", "1"))
        # Requests for any other Host are refused (400): links are built from
        # PORTAL_BASE_URL, and nothing else should answer for a forged Host either.
        self.PORTAL_BASE_URL = env.get("PORTAL_BASE_URL", self.PORTAL_BASE_URL)
        hosts = env.get("TRUSTED_HOSTS") or urlsplit(self.PORTAL_BASE_URL).hostname or ""
        self.TRUSTED_HOSTS = [h.strip() for h in hosts.split(",") if h.strip()]
        self.CELERY = {
            "broker_url": env["REDIS_URL"],
            "result_backend": env["REDIS_URL"],
            "task_ignore_result": True,
        }


def load_config(name: str | None = None) -> Config:
    name = name or os.environ.get("PORTAL_PROFILE", "embedded")
    if name == "production":
        return ProductionConfig()
    return EmbeddedConfig()
