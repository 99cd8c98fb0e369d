"""The Flask application: `create_app()` loads configuration, binds extensions,
wires languages, and registers blueprints and commands."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from argon2 import PasswordHasher
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import config as app_config
from . import static_files
from .extensions import babel, compress, csrf, db, login_manager, migrate
from .i18n import locale, translation_status
from .security import rate_limits, request_limits


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(app_config.PROJECT_ROOT / "instance"))
    app.config.from_mapping(app_config.from_environment(Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)
        if "SQLALCHEMY_DATABASE_URI" in config and "SQLALCHEMY_ENGINE_OPTIONS" not in config:
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = app_config.engine_options(config["SQLALCHEMY_DATABASE_URI"])
        app_config.check(config)

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        # https links on flyers, and the client's address for rate limits (hashed, never stored).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.extensions["password_hasher"] = PasswordHasher(
        time_cost=app.config["ARGON2_TIME_COST"], memory_cost=app.config["ARGON2_MEMORY_KIB"])
    request_limits.init_app(app)
    app.config["SQLALCHEMY_BINDS"] = app_config.engine_binds(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app_config.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    compress.init_app(app)
    static_files.init_app(app)
    babel.init_app(app, locale_selector=locale.babel_locale_selector)
    babel.domain_instance = locale.FolderDomain()
    translations_dir = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    catalogs = {language.code: translation_status.catalog_status(translations_dir, language)
                for language in locale.LANGUAGES}
    app.extensions["catalog_status"] = catalogs
    # A half-translated interface would show English buttons: only complete catalogs are offered.
    complete = {code for code, status in catalogs.items() if status.translated == status.total and not status.broken}
    app.extensions["survey_languages"] = locale.discover(translations_dir, complete)
    # Staff pages mixing two languages read worse than English: only complete ones are in the menu.
    app.extensions["staff_languages"] = tuple(
        code for code in app.extensions["survey_languages"]
        if code == locale.DEFAULT or catalogs[code].staff_translated == catalogs[code].staff_total)

    from . import cli, errors, health, page_context, surveys
    from .partner import blueprint as partner_blueprint
    from .public import blueprint as public_blueprint
    from .public import page_cache
    from .review import blueprint as review_blueprint
    from .security import auth
    from .staff import blueprint as staff_blueprint

    app.url_map.converters["int"] = DatabaseInteger
    # The survey's own forms check their tokens, so a stale token re-shows the page with the answers kept.
    csrf.exempt(public_blueprint)
    rate_limits.init_app(app, public_blueprint, auth.blueprint)
    app.register_blueprint(public_blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(staff_blueprint, url_prefix="/staff")
    app.register_blueprint(partner_blueprint, url_prefix="/partner")
    app.register_blueprint(review_blueprint, url_prefix="/review")
    page_context.init_app(app)
    surveys.init_app(app)
    page_cache.init_app(app)
    app.register_blueprint(health.blueprint)
    errors.init_app(app)
    cli.init_app(app)
    # Request lines carry the client's address: keep them out of the logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app


class DatabaseInteger(IntegerConverter):
    """`<int:...>` in routes, limited to what an INTEGER column holds: a larger
    number is a 404, not a database error."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while a submission is written; foreign keys are off by default in SQLite.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
