"""The vendor database's schema, kept by Alembic migrations (vendor_server/migrations) on SQLite and PostgreSQL.

``migrate`` brings any database to the newest revision when the server starts.  Several workers (or machines)
may start at once on one database, so the migration runs under a lock: PostgreSQL's transaction-level
advisory lock, or for SQLite a file lock beside the database file.  A database made before migrations existed
(``create_all``, up to issue 21) has the baseline's tables and no ``alembic_version``: it is stamped with the
baseline, after any baseline table it lacks is made, and then upgraded, so no shop, ticket or file is touched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from pmv_protocol.filelock import FileLock
from vendor_server.orm import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
BASELINE_TABLES = ("shops", "contract_documents", "tickets", "ticket_attachments", "ticket_events",
                   "ticket_event_files", "ticket_flow")
# Any constant will do; it only has to be the same in every worker.
_PG_LOCK_KEY = 72_187_001


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with FileLock(Path(database).with_name(Path(database).name + ".migrate.lock"), timeout=120):
            yield
    else:
        yield  # PostgreSQL: the advisory lock is taken inside the migration's transaction


def migrate(engine: Engine) -> None:
    """Bring the database at ``engine`` to the newest revision (adopting a create_all-era database first)."""
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        tables = set(inspect(connection).get_table_names())
        config = _config(connection)
        if "alembic_version" not in tables and tables & set(BASELINE_TABLES):
            missing = [Base.metadata.tables[name] for name in BASELINE_TABLES if name not in tables]
            Base.metadata.create_all(connection, tables=missing)
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
