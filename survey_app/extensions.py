"""Extension objects, created without an app and bound in `create_app`."""
from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase


# Every constraint and index gets a predictable name, so a migration can find it again by
# name (SQLite leaves unnamed ones without any, PostgreSQL names them its own way).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model is mapped to a Table (not another FromClause), which core statements expect.
    __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # `db.Model` is made at run time as a subclass of Base, which type checkers cannot follow.
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
compress = Compress()


def dispose_engines() -> None:
    """Close the pooled connections of every engine of the current app (the default one and the
    binds of `config.engine_binds`), as a test or a tool does before it lets go of a database."""
    for engine in db.engines.values():
        engine.dispose()
