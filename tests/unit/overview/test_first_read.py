"""The overview's first read (before the data layer loads) says what the features' own reads say, or nothing.

Every case starts the real data layer on the demo shop (which keeps its settings as loaded cleanly and
migrates the database), writes through the real services, then holds the first read to their answers on
the same files.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.health.service import latest_stored, run_health
from app.infra.keys import load_trusted_keys
from app.overview.facts import ACTIVITY_SHOWN, OverviewFacts
from app.overview.first_read import read_first
from app.runtime import Runtime
from app.shop.pos_reader import read_summary
from app.support.models import Category, Channel, NewRequest, Severity
from app.warranty.cache import snapshot_on
from tests.helpers import signed_contract, write_keys_file

KEY = Ed25519PrivateKey.generate()
ND232 = Path(__file__).resolve().parents[3] / "resources" / "regulation" / "nd-232-2025.json"
NEW = NewRequest(Category.INCIDENT, Severity.HIGH, "Máy in hóa đơn không in", "", "Chị Lan", "+84903112233",
                 Channel.PHONE)


@pytest.fixture
def shop(runtime: Runtime, tmp_path: Path) -> Runtime:
    """The demo shop with what the overview shows: a recorded check run, requests, a contract, a pack."""
    runtime.extra_key_files = [write_keys_file(KEY, tmp_path / "keys.json")]
    run_health(runtime)
    due = runtime.clock() + dt.timedelta(hours=3)
    runtime.support.create(NEW, coverage="warranty", response_due_at=due)
    runtime.support.create(NEW, coverage="warranty", response_due_at=None)
    runtime.contract_service().accept(signed_contract(KEY, "DEMO-0001"))
    runtime.pack_store.install(ND232.read_bytes())
    runtime.activity.add("app", "started", version="0.1.0")
    return runtime


def first_read(runtime: Runtime) -> OverviewFacts | None:
    return read_first(runtime.loaded.path, demo=False, clock=runtime.clock, paths=runtime.paths.with_data_dir(None),
                      contract_keys=load_trusted_keys("contract", *runtime.extra_key_files))


def test_each_tile_reads_what_the_features_read(shop: Runtime) -> None:
    facts = first_read(shop)
    assert facts is not None and facts.complete
    assert facts.read_at == shop.clock() and facts.today == shop.shop_today()
    settings = shop.settings.shop
    assert (facts.shop.name, facts.shop.shop_id, facts.shop.address, facts.shop.phone) == (
        settings.name, settings.shop_id, settings.address, settings.phone)
    stored = latest_stored(shop)
    assert stored is not None and facts.health is not None
    report = stored[0]
    assert (facts.health.finished_at, facts.health.results, facts.health.verdict) == (
        report.finished_at, report.results, report.verdict)
    assert [(r.status, r.response_due_at) for r in facts.requests] == [
        (r.status, r.response_due_at) for r in shop.support.all()]
    assert facts.warranty == snapshot_on(shop.contract_service().cached(), shop.shop_today())
    assert facts.warranty.coverage is not None  # the contract verified: a real coverage, not "no contract"
    assert facts.packs == shop.pack_store.installed() and facts.packs
    assert facts.activity == shop.activity.recent(ACTIVITY_SHOWN)
    assert facts.unread == sum(shop.conversation.unread_by_request().values())
    assert shop.settings.pos.database is not None and facts.pos is not None
    assert facts.pos.summary == read_summary(shop.settings.pos.database)


def test_every_check_run_has_a_title_in_the_window(shop: Runtime) -> None:
    """The first read leaves the stored run's titles to the window's own words: each check must have one."""
    from app.health.service import default_checks
    from app.ui.health.texts import check_title

    for check in default_checks():
        assert check_title(check.id, "") != "", check.id


def test_nothing_before_the_settings_have_loaded_cleanly_once(shop: Runtime) -> None:
    settings = shop.loaded.path
    assert settings is not None
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# sửa tay\n", encoding="utf-8")
    assert first_read(shop) is None  # edited since: only the full start-up knows what it loads


def test_nothing_from_a_database_still_to_migrate(shop: Runtime) -> None:
    with sqlite3.connect(shop.paths.database_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0006'")
    assert first_read(shop) is None


def test_nothing_while_a_pack_install_is_half_done(shop: Runtime) -> None:
    (shop.paths.data_dir / "updates" / "staging" / "nd-232-2025").mkdir(parents=True)
    assert first_read(shop) is None


def test_nothing_from_a_data_folder_the_start_up_would_not_use(shop: Runtime, tmp_path: Path) -> None:
    """A data_dir the full start-up cannot use sends it back to the default folder: this read must not read the
    configured one's database meanwhile (here the folder is gone: a share not mounted yet)."""
    settings = shop.loaded.path
    assert settings is not None
    _load_cleanly(shop, f'data_dir = "{(tmp_path / "share").as_posix()}"\n' + settings.read_text(encoding="utf-8"))
    assert first_read(shop) is None  # the folder is not there
    (tmp_path / "share" / "logs").mkdir(parents=True)
    (tmp_path / "share" / "crash").mkdir()
    assert first_read(shop) is None  # there, but no database of the shop's in it yet: only the start-up makes one


def test_nothing_for_the_demo(shop: Runtime) -> None:
    assert read_first(shop.loaded.path, demo=True, paths=shop.paths) is None


def test_a_pos_on_a_database_server_is_left_to_the_data_layer(shop: Runtime) -> None:
    """SQLAlchemy reads a POS behind pos.url: the first read fills the rest and says it is not complete."""
    settings = shop.loaded.path
    text = settings.read_text(encoding="utf-8").replace('url = ""', 'url = "postgresql://pmv@10.0.0.5/PMV"')
    assert "10.0.0.5" in text
    _load_cleanly(shop, text)
    facts = first_read(shop)
    assert facts is not None and facts.pos is None and not facts.complete
    assert facts.health is not None


def test_a_pos_url_of_spaces_is_still_the_data_layers_to_read(shop: Runtime) -> None:
    """The features try any text in pos.url (and say why it cannot be used): the first read must not show the
    SQLite file's board meanwhile."""
    settings = shop.loaded.path
    assert settings is not None
    _load_cleanly(shop, settings.read_text(encoding="utf-8").replace('url = ""', 'url = "  "'))
    facts = first_read(shop)
    assert facts is not None and facts.pos is None


def test_a_pos_that_cannot_be_read_is_shown_as_such(shop: Runtime) -> None:
    assert shop.settings.pos.database is not None
    shop.settings.pos.database.unlink()
    facts = first_read(shop)
    assert facts is not None and facts.complete and facts.pos is not None
    assert facts.pos.summary is None and isinstance(facts.pos.error, FileNotFoundError)


def test_no_pos_database_named(shop: Runtime) -> None:
    settings = shop.loaded.path
    lines = [line for line in settings.read_text(encoding="utf-8").splitlines() if not line.startswith("database")]
    _load_cleanly(shop, "\n".join(lines) + "\n")
    facts = first_read(shop)
    assert facts is not None and facts.pos is not None and not facts.pos.configured


def _load_cleanly(runtime: Runtime, text: str) -> None:
    """Write the settings and load them as start-up does (which keeps them as the clean copy)."""
    from app.infra.settings import keep_if_clean, load_settings
    from app.infra.settings_last_good import LastGoodStore

    assert runtime.loaded.path is not None
    runtime.loaded.path.write_text(text, encoding="utf-8")
    last_good = LastGoodStore.in_data_dir(runtime.paths.data_dir)
    assert keep_if_clean(load_settings(runtime.loaded.path, last_good=last_good), last_good)


def test_the_first_read_loads_no_data_layer(shop: Runtime) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.infra.paths import AppPaths\n"
        "from app.overview.first_read import read_first\n"
        f"facts = read_first(Path({str(shop.loaded.path)!r}), demo=False, "
        f"paths=AppPaths(Path({str(shop.paths.config_dir)!r}), Path({str(shop.paths.data_dir)!r})))\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'pydantic', 'alembic', 'requests', 'app.runtime') "
        "if m in sys.modules)\n"
        "print(facts is not None and facts.complete, len(facts.requests), heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "True 2 []"
