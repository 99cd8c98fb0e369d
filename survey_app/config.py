"""Configuration from environment variables, with safe defaults for local use.

`SURVEY_ENV` is `production` (the default), `development` or `testing`. Production
refuses to start without a real `SECRET_KEY`; development keeps a generated key in
the instance folder so sessions survive a restart.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app can run with."""


def _instance_secret(instance_path: Path) -> str:
    key_file = instance_path / "dev-secret-key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Numbers read from the environment: (whole number?, default, smallest value allowed).
NUMBERS: dict[str, tuple[bool, str, float]] = {
    # Smaller groups could let someone work out who answered what.
    "MIN_GROUP_SIZE": (True, "10", 10),
    "SESSION_HOURS": (True, "12", 1),
    "SURVEY_CACHE_SECONDS": (False, "5", 0),
    "SURVEY_VERSIONS_CACHED": (True, "64", 1),
    "RENDERED_PAGES": (True, "1000", 0),
    "RENDERED_PAGES_MB": (True, "32", 0),
    # The most a request may send (a page of answers or a log-in is a few kB), and a file upload.
    "MAX_REQUEST_KB": (True, "64", 1),
    "MAX_UPLOAD_MB": (True, "4", 1),
    "MAX_FORM_ZIP_MB": (True, "16", 1),
    "DRAFT_RETENTION_DAYS": (True, "7", 1),
    "TRUSTED_PROXIES": (True, "0", 0),
    "STAFF_IDLE_MINUTES": (True, "30", 1),
    "REPORTS_MAX_AGE": (False, "10", 0),
    "REPORTS_FIRST_READ_WAIT": (False, "5", 0),
    "REPORTS_SURVEYS_KEPT": (True, "4", 1),
    "REPORTS_CACHE_ENTRIES": (True, "256", 0),
    "REPORTS_CACHE_MB": (True, "64", 0),
    "REPORTS_PART_RESPONSES": (True, "10000", 1),
    "PUBLIC_RESULTS_MAX_AGE": (False, "30", 0),
    "CONTACT_RETENTION_DAYS": (True, "365", 1),
}


def _number(name: str, raw: Any) -> int | float:
    whole, _default, minimum = NUMBERS[name]
    try:
        value = int(str(raw).strip()) if whole else float(str(raw).strip())
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name} must be {kind}, not {raw!r}") from None
    if not value >= minimum:  # also refuses NaN
        raise ConfigError(f"{name} must be at least {minimum:g}, not {raw!r}")
    return value


def _env_number(name: str) -> Any:
    return _number(name, os.environ.get(name, NUMBERS[name][1]))


def check(config: Mapping[str, Any]) -> None:
    """Refuse numbers out of range, also when given to `create_app` rather than the environment."""
    for name in NUMBERS:
        if name in config:
            _number(name, config[name])


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _public_url() -> str:
    """PUBLIC_URL as `scheme://host[:port]`, checked, without a trailing slash; empty when unset."""
    value = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_URL must look like https://survey.example.org, not {value!r}")
    return value


def _trusted_hosts(public_url: str) -> list[str]:
    """The host names requests may name: TRUSTED_HOSTS, or PUBLIC_URL's host, or this computer's."""
    listed = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()]
    if listed:
        return listed
    public_host = urlsplit(public_url).hostname if public_url else None
    return [public_host] if public_host else ["localhost", "127.0.0.1", "::1"]


def from_environment(instance_path: Path) -> dict[str, Any]:
    env = os.environ.get("SURVEY_ENV", "production").strip().lower()
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f"SURVEY_ENV must be production, development or testing, not {env!r}")
    secret_key = os.environ.get("SECRET_KEY", "")
    if not secret_key:
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value, for example: "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        secret_key = _instance_secret(instance_path)
    public_url = _public_url()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'survey.db'}"
    return {
        "SURVEY_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "BABEL_DEFAULT_LOCALE": "en",
        # Links, QR codes and flyers are built on PUBLIC_URL, never on the Host header a request sends,
        # and a request naming any other host is refused (Flask's TRUSTED_HOSTS).
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": _trusted_hosts(public_url),
        "DEFAULT_SURVEY": os.environ.get("DEFAULT_SURVEY", "family-voices"),
        "MIN_GROUP_SIZE": _env_number("MIN_GROUP_SIZE"),
        # A parent may take a long time over one page; the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_number("SESSION_HOURS")),
        # The session cookie is signed again only when it changes (a draft started, a language chosen),
        # not on every page view; a respondent's draft lasts SESSION_HOURS from then.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # How long a worker answers from its copy of a survey after a change made by another worker.
        "SURVEY_CACHE_SECONDS": _env_number("SURVEY_CACHE_SECONDS"),
        # Survey versions whose parsed definition, complete languages, review texts and page references each app keeps.
        "SURVEY_VERSIONS_CACHED": _env_number("SURVEY_VERSIONS_CACHED"),
        # Welcome and question pages each worker keeps rendered (about 15 kB each), and the most memory they may take;
        # 0 keeps none.
        "RENDERED_PAGES": _env_number("RENDERED_PAGES"),
        "RENDERED_PAGES_MB": _env_number("RENDERED_PAGES_MB"),
        # The most a request may send, and a file upload; see security/request_limits.py. Larger requests are
        # refused with 413 before they are read.
        "MAX_CONTENT_LENGTH": _env_number("MAX_REQUEST_KB") * 1024,
        "MAX_FORM_MEMORY_SIZE": _env_number("MAX_REQUEST_KB") * 1024,
        "MAX_FORM_PARTS": 500,
        "MAX_UPLOAD_BYTES": _env_number("MAX_UPLOAD_MB") * 1024 * 1024,
        # An XLSForm with its recordings in a .zip (forms/attachments.py limits what it may unpack to).
        "MAX_FORM_ZIP_BYTES": _env_number("MAX_FORM_ZIP_MB") * 1024 * 1024,
        "DRAFT_RETENTION_DAYS": _env_number("DRAFT_RETENTION_DAYS"),
        # How many proxies (e.g. one TLS-terminating nginx) sit in front: their X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": _env_number("TRUSTED_PROXIES"),
        "STAFF_IDLE_MINUTES": _env_number("STAFF_IDLE_MINUTES"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_PUBLIC": os.environ.get("RATELIMIT_PUBLIC", "120 per minute"),
        "RATELIMIT_LOGIN_ADDRESS": os.environ.get("RATELIMIT_LOGIN_ADDRESS", "30 per minute; 200 per hour"),
        # Wrong passwords per account and address before each try waits, and the longest wait.
        "LOGIN_FREE_FAILURES": int(os.environ.get("LOGIN_FREE_FAILURES", "5")),
        "LOGIN_DELAY_MAX_SECONDS": int(os.environ.get("LOGIN_DELAY_MAX_SECONDS", "900")),
        "CONTACT_KEY": os.environ.get("CONTACT_KEY", ""),
        # argon2id costs: the library's defaults (3 passes, 64 MiB); tests use cheap ones to stay fast.
        "ARGON2_TIME_COST": 1 if env == "testing" else 3,
        "ARGON2_MEMORY_KIB": 1024 if env == "testing" else 65536,
        # Staff reports check for new responses at most this often (seconds); the first read of a
        # survey's responses runs in the background, and a request waits this long for it.
        "REPORTS_MAX_AGE": _env_number("REPORTS_MAX_AGE"),
        "REPORTS_FIRST_READ_WAIT": _env_number("REPORTS_FIRST_READ_WAIT"),
        # The surveys whose responses each process keeps in memory (a frame each, about 200 MB
        # for a million responses), and the tables and charts computed from them: at most this
        # many, in at most this much memory.
        "REPORTS_SURVEYS_KEPT": _env_number("REPORTS_SURVEYS_KEPT"),
        "REPORTS_CACHE_ENTRIES": _env_number("REPORTS_CACHE_ENTRIES"),
        "REPORTS_CACHE_MB": _env_number("REPORTS_CACHE_MB"),
        # Responses past the stored report parts that are stored as a new part, shared by every
        # server (see reporting/parts.py); fewer are read from the answers by each report.
        "REPORTS_PART_RESPONSES": _env_number("REPORTS_PART_RESPONSES"),
        "CONTACT_RETENTION_DAYS": _env_number("CONTACT_RETENTION_DAYS"),
        # How old the families' results page may be (seconds).
        "PUBLIC_RESULTS_MAX_AGE": _env_number("PUBLIC_RESULTS_MAX_AGE"),
        # Pages, stylesheets and scripts travel compressed (a question page shrinks to about a fifth);
        # CSV, spreadsheets and images are left as they are.
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Tests switch this off to wait for every read of the responses.
        "REPORTS_REFRESH_IN_BACKGROUND": True,
    }


READS = "reads"


def engine_binds(database_url: str, options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Further engines on the same database (Flask-SQLAlchemy's binds). On PostgreSQL, `reads`
    hands out connections in autocommit for the reads a respondent's page makes outside any
    transaction (`drafts`), and does not check a connection before each use: a page view sends
    the read alone, instead of a check, BEGIN, the read and a ROLLBACK when the connection goes back
    to the pool. `drafts` notices a dropped connection itself. SQLite starts no transaction for a read."""
    if database_url.startswith("sqlite"):
        return {}
    return {READS: {"url": database_url, **options, "isolation_level": "AUTOCOMMIT", "pool_pre_ping": False}}


def engine_options(database_url: str) -> dict[str, Any]:
    # A database error's message, which the error log keeps, names the statement but none of its values:
    # they are answers, email addresses and password hashes.
    if database_url.startswith("sqlite"):
        # Several gunicorn workers write to one file: wait for the lock instead of failing.
        return {"connect_args": {"timeout": 30}, "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}
