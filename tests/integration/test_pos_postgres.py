"""The POS health checks against a real PostgreSQL server holding the demo shop's POS data.

The fixture makes a throw-away cluster the way the benchmark does
(tests/bench/vendor_load.py): initdb as a non-root user (PostgreSQL refuses
to run as root), trust authentication, listening on 127.0.0.1 only, a free
port, sockets in its own temp dir; then stopped and deleted.  The demo
shop's SQLite POS is copied into a template database with the app's own
POS schema (app.shop.pos_schema), and each test gets a fresh copy of it.

Skipped, with the reason, only when the PostgreSQL server binaries are not
installed (Debian: ``apt-get install postgresql``).  The driver (psycopg)
is a dependency of the app, so its absence fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.exc import DBAPIError

from app.health.checks import backups, database, pos_data
from app.health.context import CheckContext
from app.health.model import Check, CheckResult, Status
from app.health.runner import _execute, run_checks
from app.infra.settings import Settings
from app.shop.demo import POS_VERSION, DemoShop
from app.shop.pos_reader import read_summary, read_summary_from
from app.shop.pos_schema import POS_SCHEMA, POS_TABLES
from app.updates.compliance import make_check
from pmv_protocol.packs import load_pack
from tests.helpers import SHOP_NOW, check_contexts, shop_settings_of, silent_tcp_server
from tests.integration.conftest import free_port
from tests.pg_cluster import PgCluster
from tests.pg_cluster import cluster as _cluster
from tests.unit.updates.conftest import ND232

pytestmark = pytest.mark.integration

# Columns the POS fills with shop time: ISO text in the app's schema, timestamps in a server-typed variant.
TIME_COLUMNS = {"gold_prices": ["updated_at"], "items": ["created_at"], "invoices": ["issued_at"]}


def _load_pos(sqlite_file: Path, target: Engine) -> None:
    """The demo POS copied row for row into ``target``, with the app's POS schema."""
    statements = [part.strip() for part in POS_SCHEMA.split(";") if part.strip()]
    source = create_engine(f"sqlite:///{sqlite_file}")
    try:
        with target.begin() as dest:
            for statement in statements:
                dest.exec_driver_sql(statement)
            meta = MetaData()
            for name in POS_TABLES:
                table = Table(name, meta, autoload_with=dest)
                with source.connect() as src:
                    rows = [dict(row._mapping) for row in src.execute(text(f"SELECT * FROM {name}"))]
                if rows:
                    dest.execute(insert(table), rows)
    finally:
        source.dispose()


@pytest.fixture(scope="module")
def pg(demo_shop_template: DemoShop) -> Iterator[PgCluster]:
    with _cluster() as cluster:
        with cluster.admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE pmv_template")
        loader = cluster.engine("pmv_template")
        try:
            _load_pos(demo_shop_template.pos_database, loader)
        finally:
            loader.dispose()  # a template must have no open connections
        yield cluster


_counter = iter(range(1, 10_000))


@pytest.fixture
def pos_db(pg: PgCluster) -> Iterator[str]:
    """A fresh copy of the demo POS on the server, for one test; its name."""
    name = f"pmv_{next(_counter)}"
    with pg.admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE pmv_template")
    yield name
    with pg.admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def shop_settings(demo_shop_template: DemoShop) -> Settings:
    return shop_settings_of(demo_shop_template)


@pytest.fixture
def make_ctx(shop_settings: Settings) -> Iterator[Callable[[str], CheckContext]]:
    """A check context on the shop's settings with ``[pos] url`` set to the given one, at SHOP_NOW."""
    with check_contexts(shop_settings, SHOP_NOW) as make:

        def with_url(url: str) -> CheckContext:
            pos = shop_settings.pos.model_copy(update={"url": url})
            return make(shop_settings.model_copy(update={"pos": pos}))

        yield with_url


def _checks() -> list[Check]:
    cash_limit = make_check(lambda: load_pack(ND232.read_bytes()))
    return [*database.CHECKS, *pos_data.CHECKS, *backups.CHECKS, cash_limit]


def _statuses(ctx: CheckContext) -> dict[str, CheckResult]:
    return run_checks(_checks(), ctx).by_id()


def _execute_sql(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


# --- the same verdicts as on SQLite -------------------------------------------

def test_pos_checks_on_postgres_agree_with_sqlite(pg: PgCluster, pos_db: str, make_ctx,
                                                  shop_settings: Settings) -> None:
    on_sqlite = run_checks(_checks(), CheckContext(shop_settings, clock=lambda: SHOP_NOW)).by_id()
    on_pg = _statuses(make_ctx(pg.url(pos_db)))
    connect = on_pg["pos.db.connect"]
    assert connect.status is Status.OK, connect.summary
    assert POS_VERSION in connect.summary
    # SQLite's quick_check has no PostgreSQL twin the till's login may run: skipped, with the reason.
    integrity = on_pg["pos.db.integrity"]
    assert integrity.status is Status.SKIPPED and "postgresql" in integrity.summary
    for check_id, outcome in on_sqlite.items():
        if check_id == "pos.db.integrity":
            continue
        assert on_pg[check_id].status is outcome.status, (check_id, on_pg[check_id].summary, outcome.summary)
        if check_id != "pos.db.connect":  # latency differs; the rest is the same data read the same way
            assert on_pg[check_id].summary == outcome.summary, check_id
    # The demo shop's over-the-limit cash day is found on the server too (compliance reads the POS).
    assert on_pg["compliance.cash_limit"].status is Status.CRITICAL


def test_a_deleted_invoice_is_a_gap_on_postgres(pg: PgCluster, pos_db: str, make_ctx) -> None:
    engine = pg.engine(pos_db)
    try:
        with engine.connect() as conn:
            series, number = conn.execute(text(
                "SELECT series, number FROM invoices WHERE kind = 'sell' "
                "ORDER BY issued_at DESC LIMIT 1 OFFSET 3")).one()
        _execute_sql(engine, f"DELETE FROM invoice_lines WHERE invoice_id IN "
                             f"(SELECT id FROM invoices WHERE series = '{series}' AND number = {number})",
                     f"DELETE FROM invoices WHERE series = '{series}' AND number = {number}")
    finally:
        engine.dispose()
    outcome = _execute(next(c for c in pos_data.CHECKS if c.id == "invoices.sequence"), make_ctx(pg.url(pos_db)))
    assert outcome.status is Status.CRITICAL
    assert outcome.remedy == "invoices.gap"
    assert f"{series}-{number:07d}" in outcome.summary


def test_checks_read_timestamp_columns_as_well_as_iso_text(pg: PgCluster, pos_db: str, make_ctx,
                                                          shop_settings: Settings) -> None:
    """A POS on a server more likely types its times as timestamps: same data, same verdicts."""
    engine = pg.engine(pos_db)
    try:
        _execute_sql(engine, *(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE timestamp USING {column}::timestamp"
                               for table, columns in TIME_COLUMNS.items() for column in columns))
        with engine.connect() as conn:
            kind = conn.execute(text("SELECT data_type FROM information_schema.columns "
                                     "WHERE table_name = 'invoices' AND column_name = 'issued_at'")).scalar_one()
        assert kind == "timestamp without time zone"
        summary = read_summary_from(engine)
    finally:
        engine.dispose()
    on_sqlite = run_checks(_checks(), CheckContext(shop_settings, clock=lambda: SHOP_NOW)).by_id()
    on_pg = _statuses(make_ctx(pg.url(pos_db)))
    for check_id in ("prices.fresh", "invoices.sequence", "compliance.cash_limit"):
        assert on_pg[check_id].status is on_sqlite[check_id].status, (check_id, on_pg[check_id].summary)
        assert on_pg[check_id].summary == on_sqlite[check_id].summary, check_id
    assert summary == read_summary(shop_settings.pos.database)


def test_overview_summary_reads_the_same_from_the_server(pg: PgCluster, pos_db: str,
                                                        shop_settings: Settings) -> None:
    engine = pg.engine(pos_db)
    try:
        assert read_summary_from(engine) == read_summary(shop_settings.pos.database)
    finally:
        engine.dispose()


# --- the forms a technician writes, against the real server ---------------------

def test_npgsql_connection_string_and_postgres_scheme_reach_the_server(pg: PgCluster, pos_db: str,
                                                                       make_ctx) -> None:
    connect = next(c for c in database.CHECKS if c.id == "pos.db.connect")
    for written in (f"Host=127.0.0.1;Port={pg.port};Database={pos_db};Username=postgres",  # Npgsql (.NET)
                    f"Host=127.0.0.1:{pg.port};Database={pos_db};Username=postgres;Timeout=5",
                    f"postgres://postgres@127.0.0.1:{pg.port}/{pos_db}",
                    f"postgresql+psycopg2://postgres@127.0.0.1:{pg.port}/{pos_db}"):
        outcome = _execute(connect, make_ctx(written))
        assert outcome.status is Status.OK, (written, outcome.summary)


@pytest.mark.parametrize("query", ["", "?options=-c%20search_path%3Dpublic"], ids=["plain", "own_options"])
def test_the_app_cannot_write_to_the_books(pg: PgCluster, pos_db: str, make_ctx, query: str) -> None:
    """Also when the technician's URL carries libpq ``options`` of its own (a search_path): they used to replace
    the read-only default instead of joining it."""
    ctx = make_ctx(pg.url(pos_db) + query)
    with pytest.raises(DBAPIError, match="read-only"):
        with ctx.pos_engine.begin() as conn:
            conn.execute(text("DELETE FROM invoice_lines"))
    engine = pg.engine(pos_db)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(text("COUNT(*)")).select_from(text("invoice_lines"))).scalar_one() > 0
    finally:
        engine.dispose()


# --- failures say what happened ------------------------------------------------

def test_missing_database_names_it(pg: PgCluster, make_ctx) -> None:
    outcome = _execute(database.CHECKS[0], make_ctx(pg.url("khong_co_pmv")))
    assert outcome.status is Status.CRITICAL
    assert outcome.remedy == "pos.url.invalid"
    assert "'khong_co_pmv'" in outcome.summary


def test_unknown_login_is_a_login_failure(pg: PgCluster, pos_db: str, make_ctx) -> None:
    # Trust authentication still refuses a role that does not exist (SQLSTATE 28000).
    outcome = _execute(database.CHECKS[0], make_ctx(f"postgresql://thu_ngan@127.0.0.1:{pg.port}/{pos_db}"))
    assert outcome.status is Status.CRITICAL
    assert outcome.remedy == "pos.db.login"
    assert "thu_ngan" in outcome.summary


def test_closed_port_is_unreachable_at_once(make_ctx) -> None:
    port = free_port()  # bound then released: nothing listens there
    started = time.monotonic()
    outcome = _execute(database.CHECKS[0], make_ctx(f"postgresql://postgres@127.0.0.1:{port}/pmv"))
    assert outcome.status is Status.CRITICAL
    # PostgreSQL's fix steps (port 5432, pg_hba.conf), not SQL Server's; the driver's English in the details only.
    assert outcome.remedy == "pos.db.unreachable_pg" and "5432" in database.REMEDIES[outcome.remedy]
    assert f"127.0.0.1:{port}" in outcome.summary and "refused" not in outcome.summary.lower()
    assert "refused" in outcome.details.lower()
    assert time.monotonic() - started < 5


def test_a_server_that_never_answers_is_a_clear_failure_within_the_check_timeout(make_ctx) -> None:
    """Accepts TCP, says nothing: the driver's own timeout ends it, so the check reports why, not 'unknown'."""
    with silent_tcp_server() as (port, accepted):
        report = run_checks(database.CHECKS[:1], make_ctx(f"postgresql://postgres@127.0.0.1:{port}/pmv"))
    outcome = report.by_id()["pos.db.connect"]
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert outcome.remedy == "pos.db.unreachable_pg"
    assert accepted  # it really reached the listener
