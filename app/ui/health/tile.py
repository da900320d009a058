"""The overview's verdict tile: light to import (no data layer), so the overview shows it first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.health.model import HealthReport, Status
from app.infra.formatting import format_datetime
from app.ui.health.texts import check_title, level_of, verdict_name
from app.ui.i18n import said, tr_args
from app.ui.levels import Level
from app.ui.widgets.tile import Tile

if TYPE_CHECKING:
    from app.ui.health.state import HealthRun, HealthState

# A summary's length on the tile: about three lines of a half-width tile at 1024×768.  The cash-limit check names
# every customer it found and filled the whole tile; the checks page and its pane keep the whole text.
BRIEF = 110


def brief(text: str, limit: int = BRIEF) -> str:
    """``text`` cut at the last space before ``limit`` characters, with "…" (whole if it fits)."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:–—(") + "…"


class HealthTile(Tile):
    """The overview's verdict tile: this window's latest run, or the newest one recorded (with its time).

    Filled at start-up from the first read (:mod:`app.overview`), then from the feature's state.

    Signals:
        report_shown(object): the :class:`HealthReport` the tile now shows (the overview's price board reads
            its price check).
    """

    report_shown = Signal(object)

    def __init__(self, state: HealthState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Kiểm tra hệ thống"), parent)
        self.set_content(verdict_name(None), self.tr("Đang chờ lần kiểm tra đầu tiên…"), Level.INFO)
        if state is not None:
            self.follow(state)

    def follow(self, state: HealthState) -> None:
        """Show each run the state has from now on: this window's, and newer ones recorded elsewhere."""
        state.finished.connect(self.show_run)
        state.restored.connect(self.show_run)
        if state.latest is not None:
            self.show_run(state.latest)

    def show_run(self, run: HealthRun) -> None:
        self.show_report(run.report, stored=run.stored)

    def show_report(self, report: HealthReport, *, stored: bool) -> None:
        """``stored``: read back from the history (statuses and summaries only), not run by this window."""
        bad = [r for r in report.results if r.status in (Status.CRITICAL, Status.WARNING, Status.UNKNOWN)]
        bad.sort(key=lambda r: -r.status.severity)
        lines = [f"• {check_title(r.check_id, report.titles.get(r.check_id, r.check_id))}: {brief(said(r.summary))}"
                 for r in bad[:3]]
        when = format_datetime(report.finished_at)  # shop time, whatever the PC's zone
        stamp = tr_args(self.tr("Kết quả lần kiểm tra lúc %1") if stored else self.tr("Kiểm tra lúc %1"), when)
        if bad:
            detail = "\n".join([*lines, stamp])
        elif stored:
            detail = self.tr("Mọi mục đều đạt.") + "\n" + stamp
        else:
            detail = tr_args(self.tr("Mọi mục đều đạt (kiểm tra lúc %1)."), when)
        self.set_content(verdict_name(report.verdict), detail, level_of(report.verdict))
        self.report_shown.emit(report)
