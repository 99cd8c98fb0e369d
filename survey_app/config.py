"""Configuration from environment variables, with safe defaults for local use.

`SURVEY_ENV` is `production` (the default), `development` or `testing`. Production
refuses to start without a real `SECRET_KEY`; development keeps a generated key in
the instance folder so sessions survive a restart.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

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


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: Path) -> dict:
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
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'survey.db'}"
    return {
        "SURVEY_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "BABEL_DEFAULT_LOCALE": "en",
        "DEFAULT_SURVEY": os.environ.get("DEFAULT_SURVEY", "family-voices"),
        "MIN_GROUP_SIZE": int(os.environ.get("MIN_GROUP_SIZE", "10")),
        # A parent may take a long time over one page; the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("SESSION_HOURS", "12"))),
        # The session cookie is signed again only when it changes (a draft started, a language chosen),
        # not on every page view; a respondent's draft lasts SESSION_HOURS from then.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # How long a worker answers from its copy of a survey after a change made by another worker.
        "SURVEY_CACHE_SECONDS": float(os.environ.get("SURVEY_CACHE_SECONDS", "5")),
        # Welcome and question pages each worker keeps rendered (about 15 kB each).
        "RENDERED_PAGES": int(os.environ.get("RENDERED_PAGES", "1000")),
        "DRAFT_RETENTION_DAYS": int(os.environ.get("DRAFT_RETENTION_DAYS", "7")),
        # How many proxies (e.g. one TLS-terminating nginx) sit in front: their X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "STAFF_IDLE_MINUTES": int(os.environ.get("STAFF_IDLE_MINUTES", "30")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_PUBLIC": os.environ.get("RATELIMIT_PUBLIC", "120 per minute"),
        "RATELIMIT_LOGIN_ADDRESS": os.environ.get("RATELIMIT_LOGIN_ADDRESS", "30 per minute; 200 per hour"),
        "RATELIMIT_LOGIN_ACCOUNT": os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "5 per minute; 30 per hour"),
        "CONTACT_KEY": os.environ.get("CONTACT_KEY", ""),
        # argon2id costs: the library's defaults (3 passes, 64 MiB); tests use cheap ones to stay fast.
        "ARGON2_TIME_COST": 1 if env == "testing" else 3,
        "ARGON2_MEMORY_KIB": 1024 if env == "testing" else 65536,
        # Staff reports check for new responses at most this often (seconds); the first read of a
        # survey's responses runs in the background, and a request waits this long for it.
        "REPORTS_MAX_AGE": float(os.environ.get("REPORTS_MAX_AGE", "10")),
        "REPORTS_FIRST_READ_WAIT": float(os.environ.get("REPORTS_FIRST_READ_WAIT", "5")),
        # Pages, stylesheets and scripts travel compressed (a question page shrinks to about a fifth);
        # CSV, spreadsheets and images are left as they are.
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "CONTACT_RETENTION_DAYS": int(os.environ.get("CONTACT_RETENTION_DAYS", "365")),
    }


def engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        # Several gunicorn workers write to one file: wait for the lock instead of failing.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
