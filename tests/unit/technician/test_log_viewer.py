"""Reading and searching logs: the tail of big files, bad bytes, both kinds of log."""

from __future__ import annotations

import threading
from pathlib import Path

from app.technician.log_viewer import LogKind, log_sources, read_log


def test_sources_list_app_and_pos_logs_newest_first(tmp_path: Path) -> None:
    app_logs, pos_logs = tmp_path / "app", tmp_path / "pos"
    app_logs.mkdir()
    pos_logs.mkdir()
    (app_logs / "pmv-support.log").write_text("a\n")
    (app_logs / "pmv-support.log.1").write_text("b\n")
    (app_logs / "notes.txt").write_text("not a log\n")
    older, newer = pos_logs / "pmv-2026-11-28.log", pos_logs / "pmv-2026-11-29.log"
    older.write_text("x\n")
    newer.write_text("y\n")
    import os

    os.utime(older, (1_000_000, 1_000_000))
    sources = log_sources(app_logs, pos_logs)
    assert [s.kind for s in sources] == [LogKind.APP, LogKind.APP, LogKind.POS, LogKind.POS]
    assert [s.path.name for s in sources if s.kind is LogKind.POS] == [newer.name, older.name]
    assert log_sources(app_logs, tmp_path / "missing") == [s for s in sources if s.kind is LogKind.APP]


def test_search_is_case_insensitive_and_knows_levels(tmp_path: Path) -> None:
    log = tmp_path / "pmv.log"
    log.write_text("2026-11-29 08:00 INFO Mở ca\n2026-11-29 08:01 ERROR Không in được hóa đơn 1C26TVG-0000061\n"
                   "2026-11-29 08:02 WARNING máy in hết giấy\n", encoding="utf-8")
    found = read_log(log, "HÓA ĐƠN")
    assert [(line.number, line.level) for line in found.lines] == [(2, "ERROR")]
    assert found.matched == 1 and not found.truncated
    assert [line.level for line in read_log(log).lines] == ["INFO", "ERROR", "WARNING"]


def test_only_the_end_of_a_big_file_is_read_from_a_line_start(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_text("".join(f"line {n:06d} INFO\n" for n in range(100_000)))
    excerpt = read_log(log, max_bytes=64 * 1024)
    assert excerpt.truncated and excerpt.lines[-1].text == "line 099999 INFO"
    assert all(line.text.startswith("line ") and len(line.text) == 16 for line in excerpt.lines)


def test_a_line_in_windows_1258_does_not_hide_the_rest(tmp_path: Path) -> None:
    log = tmp_path / "old.log"
    log.write_bytes("ERROR Lỗi kết nối\n".encode() + "ERROR Máy in\n".encode("cp1258") + b"INFO ok\n")
    lines = read_log(log).lines
    assert [line.text for line in lines] == ["ERROR Lỗi kết nối", "ERROR Máy in", "INFO ok"]


def test_a_cancelled_search_stops_early(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_text("".join(f"{n} INFO\n" for n in range(50_000)))
    cancel = threading.Event()
    cancel.set()
    assert len(read_log(log, cancel=cancel).lines) < 1000
