"""The vendor database's migrations make exactly the declared schema, on SQLite and PostgreSQL, and adopt a
database made by ``create_all`` before migrations existed without losing a row."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from vendor_server.db import Base, Shop, VendorDatabase
from vendor_server.schema import BASELINE_TABLES, current_revision, head_revision, migrate

AT = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _audit_row(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO console_audit (at, login, action, outcome, address) "
                                "VALUES (:at, 'ha', 'sign_in', 'ok', '127.0.0.1')"), {"at": AT})


def _assert_audit_is_append_only(engine: Engine) -> None:
    _audit_row(engine)
    for statement in ("UPDATE console_audit SET outcome = 'refused'", "DELETE FROM console_audit"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT outcome FROM console_audit")).scalars().all() == ["ok"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'vendor.sqlite3'}"


def test_a_new_database_gets_exactly_the_declared_schema(sqlite_url: str) -> None:
    db = VendorDatabase(sqlite_url)
    assert current_revision(db.engine) == head_revision()
    assert _differences(db.engine) == []  # every table, column, index and constraint the models declare


def test_a_create_all_database_is_adopted_with_its_rows(sqlite_url: str) -> None:
    """The server as issue 21 shipped it made its tables with create_all; its shops keep their tokens."""
    engine = create_engine(sqlite_url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in BASELINE_TABLES])
    with engine.begin() as connection:
        connection.execute(Shop.__table__.insert().values(shop_id="KIMPHAT", name="Tiệm vàng Kim Phát",
                                                          token_hash="a" * 64, created_at=AT))
    engine.dispose()
    db = VendorDatabase(sqlite_url)
    assert current_revision(db.engine) == head_revision()
    assert _differences(db.engine) == []
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT shop_id, token_hash FROM shops")).all() == [("KIMPHAT", "a" * 64)]


def test_a_database_missing_a_baseline_table_gains_it_when_adopted(sqlite_url: str) -> None:
    """A server from before the conversation tables (issue 21) had only the first four."""
    engine = create_engine(sqlite_url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in BASELINE_TABLES[:4]])
    engine.dispose()
    db = VendorDatabase(sqlite_url)
    assert {"ticket_events", "ticket_flow", "console_staff"} <= set(inspect(db.engine).get_table_names())
    assert _differences(db.engine) == []


def test_workers_starting_at_once_migrate_once(sqlite_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            VendorDatabase(sqlite_url).engine.dispose()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=start) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    assert current_revision(create_engine(sqlite_url)) == head_revision()


def test_the_audit_log_refuses_updates_and_deletes_on_sqlite(sqlite_url: str) -> None:
    _assert_audit_is_append_only(VendorDatabase(sqlite_url).engine)


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[Engine]:
    from tests.pg_cluster import cluster

    with cluster() as pg:
        with pg.admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE vendor")
        engine = pg.engine("vendor")
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.mark.integration
def test_postgresql_gets_the_same_schema_and_an_append_only_audit_log(pg_engine: Engine) -> None:
    migrate(pg_engine)
    migrate(pg_engine)  # a second worker starting later finds nothing to do
    assert current_revision(pg_engine) == head_revision()
    assert _differences(pg_engine) == []
    _assert_audit_is_append_only(pg_engine)
