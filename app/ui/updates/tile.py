"""The overview's regulation-pack tile: light to import (no data layer), so the overview shows it first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.updates.time_texts import effective_text
from app.ui.widgets.tile import Tile
from app.updates.pack_folders import InstalledPack
from pmv_protocol.shop_time import shop_today as shop_today_of

if TYPE_CHECKING:
    from app.ui.updates.state import UpdatesState


class UpdatesTile(Tile):
    """The overview's regulation-pack tile: filled at start-up from the first read (:mod:`app.overview`), then from
    the feature's state once the data layer is up."""

    def __init__(self, state: UpdatesState | None = None, parent: QWidget | None = None, *,
                 shop_today: Callable[[], dt.date] | None = None) -> None:
        """``shop_today``: the shop's date until a state is followed (which then says it)."""
        super().__init__(self.tr("Gói quy định"), parent)
        self.set_content(self.tr("Đang đọc…"))
        self._shop_today = shop_today or (lambda: shop_today_of(dt.datetime.now(dt.UTC)))
        if state is not None:
            self.follow(state)

    def follow(self, state: UpdatesState) -> None:
        """Show each listing the state reads from now on, dated by its clock."""
        self._shop_today = state.shop_today
        state.packs_changed.connect(self.show_packs)

    def show_packs(self, packs: list[InstalledPack]) -> None:
        if not packs:
            self.set_content(self.tr("Chưa có gói quy định nào"), self.tr("Vào mục Cập nhật để kiểm tra."), Level.INFO)
            return
        today = self._shop_today()
        upcoming = [p for p in packs if p.effective_date > today]
        detail = "\n".join(f"• {p.title_vi or p.id}: {effective_text(p.effective_date, today)}" for p in packs[:3])
        self.set_content(tr_args(self.tr("%1 gói đã cài", "", len(packs)), len(packs)), detail,
                         Level.INFO if upcoming else Level.OK)
