"""The overview's coverage tile, and its level: light to import (no data layer), so the overview shows it first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app import HOTLINE
from app.infra.formatting import format_date
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.warranty.texts import not_accepted_title, status_title
from app.ui.widgets.tile import Tile
from app.warranty.cache import WarrantySnapshot
from pmv_protocol.coverage import CoverageStatus

if TYPE_CHECKING:
    from app.ui.warranty.state import WarrantyState


def level_of(snapshot: WarrantySnapshot) -> Level:
    coverage = snapshot.coverage
    if coverage is None:
        return Level.WARNING
    if coverage.accepted_on_ahead is not None:  # being installed: nothing has run out
        return Level.OK
    if coverage.status is CoverageStatus.EXPIRED:
        return Level.CRITICAL
    return Level.WARNING if coverage.ending_soon else Level.OK


class WarrantyTile(Tile):
    """The overview's coverage tile: filled at start-up from the first read (:mod:`app.overview`), then from the
    feature's state once the data layer is up."""

    def __init__(self, state: WarrantyState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Bảo hành & bảo trì"), parent)
        self.set_content(self.tr("Đang đọc…"))
        if state is not None:
            self.follow(state)

    def follow(self, state: WarrantyState) -> None:
        """Show each snapshot the state reads from now on."""
        state.changed.connect(self.show_snapshot)

    def show_snapshot(self, snapshot: WarrantySnapshot) -> None:
        coverage = snapshot.coverage
        if coverage is None:
            self.set_content(self.tr("Chưa có hợp đồng"), self.tr("Vào mục Bảo hành & bảo trì để cập nhật."),
                             level_of(snapshot))
            return
        if coverage.accepted_on_ahead is not None:
            self.set_content(not_accepted_title(), tr_args(self.tr("Bảo hành từ ngày %1"),
                                                           format_date(coverage.accepted_on_ahead)), Level.OK)
            return
        if coverage.status is CoverageStatus.EXPIRED:
            detail = tr_args(self.tr("Gọi %1 hoặc gia hạn bảo trì."), HOTLINE)
        else:
            assert coverage.covered_until is not None
            detail = tr_args(self.tr("Còn %1 ngày (đến hết %2)", "", coverage.days_left), coverage.days_left,
                             format_date(coverage.covered_until))
        self.set_content(status_title(coverage.status), detail, level_of(snapshot))
