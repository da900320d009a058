from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.technician.audit import AuditLog
from app.ui.tasks import TaskCancelled, TaskRunner
from app.ui.technician.dialog import TechnicianDialog
from tests.helpers import TECHNICIAN_T0, FixedClock
from vendor_server.keys import VendorKeys
from vendor_server.signing import sign_challenge


@pytest.fixture
def vendor_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VendorKeys:
    keys = VendorKeys(tmp_path / "vendor-keys")
    keys.init()
    trusted = tmp_path / "vendor_keys.json"
    keys.write_public(trusted)
    # The one stand-in: the app's shipped trust file points at this test vendor's public keys.
    monkeypatch.setattr("app.infra.keys.shipped_keys_file", lambda: trusted)
    return keys


def test_a_signed_code_unlocks_for_the_named_technician_and_is_audited(
    qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys
) -> None:
    runner = TaskRunner()
    dialog = TechnicianDialog(runtime, runner)
    qtbot.addWidget(dialog)
    code = sign_challenge(dialog.challenge.code(), "Nguyễn Văn Kỹ", vendor_keys.private("technician"),
                          dt.datetime.now(dt.UTC))
    dialog.code.setText(code)
    dialog.unlock()
    qtbot.waitUntil(lambda: dialog.session is not None, timeout=5000)
    assert dialog.session.technician == "Nguyễn Văn Kỹ"
    assert "Nguyễn Văn Kỹ" in dialog.status.text() and "phút" in dialog.status.text()
    entries = AuditLog(runtime.database).entries()
    assert [(e.technician, e.action, e.result) for e in entries] == [("Nguyễn Văn Kỹ", "unlock", "ok")]
    # The same code again is a replay: refused, and that too is on record.
    assert dialog.code.text() == ""  # a used code does not stay on screen
    dialog.code.setText(code)
    dialog.unlock()
    qtbot.waitUntil(lambda: "đã được dùng" in dialog.message.text(), timeout=5000)
    assert AuditLog(runtime.database).entries()[0].result == "replayed"


def test_a_garbled_code_is_refused_with_a_reason(qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    runner = TaskRunner()
    dialog = TechnicianDialog(runtime, runner)
    qtbot.addWidget(dialog)
    dialog.code.setText("ABCD-EFGH")
    dialog.unlock()
    qtbot.waitUntil(lambda: "gõ chưa đúng" in dialog.message.text(), timeout=5000)
    assert dialog.session is None


def unlocked(qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys, name: str = "Nguyễn Văn Kỹ") -> TechnicianDialog:
    runner = TaskRunner()
    dialog = TechnicianDialog(runtime, runner)
    qtbot.addWidget(dialog)
    dialog._keep = runner
    dialog.code.setText(sign_challenge(dialog.challenge.code(), name, vendor_keys.private("technician"),
                                       dt.datetime.now(dt.UTC)))
    dialog.unlock()
    qtbot.waitUntil(lambda: dialog.session is not None, timeout=5000)
    return dialog


def actions(runtime: Runtime) -> list[tuple[str, str]]:
    return [(e.action, e.result) for e in reversed(AuditLog(runtime.database).entries())]


def test_the_tools_appear_only_once_unlocked_and_go_when_locked(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    runner = TaskRunner()
    locked = TechnicianDialog(runtime, runner)
    qtbot.addWidget(locked)
    assert [locked.tabs.tabText(i) for i in range(locked.tabs.count())] == ["Nhật ký kỹ thuật viên"]
    assert not locked.audit_tab.attach_button.isEnabled()
    dialog = unlocked(qtbot, runtime, vendor_keys)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Kiểm tra chi tiết", "Nhật ký", "Cài đặt", "Bảo trì", "Sao lưu để cài lại", "Nhật ký kỹ thuật viên"]
    dialog.lock_button.click()
    assert dialog.tabs.count() == 1 and dialog.session is None
    qtbot.waitUntil(lambda: actions(runtime)[-1] == ("lock", "ok"), timeout=5000)


def test_after_locking_a_new_challenge_is_shown_and_its_code_unlocks_again(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    dialog = unlocked(qtbot, runtime, vendor_keys)
    first = dialog.challenge.code()
    dialog.lock_button.click()
    assert dialog.challenge.code() != first and dialog.challenge_label.text() == dialog.challenge.code()
    # The lock's entry is written in a worker: on record before the next unlock's, or the order below is a race.
    qtbot.waitUntil(lambda: actions(runtime)[-1:] == [("lock", "ok")], timeout=5000)
    dialog.code.setText(sign_challenge(dialog.challenge.code(), "Lê Văn Hai", vendor_keys.private("technician"),
                                       dt.datetime.now(dt.UTC)))
    dialog.unlock()
    qtbot.waitUntil(lambda: dialog.session is not None, timeout=5000)
    assert dialog.session.technician == "Lê Văn Hai"
    qtbot.waitUntil(lambda: actions(runtime) == [("unlock", "ok"), ("lock", "ok"), ("unlock", "ok")], timeout=5000)


def test_an_expired_unlock_closes_the_tools(qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    dialog = unlocked(qtbot, runtime, vendor_keys)
    dialog._clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    dialog._tick()
    assert dialog.session is None and dialog.tabs.count() == 1 and "hết hạn" in dialog.status.text()


def test_checks_logs_settings_and_database_tools_work_and_are_audited(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    dialog = unlocked(qtbot, runtime, vendor_keys)
    checks = dialog.tool_tabs["checks"]
    checks.run_checks()
    qtbot.waitUntil(lambda: checks.tree.topLevelItemCount() > 10, timeout=60000)
    assert '"duration_ms"' in checks.raw.toPlainText() and '"status"' in checks.raw.toPlainText()

    logs = dialog.tool_tabs["logs"]
    qtbot.waitUntil(lambda: logs.source_combo.count() > 0, timeout=5000)
    pos_index = next(i for i in range(logs.source_combo.count()) if "bán hàng" in logs.source_combo.itemText(i))
    logs.source_combo.setCurrentIndex(pos_index)
    logs.query.setText("BẢNG GIÁ")
    logs.show_log()
    qtbot.waitUntil(lambda: "Cập nhật bảng giá vàng" in logs.text.toPlainText(), timeout=5000)
    shown = logs.text.toPlainText().splitlines()
    assert shown and all("bảng giá" in line for line in shown)  # only the matching lines

    settings = dialog.tool_tabs["settings"]
    qtbot.waitUntil(lambda: "[shop]" in settings.editor.toPlainText(), timeout=5000)
    original = runtime.loaded.path.read_text(encoding="utf-8")
    settings.editor.setPlainText(original + "\n[updates]\ninterval_hours = 0\n")
    settings.save()
    qtbot.waitUntil(lambda: "Không lưu" in settings.message.text(), timeout=5000)
    assert runtime.loaded.path.read_text(encoding="utf-8") == original  # refused: the file is untouched

    maintenance = dialog.tool_tabs["maintenance"]
    maintenance.check_integrity()
    qtbot.waitUntil(lambda: "nguyên vẹn" in maintenance.message.text(), timeout=10000)
    maintenance.vacuum()
    qtbot.waitUntil(lambda: "Đã thu gọn" in maintenance.message.text(), timeout=10000)
    qtbot.waitUntil(lambda: ("db.vacuum", "ok") in actions(runtime), timeout=5000)
    done = actions(runtime)
    for expected in [("unlock", "ok"), ("checks.raw", "ok"), ("log.search", "ok"), ("settings.save", "failed"),
                     ("db.integrity", "ok"), ("db.vacuum", "ok")]:
        assert expected in done


def test_the_support_bundle_carries_the_audit_log(qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys,
                                                  tmp_path: Path) -> None:
    import zipfile

    dialog = unlocked(qtbot, runtime, vendor_keys)
    maintenance = dialog.tool_tabs["maintenance"]
    target = tmp_path / "bundle.zip"
    maintenance.export_bundle(target)
    qtbot.waitUntil(lambda: "Đã lưu" in maintenance.message.text(), timeout=60000)
    with zipfile.ZipFile(target) as bundle:
        audit = next(name for name in bundle.namelist() if name.endswith("audit.csv"))
        assert "Nguyễn Văn Kỹ,unlock,ok" in bundle.read(audit).decode("utf-8")


def test_a_profile_exported_here_restores_on_a_fresh_pc_after_showing_the_plan(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        demo_shop) -> None:
    from app.bootstrap import bootstrap
    from app.infra.paths import AppPaths

    dialog = unlocked(qtbot, runtime, vendor_keys)
    profile_tab = dialog.tool_tabs["profile"]
    target = tmp_path / "KP-0001.pmvprofile"
    profile_tab.export(target)
    qtbot.waitUntil(lambda: "Đã sao lưu" in profile_tab.message.text(), timeout=20000)
    assert target.is_file()

    # The new PC: its own config and data folders, nothing configured yet.
    fresh_home = tmp_path / "new-pc"
    monkeypatch.setenv("PMV_SUPPORT_HOME", str(fresh_home))
    fresh = bootstrap(None, paths=AppPaths.default().ensure(), install_crash_handler=False)
    try:
        new_dialog = unlocked(qtbot, fresh, vendor_keys, name="Lê Kỹ Thuật")
        restore = new_dialog.tool_tabs["profile"]
        restore.open_profile(target)
        qtbot.waitUntil(lambda: restore.plan is not None, timeout=10000)
        assert "sẽ ghi mới" in restore.plan_view.toPlainText()
        restore.restore()
        qtbot.waitUntil(lambda: "Đã khôi phục" in restore.message.text(), timeout=20000)
        assert fresh.paths.settings_file.read_bytes() == demo_shop.settings_file.read_bytes()
        qtbot.waitUntil(lambda: ("profile.import", "ok") in actions(fresh), timeout=5000)
    finally:
        fresh.close()
    assert ("profile.export", "ok") in actions(runtime)


def test_restoring_over_a_pcs_own_settings_says_where_its_copy_is_kept(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        demo_shop) -> None:
    from app.bootstrap import bootstrap
    from app.infra.paths import AppPaths

    dialog = unlocked(qtbot, runtime, vendor_keys)
    target = tmp_path / "KP-0001.pmvprofile"
    dialog.tool_tabs["profile"].export(target)
    qtbot.waitUntil(lambda: target.is_file() and "Đã sao lưu" in dialog.tool_tabs["profile"].message.text(),
                    timeout=20000)
    monkeypatch.setenv("PMV_SUPPORT_HOME", str(tmp_path / "new-pc"))
    fresh = bootstrap(None, paths=AppPaths.default().ensure(), install_crash_handler=False)
    own = demo_shop.settings_file.read_bytes() + "\n# Mật khẩu máy bán hàng gõ trên máy này\n".encode()
    fresh.paths.settings_file.write_bytes(own)
    try:
        new_dialog = unlocked(qtbot, fresh, vendor_keys, name="Lê Kỹ Thuật")
        restore = new_dialog.tool_tabs["profile"]
        new_dialog.tabs.setCurrentWidget(restore)
        new_dialog.show()
        restore.open_profile(target)
        qtbot.waitUntil(lambda: restore.plan is not None, timeout=10000)
        assert restore.overwrite.isVisible()
        restore.overwrite.setChecked(True)
        restore.restore()
        qtbot.waitUntil(lambda: "Đã khôi phục" in restore.message.text(), timeout=20000)
        (copy,) = fresh.paths.settings_file.parent.glob("settings.toml.before-import-*")
        assert copy.read_bytes() == own
        assert "Bản cũ của máy này được giữ lại" in restore.message.text() and copy.name in restore.message.text()
    finally:
        fresh.close()


def test_reopening_keeps_the_unlock_and_an_older_dialog_cannot_end_it(qtbot: QtBot, make_app,
                                                                      vendor_keys: VendorKeys) -> None:
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    first = window.open_technician()
    first.code.setText(sign_challenge(first.challenge.code(), "Nguyễn Văn Kỹ", vendor_keys.private("technician"),
                                      dt.datetime.now(dt.UTC)))
    first.unlock()
    qtbot.waitUntil(lambda: window.technician_session is not None, timeout=5000)
    second = window.open_technician()
    assert second.session is not None and "Kiểm tra chi tiết" in second.tabs.tabText(0)
    first.lock("expired")  # the old dialog's timer runs out
    assert window.technician_session is not None
    second.close()


def test_a_damaged_backup_is_refused_in_vietnamese_and_nothing_is_written(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys, tmp_path: Path) -> None:
    dialog = unlocked(qtbot, runtime, vendor_keys)
    profile_tab = dialog.tool_tabs["profile"]
    bad = tmp_path / "KP-0001.pmvprofile"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 40)  # starts like a zip, is not one: a copy cut short
    settings_before = runtime.loaded.path.read_bytes()
    profile_tab.open_profile(bad)
    qtbot.waitUntil(lambda: bool(profile_tab.message.text()), timeout=5000)
    assert "bị hỏng" in profile_tab.message.text() and not profile_tab.import_button.isEnabled()
    assert runtime.loaded.path.read_bytes() == settings_before


# --- whose clock (issue: codes followed the vendor's clock) -------------------------------------------------------


class Ticks:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def unlocked_on(qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys, clock: FixedClock, ticks: Ticks | None = None,
                *, vendor_now: dt.datetime, hours: float = 2) -> TechnicianDialog:
    """A dialog on the PC's ``clock`` (and ``ticks``, the monotonic one, if given), unlocked with a code the vendor
    signed at ``vendor_now`` (its own clock)."""
    runner = TaskRunner()
    dialog = (TechnicianDialog(runtime, runner, clock=clock) if ticks is None
              else TechnicianDialog(runtime, runner, clock=clock, monotonic=ticks))
    qtbot.addWidget(dialog)
    dialog._keep = runner
    dialog.code.setText(sign_challenge(dialog.challenge.code(), "Nguyễn Văn Kỹ", vendor_keys.private("technician"),
                                       vendor_now, ttl=dt.timedelta(hours=hours)))
    dialog.unlock()
    qtbot.waitUntil(lambda: dialog.session is not None, timeout=5000)
    return dialog


def test_a_till_eight_hours_ahead_opens_for_the_two_hours_the_vendor_chose(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    clock = FixedClock(TECHNICIAN_T0 + dt.timedelta(hours=8))  # the PC's time zone set wrong
    dialog = unlocked_on(qtbot, runtime, vendor_keys, clock, vendor_now=TECHNICIAN_T0)
    assert dialog.session.expires_at - clock() == dt.timedelta(hours=2) and "còn 1" in dialog.status.text()
    clock.advance(hours=2)
    dialog._tick()
    assert dialog.session is None and "hết hạn" in dialog.status.text()


def test_setting_the_pcs_clock_back_does_not_keep_the_tools_open(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    clock, ticks = FixedClock(TECHNICIAN_T0), Ticks()
    dialog = unlocked_on(qtbot, runtime, vendor_keys, clock, ticks, vendor_now=TECHNICIAN_T0)
    clock.advance(days=-30)  # someone sets the date back a month
    ticks.now += 3600
    dialog._tick()
    assert dialog.session is not None and "còn 60 phút" in dialog.status.text()
    ticks.now += 3600
    dialog._tick()
    assert dialog.session is None and dialog.tabs.count() == 1 and "hết hạn" in dialog.status.text()


def test_an_expired_code_says_to_check_the_pcs_clock_and_shows_a_new_challenge(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    clock = FixedClock(TECHNICIAN_T0)
    runner = TaskRunner()
    dialog = TechnicianDialog(runtime, runner, clock=clock)
    qtbot.addWidget(dialog)
    first = dialog.challenge.code()
    dialog.code.setText(sign_challenge(first, "Nguyễn Văn Kỹ", vendor_keys.private("technician"), TECHNICIAN_T0,
                                       ttl=dt.timedelta(hours=1)))
    clock.advance(hours=1, minutes=5)  # the challenge stayed on screen longer than the code's hour
    dialog.unlock()
    qtbot.waitUntil(lambda: "hết hạn" in dialog.message.text(), timeout=5000)
    text = dialog.message.text()
    assert "Mã mở khóa đã hết hạn." in text and "múi giờ" in text
    assert "10:05 25/11/2026" in text  # what the PC believes, in Vietnam time
    assert dialog.session is None and dialog.challenge.code() != first
    assert dialog.challenge_label.text() == dialog.challenge.code()
    assert actions(runtime) == [("unlock", "expired")]


# --- failures in the shop's words -------------------------------------------------------------------------------


def test_a_tools_failure_is_said_in_the_shops_words_not_pythons(
        qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys, tmp_path: Path) -> None:
    import errno

    from app.technician.log_viewer import LogKind, LogSource

    clock = FixedClock(TECHNICIAN_T0)
    dialog = unlocked_on(qtbot, runtime, vendor_keys, clock, vendor_now=TECHNICIAN_T0)
    logs = dialog.tool_tabs["logs"]
    qtbot.waitUntil(lambda: bool(logs.sources), timeout=5000)
    rotated = tmp_path / "pmv-support.log.5"  # listed, then rotated away before it is read
    logs._set_sources([LogSource(LogKind.APP, rotated, 2, 0.0)])
    logs.show_log()
    qtbot.waitUntil(lambda: "Không đọc được nhật ký" in logs.message.text(), timeout=5000)
    assert logs.message.text() == f"Không đọc được nhật ký: {rotated}: không tồn tại"

    audit = dialog.audit_tab
    target = tmp_path / "usb-removed" / "nhat-ky.csv"  # the USB stick was pulled out
    audit.export(target)
    qtbot.waitUntil(lambda: "Không thực hiện được" in audit.message.text(), timeout=5000)
    assert audit.message.text() == f"Không thực hiện được: {target}: không tồn tại"

    gone = FileNotFoundError(errno.ENOENT, "No such file or directory", str(target))
    shown = {}
    for key in ("checks", "settings", "maintenance", "profile"):
        tab = dialog.tool_tabs[key]
        tab._failed(gone)
        shown[key] = tab.message.text()
    assert all(text.endswith(f"{target}: không tồn tại") for text in shown.values()), shown
    assert not any("Errno" in text or "No such file" in text for text in shown.values()), shown
    maintenance = dialog.tool_tabs["maintenance"]
    maintenance._failed(TaskCancelled("đã hủy"))  # Hủy: said as such, not as a fault
    assert maintenance.message.text() == "Không thực hiện được: đã hủy"
