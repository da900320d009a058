"""Tổng quan: the shop's dashboard.

Each feature has one tile here; the page's level is the worst tile's, and
the tray icon follows it.  Everything read from disk is read in a worker.

The page and its tiles load no data layer: at start-up the window builds it
from the first read (:mod:`app.overview`) before the data layer has loaded,
then :meth:`OverviewPage.follow` hands it to the features' states, whose reads
replace each value with the same one (issue 24).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, HOTLINE, __version__
from app.health.model import CheckResult, HealthReport, Status
from app.infra.formatting import format_datetime, group_thousands
from app.overview.facts import ACTIVITY_SHOWN, OverviewFacts, PosRead, ShopCard
from app.shop.pos_reader import PosSummary, read_summary, read_summary_at
from app.storage.records import ActivityEntry
from app.ui.health.texts import level_of
from app.ui.health.tile import HealthTile, brief
from app.ui.i18n import said, tr_args
from app.ui.levels import Level
from app.ui.pages.texts import activity_text
from app.ui.support.tile import SupportTile
from app.ui.updates.tile import UpdatesTile
from app.ui.warranty.tile import WarrantyTile
from app.ui.widgets.scroll import set_scrolling_content
from app.ui.widgets.tables import fit_table_height, read_only_table
from app.ui.widgets.tile import Tile
from pmv_protocol.shop_time import SHOP_TZ, shop_today

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.ui.health.state import HealthState
    from app.ui.support.state import SupportState
    from app.ui.tasks import TaskRunner
    from app.ui.updates.state import UpdatesState
    from app.ui.warranty.state import WarrantyState

log = logging.getLogger(__name__)
PRICE_CHECK = "prices.fresh"  # the check whose verdict colours the price board's tile


class OverviewPage(QWidget):
    """The dashboard.

    Signals:
        level_changed(object): the worst tile level changed.
        filled(): the tiles hold what the first reads found (the database's, the POS's, the contract's);
            once per page.  Logged as "overview filled": the start-up benchmark's mark.
    """

    level_changed = Signal(object)
    filled = Signal()

    def __init__(self, shop: ShopCard, *, clock: Callable[[], dt.datetime], parent: QWidget | None = None) -> None:
        """``clock``: now (aware), for today's date and the deadlines; the runtime's once it is followed."""
        super().__init__(parent)
        self._runtime: Runtime | None = None
        self._runner: TaskRunner | None = None
        self._clock = clock
        self.tiles: list[Tile] = []
        self.level = Level.OK
        self.is_filled = False

        self.greeting = QLabel(shop.name)
        self.greeting.setObjectName("pageTitle")
        self.today_label = QLabel()

        self.shop_tile = Tile(self.tr("Cửa hàng"))
        details = [line for line in (shop.address, shop.phone) if line]
        if shop.shop_id:
            details.append(tr_args(self.tr("Mã cửa hàng: %1"), shop.shop_id))
        self.shop_tile.set_content(shop.name, "\n".join(details))

        self.hotline_tile = Tile(self.tr("Đường dây nóng 24/7"))
        self.hotline_tile.set_content(
            HOTLINE, self.tr("Luôn có kỹ thuật viên trực, kể cả cuối tuần và ngày lễ."), Level.INFO
        )

        self.version_tile = Tile(self.tr("Phiên bản"))
        self.version_tile.set_content(f"{APP_NAME} {__version__}", self.tr("Phần mềm vàng PMV: đang đọc…"))

        self.board_tile = Tile(self.tr("Bảng giá vàng (₫/chỉ)"))
        self.board_table = read_only_table([self.tr("Loại vàng"), self.tr("Mua vào"), self.tr("Bán ra")])
        self.board_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.board_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.board_tile.body.addWidget(self.board_table)
        self.board_tile.set_content(self.tr("Đang đọc…"))

        self.activity_tile = Tile(self.tr("Hoạt động gần đây"))
        self.activity_tile.set_content("", "")
        self.activity_list = QLabel()
        self.activity_list.setWordWrap(True)
        self.activity_tile.body.addWidget(self.activity_list)

        self.feature_grid = QGridLayout()
        self.feature_grid.setSpacing(12)
        for column in (0, 1):  # two equal columns, whatever one tile's text asks for
            self.feature_grid.setColumnStretch(column, 1)
        self.health_tile = HealthTile()
        self._board_updated: dt.datetime | None = None  # the board's newest price, shop time
        self._prices_check: tuple[dt.datetime, CheckResult] | None = None  # (run at, result) the tile shows
        self.health_tile.report_shown.connect(self._prices_checked)
        self.support_tile = SupportTile(clock=lambda: self._clock())
        self.warranty_tile = WarrantyTile()
        self.updates_tile = UpdatesTile(shop_today=lambda: shop_today(self._clock()))
        for tile in (self.health_tile, self.support_tile, self.warranty_tile, self.updates_tile):
            self.add_feature_tile(tile)
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(self.shop_tile, 0, 0)
        grid.addWidget(self.hotline_tile, 0, 1)
        grid.addWidget(self.version_tile, 1, 0)
        grid.addWidget(self.activity_tile, 1, 1)
        grid.addWidget(self.board_tile, 2, 0, 1, 2)
        # Only tiles that report on the shop's state count toward its level (and the
        # tray colour); the shop, hotline, version and activity tiles just inform.
        self.add_tile(self.board_tile)

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.addWidget(self.greeting)
        inner.addWidget(self.today_label)
        inner.addSpacing(8)
        inner.addLayout(self.feature_grid)
        inner.addSpacing(12)
        inner.addLayout(grid)
        inner.addStretch(1)
        set_scrolling_content(self, content)

    def mark_filled(self) -> None:
        if self.is_filled:
            return
        self.is_filled = True
        log.info("overview filled")
        self.filled.emit()

    def add_feature_tile(self, tile: Tile) -> None:
        """A feature's status tile, in the top rows (two per row)."""
        count = self.feature_grid.count()
        self.feature_grid.addWidget(tile, count // 2, count % 2)
        self.add_tile(tile)

    def add_tile(self, tile: Tile) -> None:
        """Features register their tile here so the page (and tray) see its level."""
        self.tiles.append(tile)
        tile.level_changed.connect(lambda _level: self._update_level())
        self._update_level()

    def _update_level(self) -> None:
        level = max((tile.level for tile in self.tiles), default=Level.OK)
        if level != self.level:
            self.level = level
            self.level_changed.emit(level)

    # -- what to show ------------------------------------------------------
    def show_first_read(self, facts: OverviewFacts) -> None:
        """Every tile from the first read (before the data layer has loaded); filled if it read them all."""
        self._show_today(facts.today)
        if facts.health is not None:  # else the tile's own "not checked yet" is the value
            self.health_tile.show_report(facts.health, stored=True)
        self.support_tile.show_first_read(facts.requests, facts.unread)
        self.warranty_tile.show_snapshot(facts.warranty)
        self.updates_tile.show_packs(facts.packs)
        self._show_activity(facts.activity)
        if facts.pos is not None:
            self._show_pos_read(facts.pos)
        if facts.complete:
            self.mark_filled()

    def follow(self, runtime: Runtime, runner: TaskRunner, *, health: HealthState, support: SupportState,
               warranty: WarrantyState, updates: UpdatesState) -> None:
        """From now on the tiles show what the features' states read, and :meth:`refresh` reads the rest."""
        self._runtime, self._runner, self._clock = runtime, runner, runtime.clock
        self.health_tile.follow(health)
        self.support_tile.follow(support)
        self.warranty_tile.follow(warranty)
        self.updates_tile.follow(updates)

    # -- background refresh ----------------------------------------------
    def refresh(self) -> None:
        runtime, runner = self._runtime, self._runner
        assert runtime is not None and runner is not None, "refresh() follows the runtime (follow())"
        self._show_today(shop_today(runtime.clock()))  # the shop's date, not the PC's (its zone may be anything)
        pos = runtime.settings.pos
        if pos.url:
            url = pos.url
            runner.run(lambda: read_summary_at(url), on_success=self._show_pos, on_failure=self._show_pos_url_error,
                       context=self)
        elif pos.database is None:
            self._show_no_pos()
        else:
            database = pos.database
            runner.run(lambda: read_summary(database), on_success=self._show_pos, on_failure=self._show_pos_error,
                       context=self)
        runner.run(lambda: runtime.activity.recent(ACTIVITY_SHOWN), on_success=self._show_activity,
                   on_failure=lambda exc: self.activity_list.setText(str(exc)), context=self)

    def _show_today(self, day: dt.date) -> None:
        today = QLocale().toString(QDate(day.year, day.month, day.day), "dddd, dd/MM/yyyy")
        self.today_label.setText(tr_args(self.tr("Hôm nay: %1"), today))

    def _show_pos_read(self, read: PosRead) -> None:
        if read.summary is not None:
            self._show_pos(read.summary)
        elif read.error is not None:
            self._show_pos_error(read.error)
        else:
            self._show_no_pos()

    def _show_no_pos(self) -> None:
        message = self.tr("Chưa cấu hình")
        detail = self.tr("Chưa khai báo cơ sở dữ liệu của phần mềm vàng PMV trong tệp cấu hình.")
        self.board_tile.set_content(message, detail, Level.WARNING)
        self.version_tile.detail_label.setText(self.tr("Phần mềm vàng PMV: chưa cấu hình"))

    def _show_pos_error(self, exc: BaseException) -> None:
        # The driver's message (English) goes to the log; the tile says where the cause and its fix are shown.
        log.warning("overview: POS database unreadable: %s", exc)
        self._show_pos_unreadable(self.tr("Không đọc được cơ sở dữ liệu PMV. Bấm “Kiểm tra ngay” ở mục Kiểm tra hệ "
                                          "thống để xem nguyên nhân và cách khắc phục."))

    def _show_pos_url_error(self, exc: BaseException) -> None:
        """A pos.url that cannot be used as written: the Kiểm tra hệ thống page says what to write instead."""
        from app.shop.pos_url import PosUrlError  # imports SQLAlchemy: loaded already, this follows the features

        if not isinstance(exc, PosUrlError):
            self._show_pos_error(exc)
            return
        self._show_pos_unreadable(tr_args(self.tr(
            "Chuỗi kết nối tới dữ liệu PMV (pos.url trong tệp cấu hình) chưa dùng được. Mục Kiểm tra hệ thống ghi rõ "
            "cần sửa gì; cần giúp hãy gọi %1."), HOTLINE))

    def _show_pos_unreadable(self, detail: str) -> None:
        self.board_tile.set_content(self.tr("Không đọc được"), detail, Level.WARNING)
        self.version_tile.detail_label.setText(self.tr("Phần mềm vàng PMV: không rõ"))

    def _show_pos(self, summary: PosSummary) -> None:
        version = summary.version or self.tr("không rõ")
        self.version_tile.detail_label.setText(tr_args(self.tr("Phần mềm vàng PMV: %1"), version))
        self.board_table.setRowCount(len(summary.board))
        latest = ""
        for row, price in enumerate(summary.board):
            latest = max(latest, price.updated_at)
            cells = [price.purity_name, group_thousands(price.buy_vnd_per_chi), group_thousands(price.sell_vnd_per_chi)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.board_table.setItem(row, column, item)
        fit_table_height(self.board_table)
        if latest:
            moment = dt.datetime.fromisoformat(latest)
            self._board_updated = moment.replace(tzinfo=SHOP_TZ) if moment.tzinfo is None else moment  # POS: shop time
            self._show_board_level()
        else:
            self._board_updated = None
            self.board_tile.set_content(self.tr("Chưa có giá"), "", Level.WARNING)

    def _prices_checked(self, report: HealthReport) -> None:
        """The price check of the run the health tile shows: the board tile's colour and why."""
        self._prices_check = next(((report.finished_at, result) for result in report.results
                                   if result.check_id == PRICE_CHECK), None)
        self._show_board_level()

    def _show_board_level(self) -> None:
        # Green only by the price check's measure: a board days old said "Cập nhật lúc …" in green. A board
        # updated after that check ran is judged anew at the next check.
        if self._board_updated is None:
            return
        stamp = tr_args(self.tr("Cập nhật lúc %1"), format_datetime(self._board_updated))
        level, detail = Level.OK, ""
        if self._prices_check is not None:
            checked_at, result = self._prices_check
            if checked_at >= self._board_updated and result.status in (Status.WARNING, Status.CRITICAL):
                level, detail = level_of(result.status), brief(said(result.summary))
        self.board_tile.set_content(stamp, detail, level)

    def _show_activity(self, entries: list[ActivityEntry]) -> None:
        if not entries:
            self.activity_list.setText(self.tr("Chưa có hoạt động nào."))
            return
        lines = []
        for entry in entries:
            when = format_datetime(entry.at)  # shop time, whatever the PC's zone
            lines.append(f"{when} – {activity_text(entry)}")
        self.activity_list.setText("\n".join(lines))
