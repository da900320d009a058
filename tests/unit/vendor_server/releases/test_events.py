"""Each update event is stored once per (shop, event id): retried batches, overlapping batches, racing workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pmv_protocol.fleet import EventsReceipt, UpdateEvent
from tests.unit.vendor_server.releases.world import APP, NOW, PACK, World, batch, event, make_world
from vendor_server.db import Shop, VendorDatabase
from vendor_server.releases.events import store_events, tried_figures
from vendor_server.releases.tables import ReleaseEvent


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path / "vendor")


def _stored(db: VendorDatabase) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(ReleaseEvent)) or 0


def test_the_same_batch_twice_is_stored_once(world: World) -> None:
    events = [event("downloaded"), event("installed"), event("held_back", PACK, bucket=73)]
    first = world.send("KP-0001", *events)
    assert first.receipt == EventsReceipt(stored=3, duplicates=0) and list(first.new) == events
    again = world.send("KP-0001", *events)
    assert again.receipt == EventsReceipt(stored=0, duplicates=3) and again.new == ()
    assert _stored(world.db) == 3
    with world.db.sessions() as session:
        held = session.scalar(select(ReleaseEvent).where(ReleaseEvent.kind == "held_back"))
        assert held is not None and (held.bucket, held.target_id, held.version) == (73, "nd-232-2025", "1.0.0")


def test_overlapping_batches_store_only_the_new_events(world: World) -> None:
    a, b, c, d = (event(kind) for kind in ("downloaded", "installed", "rolled_back", "downloaded"))
    assert world.send("KP-0001", a, b).receipt == EventsReceipt(stored=2, duplicates=0)
    assert world.send("KP-0001", b, c, d).receipt == EventsReceipt(stored=2, duplicates=1)
    assert world.send("KP-0001", a, d, c, b).receipt == EventsReceipt(stored=0, duplicates=4)
    assert _stored(world.db) == 4


def test_an_id_twice_in_one_batch_is_one_event(world: World) -> None:
    first = event("installed")
    assert world.send("KP-0001", first, first).receipt == EventsReceipt(stored=1, duplicates=1)
    assert _stored(world.db) == 1


def test_the_same_event_id_from_two_shops_is_two_events(world: World) -> None:
    """The id is the shop's: another shop's copy (a cloned install) is its own fact, not a duplicate."""
    shared = event("installed")
    assert world.send("KP-0001", shared).receipt.stored == 1
    assert world.send("KP-0002", shared).receipt.stored == 1
    with world.db.sessions() as session:
        assert tried_figures(session, APP).tried == 2


def test_tried_counts_distinct_shops(world: World) -> None:
    world.send("KP-0001", event("downloaded"), event("installed"), event("rolled_back", reason="crashed"))
    world.send("KP-0002", event("installed"), event("installed"))
    world.send("KP-0003", event("held_back", bucket=90), event("refused", reason="security"))
    with world.db.sessions() as session:
        figures = tried_figures(session, APP)
    assert (figures.tried, figures.rolled_back, figures.rate_percent) == (2, 1, 50.0)


def _race(db: VendorDatabase, shop_pk: int, events: list[UpdateEvent], workers: int) -> list[EventsReceipt]:
    """``workers`` threads store the same batch at the same moment (as uvicorn workers would)."""
    start = threading.Barrier(workers)
    receipts: list[EventsReceipt] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            receipts.append(store_events(db, shop_pk, batch(*events), now=NOW).receipt)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return receipts


def test_workers_storing_one_batch_at_once_store_it_once_on_sqlite(world: World) -> None:
    events = [event("installed"), event("rolled_back", reason="crashed")]
    receipts = _race(world.db, world.shop("KP-0001"), events, 4)
    assert sum(r.stored for r in receipts) == 2 and sum(r.duplicates for r in receipts) == 6
    assert _stored(world.db) == 2


@pytest.fixture(scope="module")
def pg_db() -> Iterator[VendorDatabase]:
    from tests.pg_cluster import cluster

    with cluster() as pg:
        with pg.admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE releases")
        db = VendorDatabase(f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/releases")
        try:
            yield db
        finally:
            db.engine.dispose()


@pytest.mark.integration
def test_workers_storing_one_batch_at_once_store_it_once_on_postgresql(pg_db: VendorDatabase) -> None:
    pg_db.add_shop("KP-0001", "Kim Phát")
    with pg_db.sessions() as session:
        shop_pk = session.scalar(select(Shop.id).where(Shop.shop_id == "KP-0001"))
    assert shop_pk is not None
    for _round in range(5):  # a race may or may not happen on one try; five make a lost race likely
        events = [event("installed"), event("downloaded"), event("rolled_back", reason="crashed")]
        receipts = _race(pg_db, shop_pk, events, 4)
        assert sum(r.stored for r in receipts) == 3 and sum(r.duplicates for r in receipts) == 9
    assert _stored(pg_db) == 15


def test_the_releases_services_import_without_the_web_framework() -> None:
    """The route only reads the body and answers; storing, counting, stopping and exporting need no FastAPI."""
    import subprocess
    import sys

    modules = ", ".join(f"vendor_server.releases.{name}"
                        for name in ("events", "intake", "rollouts", "health", "offline", "names"))
    code = (f"import sys; import {modules}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'starlette', 'uvicorn'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                            cwd=Path(__file__).resolve().parents[4])
    assert result.stdout.strip() == "[]", result.stderr
