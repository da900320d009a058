"""Service checks against the real vendor server on loopback, and the versions check on a demo shop."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app import __version__
from app.health.checks import services, system
from app.health.context import CheckContext
from app.health.model import Category, Check, CheckResult, Status
from app.health.runner import _execute, run_checks
from app.infra.settings import Settings, load_settings
from app.shop.demo import POS_VERSION, DemoShop
from tests.integration.conftest import VendorServer, free_port

pytestmark = pytest.mark.integration


def _real_clock(offset: dt.timedelta = dt.timedelta(0)) -> Callable[[], dt.datetime]:
    return lambda: dt.datetime.now(dt.UTC) + offset


def _settings(demo_shop: DemoShop, base_url: str) -> Settings:
    loaded = load_settings(demo_shop.settings_file)
    assert loaded.ok
    settings = loaded.settings
    return settings.model_copy(update={"vendor": settings.vendor.model_copy(update={"base_url": base_url})})


def _check(check_id: str) -> Check:
    return next(c for c in [*services.CHECKS, *system.CHECKS] if c.id == check_id)


def _run(check_id: str, ctx: CheckContext) -> CheckResult:
    return _execute(_check(check_id), ctx)


def _metric(outcome: CheckResult, name: str) -> float:
    return next(m.value for m in outcome.metrics if m.name == name)


def test_module_exports_checks_and_vietnamese_remedies() -> None:
    assert [(c.id, c.title) for c in services.CHECKS] == [
        ("vendor.reachable", "Máy chủ hỗ trợ"), ("versions", "Phiên bản phần mềm")]
    assert all(c.category is Category.SERVICE for c in services.CHECKS)
    for code, text in services.REMEDIES.items():
        assert "\n1. " in text, code
    assert "1900 6037" in services.REMEDIES["vendor.offline"]


# --- vendor.reachable ---------------------------------------------------------

def test_vendor_reachable(vendor_server: VendorServer, demo_shop: DemoShop) -> None:
    outcome = _run("vendor.reachable", CheckContext(_settings(demo_shop, vendor_server.base_url)))
    assert outcome.status is Status.OK, outcome.summary
    assert outcome.summary.startswith("Máy chủ hỗ trợ trả lời sau ")
    assert 0 < _metric(outcome, "response_ms") < 5000


def test_vendor_down_is_a_warning_with_the_outbox_remedy(demo_shop: DemoShop) -> None:
    ctx = CheckContext(_settings(demo_shop, f"http://127.0.0.1:{free_port()}"))
    outcome = _run("vendor.reachable", ctx)
    assert outcome.status is Status.WARNING  # the shop can still trade
    assert outcome.summary == "Không kết nối được máy chủ hỗ trợ: máy chủ từ chối kết nối"
    assert outcome.remedy == "vendor.offline"


def test_vendor_error_page_is_a_warning(vendor_server: VendorServer, demo_shop: DemoShop) -> None:
    # A base URL under which /healthz does not exist: the server answers 404.
    ctx = CheckContext(_settings(demo_shop, f"{vendor_server.base_url}/nothing-here"))
    outcome = _run("vendor.reachable", ctx)
    assert outcome.status is Status.WARNING
    assert outcome.summary == "Không kết nối được máy chủ hỗ trợ: máy chủ trả lời mã lỗi 404"


# --- clock.skew ---------------------------------------------------------------

def test_clock_in_step_with_the_server_is_ok(vendor_server: VendorServer, demo_shop: DemoShop) -> None:
    outcome = _run("clock.skew", CheckContext(_settings(demo_shop, vendor_server.base_url), clock=_real_clock()))
    assert outcome.status is Status.OK, outcome.summary
    assert abs(_metric(outcome, "skew_seconds")) <= 2


def test_clock_15_minutes_ahead_is_critical(vendor_server: VendorServer, demo_shop: DemoShop) -> None:
    ctx = CheckContext(_settings(demo_shop, vendor_server.base_url), clock=_real_clock(dt.timedelta(minutes=15)))
    outcome = _run("clock.skew", ctx)
    assert outcome.status is Status.CRITICAL
    assert outcome.summary.startswith("Đồng hồ máy nhanh 1")  # 15 minutes, give or take the header's second
    assert outcome.remedy == "clock.skew"
    assert _metric(outcome, "skew_seconds") == pytest.approx(900, abs=2)


def test_clock_5_minutes_behind_is_a_warning(vendor_server: VendorServer, demo_shop: DemoShop) -> None:
    ctx = CheckContext(_settings(demo_shop, vendor_server.base_url), clock=_real_clock(dt.timedelta(minutes=-5)))
    outcome = _run("clock.skew", ctx)
    assert outcome.status is Status.WARNING
    assert outcome.summary.startswith("Đồng hồ máy chậm ")
    assert _metric(outcome, "skew_seconds") == pytest.approx(-300, abs=2)


def test_clock_skipped_when_the_server_is_down(demo_shop: DemoShop) -> None:
    ctx = CheckContext(_settings(demo_shop, f"http://127.0.0.1:{free_port()}"), clock=_real_clock())
    outcome = _run("clock.skew", ctx)
    assert outcome.status is Status.SKIPPED
    assert outcome.summary.startswith("Bỏ qua: không so được giờ với máy chủ hỗ trợ")


def test_runner_runs_both_network_checks_concurrently(vendor_server: VendorServer, demo_shop: DemoShop) -> None:
    ctx = CheckContext(_settings(demo_shop, vendor_server.base_url), clock=_real_clock())
    report = run_checks([_check("vendor.reachable"), _check("clock.skew")], ctx)
    assert [r.status for r in report.results] == [Status.OK, Status.OK]


# --- versions -----------------------------------------------------------------

def _versions_ctx(demo_shop: DemoShop, data_dir: Path | None, latest: dict[str, str] | None = None) -> CheckContext:
    if data_dir is not None and latest is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / services.LATEST_VERSIONS_FILE).write_text(json.dumps(latest), encoding="utf-8")
    return CheckContext(_settings(demo_shop, "http://127.0.0.1:9"), data_dir=data_dir)


def test_versions_without_known_latest_are_ok_with_a_note(demo_shop: DemoShop, tmp_path: Path) -> None:
    outcome = _run("versions", _versions_ctx(demo_shop, tmp_path / "data"))
    assert outcome.status is Status.OK
    assert outcome.summary == (f"PMV {POS_VERSION}; Trợ lý hỗ trợ {__version__} "
                               "(chưa có thông tin phiên bản mới nhất)")


def test_older_pos_is_a_warning_naming_both_versions(demo_shop: DemoShop, tmp_path: Path) -> None:
    outcome = _run("versions", _versions_ctx(demo_shop, tmp_path / "data", {"pos": "5.10.0", "app": __version__}))
    assert outcome.status is Status.WARNING
    assert outcome.summary == (f"PMV {POS_VERSION} cũ hơn bản mới nhất 5.10.0; "
                               f"Trợ lý hỗ trợ {__version__} là bản mới nhất")
    assert outcome.remedy == "versions.pos_outdated"
    assert _metric(outcome, "outdated") == 1


def test_older_app_is_a_warning(demo_shop: DemoShop, tmp_path: Path) -> None:
    outcome = _run("versions", _versions_ctx(demo_shop, tmp_path / "data", {"pos": "5.8.2.0", "app": "99.0"}))
    assert outcome.status is Status.WARNING
    assert outcome.remedy == "versions.app_outdated"
    assert f"PMV {POS_VERSION} là bản mới nhất" in outcome.summary


def test_missing_version_file_is_a_warning(demo_shop: DemoShop, tmp_path: Path) -> None:
    (demo_shop.install_dir / "version.txt").unlink()
    outcome = _run("versions", _versions_ctx(demo_shop, None))
    assert outcome.status is Status.WARNING
    assert outcome.remedy == "versions.pos_missing"
    assert "version.txt" in outcome.summary


def test_unreadable_latest_file_counts_as_unknown(demo_shop: DemoShop, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / services.LATEST_VERSIONS_FILE).write_text("{not json", encoding="utf-8")
    outcome = _run("versions", _versions_ctx(demo_shop, data))
    assert outcome.status is Status.OK
    assert "chưa có thông tin phiên bản mới nhất" in outcome.summary


@pytest.mark.parametrize(("installed", "latest", "older"), [
    ("5.8.2", "5.9.0", True),
    ("5.9", "5.9.0", False),
    ("5.10.0", "5.9.9", False),  # numeric, not string, comparison
    ("v5.8.2 build 7", "5.8.3", True),
    ("5.8.2", "latest", None),
])
def test_is_older(installed: str, latest: str, older: bool | None) -> None:
    assert services.is_older(installed, latest) is older
