from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.support.vendor_api import ApiFailure, VendorApiError
from app.ui.i18n import Translators
from app.ui.levels import Level
from app.ui.warranty.page import WarrantyPage
from app.ui.warranty.state import WarrantyState
from app.ui.warranty.texts import api_failure
from app.ui.warranty.tile import WarrantyTile
from tests.helpers import signed_contract, write_keys_file

KEY = Ed25519PrivateKey.generate()
MAINTENANCE = [{"start": "2027-01-16", "end": "2028-01-15", "tier": "Bảo trì tiêu chuẩn"}]
Made = tuple[WarrantyPage, WarrantyTile, WarrantyState]


@pytest.fixture
def trusting_runtime(runtime: Runtime, tmp_path: Path) -> Runtime:
    # The demo shop's settings name shop DEMO-0001; trust this test's vendor key.
    runtime.extra_key_files = [write_keys_file(KEY, tmp_path / "keys.json")]
    return runtime


@pytest.fixture
def make_page(page_and_tile, trusting_runtime: Runtime) -> Callable[[dt.date], Made]:
    """``make_page(today)``: the warranty page and tile on one state for which it is ``today``."""

    def make(today: dt.date) -> Made:
        page, tile, state, _runner = page_and_tile(WarrantyPage, WarrantyTile, WarrantyState, trusting_runtime,
                                                   today=lambda: today)
        return page, tile, state

    return make


def import_signed(qtbot: QtBot, page: WarrantyPage, state: WarrantyState, document: Path, **changes) -> Path:
    """Writes a contract for the demo shop signed with KEY (with ``changes``) and imports it; it is accepted."""
    document.write_bytes(signed_contract(KEY, "DEMO-0001", **changes))
    with qtbot.waitSignal(state.imported, timeout=5000):
        page.import_contract(document)
    return document


def import_refused(qtbot: QtBot, page: WarrantyPage, state: WarrantyState, document: Path, content: bytes) -> None:
    """Writes ``content`` to ``document`` and imports it; the import fails."""
    document.write_bytes(content)
    with qtbot.waitSignal(state.import_failed, timeout=5000):
        page.import_contract(document)


def test_without_a_contract_the_page_says_how_to_get_one(qtbot: QtBot, make_page) -> None:
    page, tile, state = make_page(dt.date(2026, 6, 1))
    with qtbot.waitSignal(state.changed, timeout=5000):
        state.load()
    assert page.status_title.text() == "Chưa có hợp đồng"
    assert tile.level is Level.WARNING
    assert not page.certificate_button.isEnabled()


@pytest.mark.parametrize(
    "today, title, level, detail",
    [
        (dt.date(2026, 6, 1), "Đang bảo hành", Level.OK, "Còn 593 ngày"),
        (dt.date(2027, 12, 20), "Đang bảo trì – khách hàng ưu tiên", Level.WARNING, "Sắp hết hạn"),
        (dt.date(2028, 2, 1), "Hết hạn bảo hành", Level.CRITICAL, "gọi 1900 6037"),
    ],
)
def test_status_card_tile_and_timeline_follow_coverage(
    qtbot: QtBot, make_page, tmp_path: Path, today, title, level, detail
) -> None:
    page, tile, state = make_page(today)
    import_signed(qtbot, page, state, tmp_path / "hd.json", maintenance=MAINTENANCE)
    assert page.status_title.text() == title
    assert detail in page.status_detail.text()
    assert tile.level is level and tile.value_label.text() == title
    assert page.contracts.rowCount() == 1 and page.contracts.item(0, 2).text() == "Bảo trì tiêu chuẩn"
    kinds = [kind for _s, _e, kind in page.timeline.segments()]
    assert kinds[:2] == ["warranty", "maintenance"]
    assert ("gap" in kinds) == (today > dt.date(2028, 1, 15))


def test_a_tampered_import_shows_why_and_keeps_the_contract(
    qtbot: QtBot, make_page, tmp_path: Path
) -> None:
    page, _tile, state = make_page(dt.date(2026, 6, 1))
    good = import_signed(qtbot, page, state, tmp_path / "good.json")
    import_refused(qtbot, page, state, tmp_path / "bad.json",
                   good.read_bytes().replace(b'"warranty_months": 12', b'"warranty_months": 6'))
    assert "Chữ ký số không khớp" in page.message.text()
    assert "vẫn được giữ nguyên" in page.message.text()
    assert page.status_title.text() == "Đang bảo hành"
    import_refused(qtbot, page, state, tmp_path / "other.json", signed_contract(KEY, "VB-0002"))
    assert "cửa hàng khác" in page.message.text()


def test_certificate_is_saved_in_the_background(qtbot: QtBot, make_page, tmp_path: Path) -> None:
    page, _tile, state = make_page(dt.date(2026, 6, 1))
    import_signed(qtbot, page, state, tmp_path / "hd.json")
    target = tmp_path / "out" / "phieu.pdf"
    page.save_certificate(target)
    qtbot.waitUntil(lambda: target.exists() and "Đã lưu phiếu bảo hành" in page.message.text(), timeout=10000)
    assert target.read_bytes().startswith(b"%PDF")


def test_refresh_without_a_shop_token_explains_what_to_do(qtbot: QtBot, make_page) -> None:
    page, _tile, state = make_page(dt.date(2026, 6, 1))
    with qtbot.waitSignal(state.refreshed, timeout=10000):
        page.refresh_button.click()
    assert "pmv-support shop-token" in page.message.text()
    assert page.refresh_button.isEnabled()
    # No contract on this PC: it must not claim the saved one is in use (it did, under "no contract").
    assert "đã lưu" not in page.message.text() and "chưa có hợp đồng" in page.message.text()
    assert "1900 6037" in page.message.text()


def test_reminder_notifies_once(qtbot: QtBot, make_app, trusting_runtime: Runtime, tmp_path: Path) -> None:
    document = tmp_path / "hd.json"
    document.write_bytes(signed_contract(KEY, "DEMO-0001"))  # warranty through 15/01/2027
    trusting_runtime.contract_service().import_file(document)
    app = make_app()
    app.warranty._today = lambda: dt.date(2027, 1, 10)
    with qtbot.waitSignal(app.notifier.notified, timeout=5000):
        app.warranty.check_reminders()
    assert "Còn 5 ngày" in app.notifier.history[0].message  # the days left, as the tile counts them
    app.warranty.check_reminders()
    qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=5000)
    assert len(app.notifier.history) == 1


def test_renewal_opens_a_prefilled_support_request(qtbot: QtBot, make_app) -> None:
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    window.warranty_page.renew_button.click()
    form = window.request_form
    assert form.isVisible()
    assert form.title.text() == "Gia hạn hợp đồng bảo trì"
    assert "Tiệm vàng Kim Phát (demo)" in form.description.toPlainText()
    form.reject()


def test_a_contract_with_a_key_given_twice_is_named_and_the_contract_kept(
        qtbot: QtBot, make_page, tmp_path: Path) -> None:
    # Issue 18: RFC 8259 s.4 / RFC 7493 s.2.3, no member name twice; the message names the key.
    page, _tile, state = make_page(dt.date(2026, 6, 1))
    import_signed(qtbot, page, state, tmp_path / "good.json")
    import_refused(qtbot, page, state, tmp_path / "forged.json",
                   signed_contract(KEY, "DEMO-0001", maintenance=MAINTENANCE).replace(
                       b'"end": "2028-01-15"', b'"end": "2035-12-31", "end": "2028-01-15"'))
    assert "Tệp hợp đồng có khóa trùng lặp (“end”): tệp bị từ chối." in page.message.text()
    assert "Hợp đồng đang dùng vẫn được giữ nguyên" in page.message.text()
    assert page.status_title.text() == "Đang bảo hành" and page.contracts.rowCount() == 0


@pytest.mark.parametrize("changes, number, vendor", [
    # A contract from pmv-vendor issue-contract with its [vendor] block (DESIGN.md's contract shape).
    ({"contract_number": "HD-DEMO-0001-002",
      "vendor": {"name": "Công ty TNHH Phần Mềm Vàng", "tax_code": "0399999999", "hotline": "1900 6037"}},
     "HD-DEMO-0001-002", "Công ty TNHH Phần Mềm Vàng – MST 0399999999"),
    # A contract signed before the number and the vendor block existed: the page says it does not say.
    ({}, "(hợp đồng không ghi)", "(hợp đồng không ghi)"),
])
def test_the_contract_number_and_vendor_are_shown_as_signed(
    qtbot: QtBot, make_page, tmp_path: Path, changes, number: str, vendor: str
) -> None:
    page, _tile, state = make_page(dt.date(2026, 6, 1))
    import_signed(qtbot, page, state, tmp_path / "hd.json", **changes)
    assert page.fact_labels["number"].text() == number
    assert page.fact_labels["vendor"].text() == vendor


@pytest.mark.parametrize("kind", list(ApiFailure))
def test_every_way_the_contract_fetch_can_fail_has_its_words(qapp, kind: ApiFailure) -> None:
    """A 413 once had no entry, so the page raised KeyError instead of saying the saved contract is used."""
    translators = Translators()
    try:
        for language in ("vi", "en"):
            assert translators.install(qapp, language)
            text = api_failure(VendorApiError(kind, "detail"))
            assert text.endswith(("Đang dùng hợp đồng đã lưu trên máy.", "Using the contract saved on this PC."))
            assert len(text) > 50
    finally:
        translators.install(qapp, "vi")


def test_the_tier_codes_the_vendor_signs_are_said_in_words(qtbot: QtBot, make_page, tmp_path: Path) -> None:
    # The console and `pmv-vendor issue-contract` sign "standard" or "priority": shown as signed, the
    # Vietnamese page read "(standard)" (the demo's older contracts carry words instead, shown as they are).
    page, _tile, state = make_page(dt.date(2027, 6, 1))
    import_signed(qtbot, page, state, tmp_path / "hd.json", maintenance=[
        {"start": "2027-01-16", "end": "2028-01-15", "tier": "priority"},
        {"start": "2028-01-16", "end": "2029-01-15", "tier": "standard"}])
    assert page.fact_labels["maintenance"].text().endswith("(Ưu tiên)")
    assert [page.contracts.item(row, 2).text() for row in range(2)] == ["Ưu tiên", "Tiêu chuẩn"]


def test_the_dates_under_the_timeline_never_overlap(qtbot: QtBot, make_page, tmp_path: Path) -> None:
    # A renewal signed late: the gap 16/01–28/02/2027 is narrow at 1024 px, and its first day was written over the
    # renewal's "01/03/2027", the dates the manager needs to read.
    page, _tile, state = make_page(dt.date(2027, 2, 10))
    import_signed(qtbot, page, state, tmp_path / "hd.json",
                  maintenance=[{"start": "2027-03-01", "end": "2028-02-29", "tier": "standard"}])
    page.timeline.resize(1000, page.timeline.height())
    labels = page.timeline.date_labels(page.timeline.font())
    texts = [text for _box, text in labels]
    assert {"15/01/2026", "16/01/2027", "01/03/2027", "29/02/2028"} <= set(texts)
    boxes = [box for box, _text in labels]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.intersects(b)]
    assert all(0 <= box.left() and box.right() <= 1000 for box in boxes)


def test_before_acceptance_the_page_and_tile_say_the_shop_is_being_installed(qtbot: QtBot, make_page,
                                                                              tmp_path: Path) -> None:
    # Enrolled at installation, before go-live: it read "Hết hạn bảo hành" in red, and the tray turned red.
    page, tile, state = make_page(dt.date(2026, 1, 10))
    import_signed(qtbot, page, state, tmp_path / "hd.json")
    assert page.status_title.text() == "Chưa nghiệm thu"
    assert "bắt đầu từ ngày nghiệm thu 15/01/2026" in page.status_detail.text()
    assert tile.level is Level.OK and tile.value_label.text() == "Chưa nghiệm thu"


def test_a_refresh_that_cannot_save_gives_the_button_back_and_says_why(qtbot: QtBot, make_page,
                                                                       trusting_runtime: Runtime,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A renewal fetched but not saved (a full disk: faked, one cannot be made here) left "Tải lại hợp đồng" off
    until a restart, said nothing, and went to the crash handler."""
    import errno

    class FullDisk:
        def refresh(self) -> None:
            raise OSError(errno.ENOSPC, "No space left on device", "contract.json")

    page, _tile, state = make_page(dt.date(2026, 6, 1))
    monkeypatch.setattr(trusting_runtime, "contract_service", FullDisk)
    with qtbot.waitSignal(state.refresh_failed, timeout=10000):
        page.refresh_button.click()
    assert page.refresh_button.isEnabled()
    assert "contract.json" in page.message.text() and "đầy" in page.message.text()


def test_the_day_support_stopped_is_read_whole_at_the_right_edge(qtbot: QtBot, make_page, tmp_path: Path) -> None:
    """Coverage ran out on 15/01/2029: the short "not covered" stretch sits at the right edge, and its first day
    was drawn past the widget ("16/01/20")."""
    page, _tile, state = make_page(dt.date(2029, 3, 1))
    import_signed(qtbot, page, state, tmp_path / "hd.json", maintenance=[
        {"start": "2027-01-16", "end": "2028-01-15", "tier": "standard"},
        {"start": "2028-01-16", "end": "2029-01-15", "tier": "standard"}])
    for width in (976, 800):
        page.timeline.resize(width, page.timeline.height())
        labels = page.timeline.date_labels(page.timeline.font())
        assert "16/01/2029" in [text for _box, text in labels]
        assert all(0 <= box.left() and box.right() <= width for box, _text in labels), (width, labels)
