from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.health.model import Status
from app.runtime import Runtime
from app.shop.demo import DemoShop
from app.ui.health.page import HealthPage
from app.ui.health.state import HealthState
from app.ui.health.tile import HealthTile
from app.ui.levels import Level
from app.ui.tasks import TaskRunner
from tests.gui.languages import english_installed

# The runtime fixture (tests/gui/conftest.py) runs the checks on demo_clock, the demo shop's own day.


def make(qtbot: QtBot, runtime: Runtime):
    runner = TaskRunner()
    state = HealthState(runtime, runner)
    page = HealthPage(runtime, runner, state)
    tile = HealthTile(state)
    qtbot.addWidget(page)
    qtbot.addWidget(tile)
    page._keep = (runner, state)
    return page, tile, state


def test_a_run_shows_the_verdict_groups_and_fix_steps(qtbot: QtBot, runtime: Runtime, demo_shop: DemoShop) -> None:
    with sqlite3.connect(demo_shop.pos_database) as conn:  # break the invoice sequence: one number missing
        (missing,) = conn.execute("SELECT number FROM invoices ORDER BY number DESC LIMIT 1 OFFSET 2").fetchone()
        conn.execute("DELETE FROM invoices WHERE number = ?", (missing,))
    page, tile, state = make(qtbot, runtime)
    assert page.verdict.text() == "Chưa kiểm tra"
    with qtbot.waitSignal(state.finished, timeout=60000) as blocker:
        page.run_button.click()
        assert not page.run_button.isEnabled() and not page.cancel_button.isHidden()
    run = blocker.args[0]
    assert run.report.by_id()["invoices.sequence"].status is Status.CRITICAL
    assert page.verdict.text() == "Cần xử lý ngay" and tile.level is Level.CRITICAL
    assert "Số hóa đơn liên tục" in tile.detail_label.text()
    groups = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    assert {"Cơ sở dữ liệu", "Sao lưu", "Dữ liệu bán hàng"} <= set(groups)  # in the registry's order
    data = page.tree.topLevelItem(groups.index("Dữ liệu bán hàng"))
    invoices = next(data.child(i) for i in range(data.childCount()) if data.child(i).text(0) == "Số hóa đơn liên tục")
    assert invoices.text(1) == "Nghiêm trọng" and f"{missing:07d}" in invoices.text(2)
    # The critical check is chosen, and the pane below has its whole story: summary, details and the fix steps.
    assert page.tree.currentItem() is invoices
    shown = page.detail.toPlainText()
    assert "Số hóa đơn liên tục" in shown and f"{missing:07d}" in shown
    assert "Cách khắc phục" in shown and "1900 6037" in shown
    assert page.run_button.isEnabled() and page.attach_button.isEnabled()
    assert run.became_critical


def sampling_cpu(interval: float) -> float:
    """A quiet CPU that still takes its sample's time, as psutil's blocking sample does (0,5 s)."""
    time.sleep(interval)
    return 7.0


def test_the_gui_stays_responsive_and_a_run_can_be_cancelled(qtbot: QtBot, runtime: Runtime) -> None:
    # The run must last long enough to watch the GUI tick during it and to cancel it part-way.
    runtime.machine = replace(runtime.machine, cpu_percent=sampling_cpu)
    page, _tile, state = make(qtbot, runtime)
    beats: list[float] = []
    stop = threading.Event()

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: beats.append(time.monotonic()))
    timer.start()
    with qtbot.waitSignal(state.finished, timeout=60000):
        page.run_now()
    timer.stop()
    stop.set()
    gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
    assert len(beats) > 5 and max(gaps) < 0.5  # the GUI thread kept ticking during the run
    # Cancel: the run stops at once, says so, and records nothing.
    verdict_before = page.verdict.text()
    with qtbot.waitSignal(state.cancelled, timeout=10000):
        page.run_now()
        page.cancel_button.click()
    assert "Đã dừng" in page.message.text() and page.run_button.isEnabled()
    assert page.verdict.text() == verdict_before


def test_the_request_form_carries_the_latest_report_redacted(qtbot: QtBot, make_app, demo_shop: DemoShop) -> None:
    # The log check quotes the POS's error line; the request's health.json and PDF sent it whole.
    with (demo_shop.logs_dir / "pmv-2026-11-25.log").open("a", encoding="utf-8") as log:
        log.write("2026-11-25 09:15:02 ERROR In hóa đơn thất bại: Khách Nguyễn Thị Lan, ĐT 0987 654 321\n")
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    with qtbot.waitSignal(app.health.finished, timeout=60000):
        window.health_page.run_now()
    window.health_page.attach_button.click()
    form = window.request_form
    assert form._health is app.health.last.report
    parts = form._health_parts()
    assert [p.key for p in parts] == ["health_report"] and '"verdict"' in parts[0].text
    form.attach_diagnostics.setChecked(True)
    sources = form._prepare_job("")()
    health_json = next(zipfile.ZipFile(s.path).read("health.json").decode() for s in sources
                       if s.path.suffix == ".zip")
    assert "Khách Nguyễn Thị L***" in health_json
    texts = [health_json]
    if shutil.which("pdftotext") is not None:
        (pdf,) = [s.path for s in sources if s.path.suffix == ".pdf"]
        texts.append(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
        assert "Khách Nguyễn Thị L***" in " ".join(texts[1].split())
    for text in texts:
        assert "Nguyễn Thị Lan" not in text and "0987 654 321" not in text
    for source in sources:
        shutil.rmtree(source.path.parent, ignore_errors=True)
    form.reject()


def test_only_the_run_that_turns_critical_notifies(qtbot: QtBot, make_app, demo_shop: DemoShop) -> None:
    with sqlite3.connect(demo_shop.pos_database) as conn:
        conn.execute("UPDATE gold_prices SET sell_vnd_per_chi = 1 WHERE purity_code = '750'")
    app = make_app()
    for _run in range(2):
        with qtbot.waitSignal(app.health.finished, timeout=60000):
            app.health.run_now()
    critical = [n for n in app.notifier.history if n.level is Level.CRITICAL]
    assert len(critical) == 1 and "Bảng giá vàng" in critical[0].message


# --- the newest stored run, in shop time -------------------------------------------------------------------------

@pytest.fixture
def pc_in_new_york(monkeypatch: pytest.MonkeyPatch):
    """The till PC set to New York (UTC-5 in November): every time shown must still be the shop's (UTC+7)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _record_a_critical_run(runtime: Runtime, demo_shop: DemoShop) -> str:
    """What the agent, the tray's job or `pmv-support check` leaves in the history: a run with one critical."""
    from app.health.service import run_health

    with sqlite3.connect(demo_shop.pos_database) as conn:
        (missing,) = conn.execute("SELECT number FROM invoices ORDER BY number DESC LIMIT 1 OFFSET 2").fetchone()
        conn.execute("DELETE FROM invoices WHERE number = ?", (missing,))
    run_health(runtime)
    return f"{missing:07d}"


def test_on_start_the_page_and_tile_show_the_newest_stored_run_in_shop_time(
    qtbot: QtBot, runtime: Runtime, demo_shop: DemoShop, demo_clock, pc_in_new_york
) -> None:
    missing = _record_a_critical_run(runtime, demo_shop)  # at demo_clock: 21:00 25/11/2026 in the shop
    page, tile, state = make(qtbot, runtime)
    assert page.verdict.text() == "Chưa kiểm tra"  # nothing is read on the GUI thread...
    with qtbot.waitSignal(state.restored, timeout=10000):
        state.load()  # ...a worker reads the history
    shown = "21:00 25/11/2026"  # the PC's own zone would say 09:00 25/11/2026
    assert demo_clock().astimezone().strftime("%H:%M") == "09:00"  # (the PC really is in New York here)
    assert page.verdict.text() == "Cần xử lý ngay"
    assert page.verdict_detail.text().startswith(f"Kết quả lần kiểm tra lúc {shown}: ")
    assert tile.level is Level.CRITICAL and f"Kết quả lần kiểm tra lúc {shown}" in tile.detail_label.text()
    assert "Số hóa đơn liên tục" in tile.detail_label.text()
    data = next(page.tree.topLevelItem(i) for i in range(page.tree.topLevelItemCount())
                if page.tree.topLevelItem(i).text(0) == "Dữ liệu bán hàng")
    invoices = next(data.child(i) for i in range(data.childCount()) if data.child(i).text(0) == "Số hóa đơn liên tục")
    assert invoices.text(1) == "Nghiêm trọng" and missing in invoices.text(2)
    assert f"Tình trạng này từ {shown}" in invoices.toolTip(2)
    # The PDF and the request attachment need a full run (details, fix steps): only this window's own.
    assert page.run_button.isEnabled() and not page.report_button.isEnabled() and not page.attach_button.isEnabled()


def test_a_run_here_replaces_the_stored_one_and_a_newer_one_recorded_elsewhere_replaces_it(
    qtbot: QtBot, runtime: Runtime, demo_shop: DemoShop, demo_clock, pc_in_new_york
) -> None:
    from app.health.service import run_health

    _record_a_critical_run(runtime, demo_shop)
    page, tile, state = make(qtbot, runtime)
    with qtbot.waitSignal(state.restored, timeout=10000):
        state.load()
    demo_clock.advance(minutes=5)
    with qtbot.waitSignal(state.finished, timeout=60000):
        page.run_now()
    assert page.verdict_detail.text().startswith("Lúc 21:05 25/11/2026: ")
    assert page.report_button.isEnabled() and page.attach_button.isEnabled()
    assert tile.detail_label.text().endswith("Kiểm tra lúc 21:05 25/11/2026")
    # The periodic look at the history finds this window's own run: nothing changes.
    with qtbot.assertNotEmitted(state.restored):
        task = state.load()
        qtbot.waitUntil(lambda: task.done, timeout=10000)
    # The headless agent records a newer run: the page and tile show it, with its time.
    demo_clock.advance(minutes=10)
    run_health(runtime)
    with qtbot.waitSignal(state.restored, timeout=10000):
        state.load()
    assert page.verdict_detail.text().startswith("Kết quả lần kiểm tra lúc 21:15 25/11/2026: ")
    assert "Kết quả lần kiểm tra lúc 21:15 25/11/2026" in tile.detail_label.text()
    assert state.latest is state.stored and not page.report_button.isEnabled()  # the PDF is of what is shown


def test_the_progress_names_each_check_in_the_interface_language(qapp) -> None:
    """The runner reports the check that finished by its id; the GUI shows its title, in English when English
    is on (the progress line read "Checking the system… – Bản sao lưu khôi phục được")."""
    from app.ui.health.texts import checks_progress
    said: list[tuple[float, str]] = []
    with english_installed(qapp):
        checks_progress(lambda fraction, text: said.append((fraction, text)))(0.5, "backup.age")
    checks_progress(lambda fraction, text: said.append((fraction, text)))(1.0, "backup.age")
    assert said == [(0.5, "Data backups"), (1.0, "Sao lưu dữ liệu")]


def _unsaid(text: str) -> list[str]:
    """The Vietnamese an English window would still show for ``text``: each phrase the catalogue does not translate,
    and plain text with Vietnamese letters where the core should have said a phrase (a value inside a phrase, such
    as a customer's name or a file, is said as it is and is not counted)."""
    from app.infra.phrase import Phrase
    from app.ui.i18n import translate

    if not isinstance(text, Phrase):
        return [text] if _VIETNAMESE.search(text) else []
    missing = []
    if text.context != "Phrase" and translate(text.context, text.source) == text.source:
        missing.append(text.source)
    for arg in text.args:
        if isinstance(arg, Phrase):
            missing += _unsaid(arg)
    return missing


_VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)


def test_in_english_every_check_says_its_result_details_and_fix_steps_in_english(
        qtbot: QtBot, qapp, runtime: Runtime, demo_shop: DemoShop, tmp_path: Path) -> None:
    """The checks' own words were Vietnamese in an English window (summaries, details and fix steps come from the
    Qt-free core). The demo shop's run has every kind of result: passed, warnings, a critical check, skipped ones."""
    from app.health.registry import remedies
    from app.ui.i18n import said

    with sqlite3.connect(demo_shop.pos_database) as conn:  # a critical check with fix steps, as in the first test
        (missing,) = conn.execute("SELECT number FROM invoices ORDER BY number DESC LIMIT 1 OFFSET 2").fetchone()
        conn.execute("DELETE FROM invoices WHERE number = ?", (missing,))
    with english_installed(qapp):
        page, _tile, state = make(qtbot, runtime)
        with qtbot.waitSignal(state.finished, timeout=60000) as blocker:
            page.run_button.click()
        report = blocker.args[0].report
        catalogue = remedies()
        unsaid = {f"{item.check_id}: {text[:70]}" for item in report.results
                  for text in (item.summary, item.details, catalogue.get(item.remedy or "", ""))
                  for text in _unsaid(text)}
        assert unsaid == set()
        # What the page shows is the English: the tree's summary column and the pane with the fix steps.
        invoices = report.by_id()["invoices.sequence"]
        rows = [page.tree.topLevelItem(g).child(i) for g in range(page.tree.topLevelItemCount())
                for i in range(page.tree.topLevelItem(g).childCount())]
        row = next(r for r in rows if r.data(0, Qt.ItemDataRole.UserRole) == "invoices.sequence")
        assert row.text(2) == said(invoices.summary) != invoices.summary and f"{missing:07d}" in row.text(2)
        shown = page.detail.toPlainText()
        assert "How to fix" in shown and said(catalogue[invoices.remedy or ""]).split("\n")[0] in shown
        # (The English keeps the decree's form number, "04/SS-HĐĐT", as the tax office writes it.)
        assert said(catalogue[invoices.remedy or ""]).startswith("Invoice numbers are missing or duplicated")
        # The PDF saved from this page is in the page's language too (the one attached to a request stays Vietnamese).
        page.save_report(tmp_path / "report.pdf")
        qtbot.waitUntil(lambda: (tmp_path / "report.pdf").exists() and not page.message.isHidden(), timeout=30000)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("SYSTEM CHECK REPORT", "Needs attention now", "Invoice numbering", "Critical", "How to fix",
                     "Invoice numbers are missing or duplicated", "hotline 1900 6037"):
        assert expected in text, expected
    assert "BÁO CÁO" not in text and "Cách khắc phục" not in text and "Nghiêm trọng" not in text


def test_the_tile_cuts_a_long_summary_at_a_word(qtbot: QtBot) -> None:
    """The cash-limit check names every customer it found: on the overview's tile that filled the whole tile (the
    checks page and its pane keep the whole text)."""
    import datetime as dt

    from app.health.model import CheckResult, HealthReport
    from app.ui.health.tile import BRIEF, brief

    at = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)
    long = "5 trường hợp khách giao dịch từ 20.000.000 ₫ trong một ngày: " + "Nguyễn Thị L*** (KH0001), " * 10
    report = HealthReport(at, at, (CheckResult("compliance.cash_limit", Status.CRITICAL, long),
                                   CheckResult("disk.free", Status.WARNING, "Ổ đĩa còn trống 7,3 GB")), {})
    tile = HealthTile()
    qtbot.addWidget(tile)
    tile.show_report(report, stored=False)
    shown = tile.detail_label.text().splitlines()
    cut = shown[0].split(": ", 1)[1]  # after the check's title
    assert cut.endswith("…") and len(cut) <= BRIEF + 1 and long.startswith(cut[:-1])  # its start, cut at a word
    assert long[len(cut) - 1] in " ,"
    assert shown[1].endswith("Ổ đĩa còn trống 7,3 GB")  # a short one whole
    assert brief("ngắn") == "ngắn" and brief("a" * 200) == "a" * BRIEF + "…"
