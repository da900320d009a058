"""End to end on loopback: the vendor publishes a signed pack, the shop's updater installs it, the page shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.infra.resources import resources_dir
from app.runtime import Runtime
from app.ui.tasks import TaskRunner
from app.ui.updates.page import UpdatesPage
from app.ui.updates.state import UpdatesState
from app.updates.service import Updater
from app.updates.tuf_client import UpdateClient, UpdateErrorKind
from tests.integration.conftest import VendorServer, vendor_server  # noqa: F401  (the fixture)
from vendor_server.cli import main as vendor_main

PACK = resources_dir() / "regulation" / "nd-232-2025.json"


def publish(vendor: VendorServer, pack: Path, version: str) -> None:
    args = ["repo", "add", str(pack), "--kind", "regulation", "--version", version, "--effective-date", "2025-10-10",
            "--title", "Thanh toán vàng từ 20 triệu qua ngân hàng", "--id", "nd-232-2025",
            "--data", str(vendor.data)]
    assert vendor_main(args) == 0


@pytest.fixture
def published(vendor_server: VendorServer, tmp_path: Path) -> tuple[VendorServer, bytes]:  # noqa: F811
    assert vendor_main(["repo", "init", "--data", str(vendor_server.data)]) == 0
    first = tmp_path / "nd-232-2025-first.json"  # the real pack's content, labelled 1.0.0 (the file is 1.1.0)
    first.write_bytes(PACK.read_bytes().replace(b'"version": "1.1.0"', b'"version": "1.0.0"'))
    publish(vendor_server, first, "1.0.0")
    root = (vendor_server.data / "tuf" / "metadata" / "1.root.json").read_bytes()
    return vendor_server, root


def make(qtbot: QtBot, runtime: Runtime, base_url: str | None = None, root: bytes = b""):
    """The updates page on its own state: given a vendor's base URL, its updater fetches from there trusting ``root``;
    without one, it keeps the real updater the app would build."""
    runner = TaskRunner()
    state = UpdatesState(runtime, runner)
    if base_url is not None:
        folder = runtime.paths.data_dir / "updates"
        state.updater = Updater(runtime,
                                lambda: UpdateClient(folder / "metadata", folder / "downloads", base_url, root))
    page = UpdatesPage(runtime, state)
    qtbot.addWidget(page)
    page._keep = runner
    return page, state


def test_a_published_pack_is_installed_and_shown(qtbot: QtBot, runtime: Runtime, published) -> None:
    vendor, root = published
    page, state = make(qtbot, runtime, vendor.base_url, root)
    with qtbot.waitSignal(state.ran, timeout=30000) as blocker:
        page.check_now()
    run = blocker.args[0]
    assert run.error is None and [r.pack_id for r in run.installed] == ["nd-232-2025"]
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    assert "20 triệu" in page.table.item(0, 0).text()
    assert "đã có hiệu lực từ 10/10/2025" in page.table.item(0, 2).text()
    assert "Nghị định 232/2025" in page.detail.toPlainText()
    assert "20.000.000 ₫" in page.detail.toPlainText()
    assert runtime.pack_store.current("nd-232-2025").version == "1.0.0"
    # Named by its title, not its id; and nothing to roll back to yet, so the button says so instead of doing nothing.
    title = page.table.item(0, 0).text()
    assert page.message.text() == f"Đã cài gói quy định: {title} (phiên bản 1.0.0)"
    # The last good check, read with the packs in a worker (it was read on the GUI thread).
    qtbot.waitUntil(lambda: page.last.text().startswith("Lần kiểm tra thành công gần nhất: "), timeout=5000)
    assert state.last_success is not None
    noted = [(e.code, e.detail) for e in runtime.activity.recent(5) if e.kind == "updates"]
    assert noted == [("pack_installed", {"title": title, "version": "1.0.0"})]  # the overview's recent activity
    page.table.selectRow(0)
    assert not page.rollback_button.isEnabled() and "Bản trước" in page.rollback_button.toolTip()


def test_a_pack_this_version_cannot_read_is_said_with_what_to_do(qtbot: QtBot, runtime: Runtime, published) -> None:
    """The run goes on without it (tests/integration/test_update_unreadable_pack.py); the page says which pack
    waits and whom to call, as a warning, never "everything is up to date"."""
    import json

    from app.ui.levels import Level

    vendor, root = published
    page, state = make(qtbot, runtime, vendor.base_url, root)
    with qtbot.waitSignal(state.ran, timeout=30000):
        page.check_now()  # 1.0.0 installed
    later = json.loads(PACK.read_text(encoding="utf-8")) | {"version": "1.2.0"}
    later["rules"].append({"kind": "gold_purity_label"})  # a rule kind of a later app
    (runtime.paths.data_dir / "later.json").write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    # Marked by mistake for an app as old as this one (the publishing tool refuses it unmarked).
    assert vendor_main(["repo", "add", str(runtime.paths.data_dir / "later.json"), "--kind", "regulation", "--version",
                        "1.2.0", "--title", "Thanh toán vàng từ 20 triệu qua ngân hàng", "--id", "nd-232-2025",
                        "--min-app-version", "0.0.1", "--data", str(vendor.data)]) == 0
    with qtbot.waitSignal(state.ran, timeout=30000) as blocker:
        page.check_now()
    assert blocker.args[0].error is None
    assert page.message.text() == ("Chưa cài được Thanh toán vàng từ 20 triệu qua ngân hàng (bản 1.2.0): phiên bản "
                                   "phần mềm này không đọc được gói này; các bản cập nhật khác vẫn được cài. "
                                   "Hãy gọi 1900 6037.")
    assert Level.WARNING.color.name() in page.message.styleSheet()
    assert runtime.pack_store.current("nd-232-2025").version == "1.0.0"  # the installed one kept


def test_a_tampered_pack_on_the_server_installs_nothing(qtbot: QtBot, runtime: Runtime, published) -> None:
    vendor, root = published
    tampered = 0
    for target in (vendor.data / "tuf" / "targets").rglob("*nd-232-2025*"):
        data = target.read_bytes()
        # A mirror raises the cash limit, keeping the length: only the signed hash can tell.
        target.write_bytes(data.replace(b"20000000", b"90000000"))
        tampered += data != target.read_bytes()
    assert tampered
    page, state = make(qtbot, runtime, vendor.base_url, root)
    with qtbot.waitSignal(state.ran, timeout=30000) as blocker:
        page.check_now()
    run = blocker.args[0]
    assert run.error is not None and run.error.kind in (UpdateErrorKind.HASH_MISMATCH, UpdateErrorKind.SECURITY)
    assert runtime.pack_store.installed() == []
    assert "không cài" in page.message.text()


def test_a_new_version_shows_what_changed_and_can_be_rolled_back(
    qtbot: QtBot, runtime: Runtime, published, tmp_path: Path
) -> None:
    vendor, root = published
    page, state = make(qtbot, runtime, vendor.base_url, root)
    with qtbot.waitSignal(state.ran, timeout=30000):
        page.check_now()
    newer = tmp_path / "nd-232-2025.json"
    newer.write_bytes(PACK.read_bytes().replace(b'"version": "1.0.0"', b'"version": "1.1.0"')
                      .replace(b"20000000", b"15000000"))
    publish(vendor, newer, "1.1.0")
    with qtbot.waitSignal(state.ran, timeout=30000) as blocker:
        page.check_now()
    assert [r.version for r in blocker.args[0].installed] == ["1.1.0"]
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and page.table.item(0, 1).text() == "1.1.0", timeout=5000)
    # The row stayed selected over the new list: its pane and button follow it by themselves (they kept 1.0.0's).
    text = " ".join(page.detail.toPlainText().split())
    # Said as the rules are said (it showed "amount_vnd: 20000000 → 15000000", the pack's field names).
    assert "Thay đổi so với bản 1.0.0" in text
    assert "Trước: Từ 20.000.000 ₫ mỗi khách mỗi ngày" in text and "(từ ngày 10/10/2025). Nay: Từ 15.000.000 ₫" in text
    assert "amount_vnd" not in text
    assert page.rollback_button.isEnabled()  # 1.0.0 to go back to
    asked: list[str] = []
    page._confirm = lambda question: asked.append(question) or False  # "Không": nothing happens
    page.rollback_button.click()
    assert "bản 1.0.0 và bỏ bản 1.1.0" in asked[0] and runtime.pack_store.current("nd-232-2025").version == "1.1.0"
    page._confirm = lambda question: True
    with qtbot.waitSignal(state.rolled_back, timeout=5000):
        page.rollback_button.click()
    assert runtime.pack_store.current("nd-232-2025").version == "1.0.0"
    assert "Đã quay lại" in page.message.text() and "bỏ bản 1.1.0" in page.message.text()
    qtbot.waitUntil(lambda: page.table.item(0, 1).text() == "1.0.0", timeout=5000)
    assert not page.rollback_button.isEnabled()  # nothing older: pressed again it went forward to 1.1.0
    with qtbot.waitSignal(state.ran, timeout=30000) as blocker:  # the given-up version is not installed again
        page.check_now()
    assert blocker.args[0].installed == [] and runtime.pack_store.current("nd-232-2025").version == "1.0.0"


def test_a_cancelled_check_gives_the_button_back(qtbot: QtBot, runtime: Runtime, published) -> None:
    # The check's Hủy (in the status bar) left "Kiểm tra cập nhật" greyed out until the app restarted.
    vendor, root = published
    page, state = make(qtbot, runtime, vendor.base_url, root)
    with qtbot.waitSignal(state.check_cancelled, timeout=30000):
        page.check_now()
        assert not page.check_button.isEnabled()
        page._keep.cancel_all()
    assert page.check_button.isEnabled() and "Đã dừng kiểm tra cập nhật" in page.message.text()


def test_the_detail_pane_says_what_to_do_while_it_shows_no_pack(qtbot: QtBot, runtime: Runtime, published) -> None:
    vendor, root = published
    page, state = make(qtbot, runtime, vendor.base_url, root)
    # Nothing installed yet: an empty pane read as a fault; it says how packs arrive.
    assert page.detail.toPlainText().startswith("Chưa có gói quy định nào trên máy này.")
    assert "Kiểm tra cập nhật" in page.detail.toPlainText()
    with qtbot.waitSignal(state.ran, timeout=30000):
        page.check_now()
    qtbot.waitUntil(lambda: "Nghị định 232/2025" in page.detail.toPlainText(), timeout=5000)  # the first is shown
    page.table.clearSelection()
    assert page.detail.toPlainText() == ("Chọn một gói quy định trong bảng phía trên để xem nội dung thay đổi và "
                                         "ngày có hiệu lực.")


def test_choosing_a_pack_reads_no_file_on_the_gui_thread(qtbot: QtBot, runtime: Runtime, published) -> None:
    # DESIGN.md: no file work on the GUI thread. The pane read and parsed the pack's file (and the previous
    # version's) each time a row was chosen; the worker reads them with the list now.
    import threading

    vendor, root = published
    page, state = make(qtbot, runtime, vendor.base_url, root)
    with qtbot.waitSignal(state.ran, timeout=30000):
        page.check_now()
    qtbot.waitUntil(lambda: "Nghị định 232/2025" in page.detail.toPlainText(), timeout=5000)
    on_gui: list[str] = []
    store = runtime.pack_store

    def watch(name: str) -> None:
        real = getattr(store, name)

        def watched(*args):
            if threading.current_thread() is threading.main_thread():
                on_gui.append(name)
            return real(*args)
        setattr(store, name, watched)

    for name in ("current", "pack_at", "installed"):
        watch(name)
    page.table.clearSelection()
    page.table.selectRow(0)
    assert "Nghị định 232/2025" in page.detail.toPlainText()
    state.load()  # a new list: read in the worker, shown on the GUI thread
    qtbot.waitUntil(lambda: state.contents != {} and page.table.rowCount() == 1, timeout=5000)
    page.table.clearSelection()
    page.table.selectRow(0)
    assert "Nghị định 232/2025" in page.detail.toPlainText()
    assert on_gui == []


def test_a_refused_update_is_said_once_in_words(qtbot: QtBot, runtime: Runtime) -> None:
    from app.ui.updates.texts import error_text
    from app.updates.targets import UpdateError

    page, state = make(qtbot, runtime)
    # As the CLI used to pass it on: the kind twice in front of python-tuf's refusal.
    state.failed.emit(UpdateError(UpdateErrorKind.SECURITY, "security: BadVersionNumberError: expected 2, got 1"))
    text = page.message.text()
    assert text == error_text(UpdateErrorKind.SECURITY)
    assert text.count("không cài gì") == 1 and "security" not in text and "BadVersion" not in text
    # Anything else unexpected: what happened to the shop's state and whom to call, not the exception's text.
    state.failed.emit(RuntimeError("sqlite3.OperationalError: disk I/O error"))
    assert "1900 6037" in page.message.text() and "không cài gì" in page.message.text()
    assert "sqlite3" not in page.message.text()


def test_a_refused_or_busy_rollback_is_said_as_such_not_as_a_failed_check(qtbot: QtBot, runtime: Runtime) -> None:
    """A rollback the store refused, or one waiting on the packs' lock (the background update installing), read
    "Không kiểm tra được cập nhật do lỗi không mong muốn; không cài gì": found by an independent review."""
    from app.updates.install import PackStoreError
    from app.updates.service import RollbackRefused

    page, state = make(qtbot, runtime)
    state.failed.emit(PackStoreError("packs/.lock is held by another process"))
    assert page.message.text().startswith("Một tiến trình khác (cập nhật tự động) đang cài gói quy định")
    state.failed.emit(RollbackRefused("nd-232-2025", RollbackRefused.NO_PREVIOUS))
    assert page.message.text() == "Gói này không có bản trước để quay lại; bản đang dùng được giữ nguyên."
    assert "lỗi không mong muốn" not in page.message.text()


def test_without_the_vendors_root_the_page_says_whom_to_call(qtbot: QtBot, runtime: Runtime) -> None:
    # A build made without resources/tuf/root.json (resources/tuf/README.md): the real updater, no stand-in.
    page, state = make(qtbot, runtime)
    with qtbot.waitSignal(state.failed, timeout=10000):
        page.check_now()
    text = page.message.text()
    assert "thiếu khóa xác thực của nhà cung cấp" in text and "1900 6037" in text
    assert "TUF" not in text
    assert page.check_button.isEnabled()


def test_the_cash_limit_rule_is_shown_as_the_pack_states_it() -> None:
    # The shipped pack: Decree 232/2025 clause 10 ("từ 20 triệu đồng trở lên", purchases and buy-backs
    # alike) and the State Bank's guidance of 17/10/2025 (only a transfer between bank payment accounts).
    from app.ui.updates.texts import rule_text
    from pmv_protocol.packs import CashLimitRule, RegulationPack

    shipped = RegulationPack.model_validate_json(PACK.read_bytes())
    rule = next(r for r in shipped.rules if r.kind == "cash_limit_per_customer_per_day")
    line = rule_text(rule)
    assert line.startswith("Từ 20.000.000") and "bán ra và mua vào cộng lại" in line
    assert line.endswith("(được tính: chuyển khoản)")
    # A later pack that corrects the rule is shown as corrected, not as the app's idea of it.
    corrected = CashLimitRule(kind="cash_limit_per_customer_per_day", amount_vnd=50_000_000, inclusive=False,
                              counted_kinds=["sell"], bank_account_methods=["bank_transfer", "card"])
    line = rule_text(corrected)
    assert line.startswith("Trên 50.000.000") and "chỉ tính bán ra" in line
    assert line.endswith("(được tính: chuyển khoản, thẻ)")


def test_a_rule_starting_later_than_its_pack_says_from_when() -> None:
    # A transition period (the pack model allows a rule's own later date): the new limit read as already in force.
    import datetime as dt

    from app.ui.updates.texts import rule_line
    from pmv_protocol.packs import RegulationPack

    shipped = RegulationPack.model_validate_json(PACK.read_bytes())
    rule = next(r for r in shipped.rules if r.kind == "cash_limit_per_customer_per_day")
    assert not rule_line(shipped, rule).endswith("từ ngày 10/10/2025")  # the pack's own date: said in the table
    later = rule.model_copy(update={"effective_date": dt.date(2026, 12, 1)})
    assert rule_line(shipped, later).endswith(", từ ngày 01/12/2026")


def test_a_rollback_that_waited_on_the_lock_can_be_tried_again(qtbot: QtBot, runtime: Runtime) -> None:
    # The button is greyed while a rollback runs; one refused because the background update held the packs' lock
    # ("hãy chờ một lát rồi thử lại") left it greyed until another row was chosen.
    from app.updates.install import PackStoreError

    runtime.pack_store.install(PACK.read_bytes().replace(b'"version": "1.1.0"', b'"version": "1.0.0"', 1))
    runtime.pack_store.install(PACK.read_bytes())
    page, state = make(qtbot, runtime)
    state.load()
    qtbot.waitUntil(lambda: page.rollback_button.isEnabled(), timeout=5000)
    page._confirm = lambda question: True
    page._state.rollback = lambda pack_id: None  # the worker is not reached: its refusal is emitted below
    page.rollback_button.click()
    assert not page.rollback_button.isEnabled()
    state.failed.emit(PackStoreError("packs/.lock is held by another process"))
    assert page.rollback_button.isEnabled()
