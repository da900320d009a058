"""The app-update box on the Cập nhật page, fed with the real status files the helper writes."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.ui.updates.app_panel import AppUpdatePanel
from app.updates.app_install import AppInstall, InstallKind
from app.updates.app_swap import AppSwapper, SwapTiming, app_update_status
from tests.unit.updates.app_fakes import CRASHES, staged_side_by_side

FAST = SwapTiming(exit_timeout=5, start_timeout=3, poll=0.02)


def staged(tmp_path: Path, behaviour: str = "good") -> tuple[Path, AppInstall]:
    data = tmp_path / "data"
    return data, staged_side_by_side(tmp_path, data, behaviour)[1]


def test_a_waiting_version_is_named_and_the_restart_button_asks_for_it(qtbot: QtBot, tmp_path: Path) -> None:
    data, install = staged(tmp_path)
    panel = AppUpdatePanel("08:00-20:00")
    qtbot.addWidget(panel)
    panel.show_status(app_update_status(data, install, "0.1.0"))
    assert "Đang dùng bản 0.1.0" == panel.version.text()
    assert "Bản 0.2.0 đã tải về" in panel.state.text() and "08:00-20:00" in panel.state.text()
    assert panel.restart_button.isVisibleTo(panel)
    with qtbot.waitSignal(panel.restart_requested, timeout=1000):
        panel.restart_button.click()
    assert not panel.restart_button.isEnabled()  # one click, one hand-over


def test_a_rolled_back_version_is_explained(qtbot: QtBot, tmp_path: Path) -> None:
    data, install = staged(tmp_path, CRASHES)
    AppSwapper(data, timing=FAST).apply(wait_pid=None)
    panel = AppUpdatePanel("08:00-20:00")
    qtbot.addWidget(panel)
    panel.show_status(app_update_status(data, install, "0.1.0"))
    assert not panel.restart_button.isVisibleTo(panel)
    assert "Bản 0.2.0 không chạy được" in panel.last.text() and "bản mới tắt ngay khi mở" in panel.last.text()
    assert "quay về bản 0.1.0" in panel.last.text()


def test_an_unmanaged_copy_says_how_it_is_updated(qtbot: QtBot, tmp_path: Path) -> None:
    panel = AppUpdatePanel("08:00-20:00")
    qtbot.addWidget(panel)
    panel.show_status(app_update_status(tmp_path, AppInstall(InstallKind.UNMANAGED), "0.1.0"))
    # Said in the shop's words (who updates it, the hotline), not how it was installed.
    assert "kỹ thuật viên của nhà cung cấp" in panel.state.text() and "1900 6037" in panel.state.text()
    assert "pip" not in panel.state.text() and "mã nguồn" not in panel.state.text()
    assert not panel.restart_button.isVisibleTo(panel)


def test_an_update_given_up_after_a_dead_helper_is_explained(qtbot: QtBot, tmp_path: Path) -> None:
    from app.updates.app_swap import MAX_HANDOVERS, may_hand_over

    data, install = staged(tmp_path)
    for _ in range(MAX_HANDOVERS + 1):
        may_hand_over(data, "0.2.0")
    panel = AppUpdatePanel("08:00-20:00")
    qtbot.addWidget(panel)
    panel.show_status(app_update_status(data, install, "0.1.0"))
    assert not panel.restart_button.isVisibleTo(panel)
    assert "Bản 0.2.0 không cài được" in panel.last.text()


def test_a_refused_app_package_is_explained_and_the_running_version_kept(qtbot: QtBot, tmp_path: Path) -> None:
    import io
    import zipfile

    from app.updates.app_install import StageError, read_pointer, stage_update

    data, install = staged(tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escape/pmv-support", "#!/bin/sh\n")
    bad = tmp_path / "pmv-support-0.3.0.zip"
    bad.write_bytes(buffer.getvalue())
    panel = AppUpdatePanel("08:00-20:00")
    qtbot.addWidget(panel)
    try:
        stage_update(install, bad, "0.3.0", data)
    except StageError as exc:
        panel.show_stage_error(exc)
    assert "không an toàn" in panel.last.text() and "không cài" in panel.last.text()
    assert read_pointer(install.root).version == "0.1.0"  # type: ignore[arg-type,union-attr]


def test_a_pointer_not_as_written_is_explained_and_nothing_switched(qtbot: QtBot, tmp_path: Path) -> None:
    data, install = staged(tmp_path)
    assert install.root is not None
    (install.root / "current").write_bytes(b"0.1.0\nprevious \nprevious 0.0.9\n")  # a line given twice
    AppSwapper(data, timing=FAST).apply(wait_pid=None)
    panel = AppUpdatePanel("08:00-20:00")
    qtbot.addWidget(panel)
    panel.show_status(app_update_status(data, install, "0.1.0"))
    assert "Chưa cài bản 0.2.0" in panel.last.text() and "không đổi gì" in panel.last.text()
    assert "phần mềm chưa đóng hẳn" not in panel.last.text()


def test_a_database_that_could_not_be_copied_aside_leaves_the_update_waiting(qtbot: QtBot, tmp_path: Path) -> None:
    """Nothing was switched, so the version still waits (its button stays) and the shop is told to free the disk;
    tests/unit/updates/test_app_swap.py makes the disk full for real, here the copy cannot take its place."""
    import sqlite3

    from app.updates.app_swap import database_snapshot

    data, install = staged(tmp_path)
    sqlite3.connect(data / "pmv-support.sqlite3").close()
    (database_snapshot(data) / "kept").mkdir(parents=True)  # a folder where the copy goes: it cannot replace it
    AppSwapper(data, timing=FAST).apply(wait_pid=None)
    panel = AppUpdatePanel("08:00-20:00")
    qtbot.addWidget(panel)
    panel.show_status(app_update_status(data, install, "0.1.0"))
    assert "Chưa cài được bản 0.2.0: không sao lưu được dữ liệu" in panel.last.text()
    assert "ổ đĩa" in panel.last.text() and "phần mềm chưa đóng hẳn" not in panel.last.text()
    assert "Bản 0.2.0 đã tải về" in panel.state.text() and panel.restart_button.isVisibleTo(panel)
