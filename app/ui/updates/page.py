"""Cập nhật: regulation packs (what each changes and when it takes effect) and app updates."""

from __future__ import annotations

import datetime as dt
import html
import logging
import random

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.background.agent import BackgroundAgent
from app.infra.formatting import format_date, format_datetime, format_vnd
from app.runtime import Runtime
from app.updates.install import InstalledPack, PackStore
from pmv_protocol.packs import ChangeKind, RegulationPack, diff
from app import HOTLINE, __version__
from app.updates.app_swap import app_update_status
from app.updates.service import LAST_SUCCESS_KEY, NotConfigured, Updater, UpdateRun
from app.ui.updates.app_panel import AppUpdatePanel
from app.updates.targets import UpdateError, UpdateErrorKind
from app.ui.levels import Level
from app.ui.tasks import TaskRunner
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.tile import Tile

log = logging.getLogger(__name__)

JOB_ID = "updates.run"


class UpdatesState(QObject):
    """Installed packs and the last update run.

    Signals:
        packs_changed(object): the list of :class:`InstalledPack`.
        app_status_changed(object): an :class:`AppUpdateStatus` (running, waiting, last switch).
        ran(object): an :class:`UpdateRun` (on demand or scheduled).
        failed(object): an exception that stopped a run (e.g. no trusted root).
        restart_requested(): hand over to the waiting app version now (the Application does it).
    """

    packs_changed = Signal(object)
    app_status_changed = Signal(object)
    ran = Signal(object)
    failed = Signal(object)
    restart_requested = Signal()

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner
        self.updater = Updater(runtime)
        self.packs: list[InstalledPack] = []
        self.app_status = None
        self.ran.connect(self._after_run)

    def shop_today(self) -> dt.date:
        return self._runtime.shop_today()

    def load(self) -> None:
        self._runner.run(self._runtime.pack_store.installed, on_success=self._set_packs,
                         on_failure=lambda exc: log.error("packs: %s", exc))
        self._runner.run(lambda: app_update_status(self._runtime.paths.data_dir, self.updater.app_install,
                                                   __version__),
                         on_success=self._set_app_status, on_failure=lambda exc: log.error("app update: %s", exc))

    def _set_app_status(self, status: object) -> None:
        self.app_status = status
        self.app_status_changed.emit(status)

    def _set_packs(self, packs: list[InstalledPack]) -> None:
        self.packs = packs
        self.packs_changed.emit(packs)

    @Slot(object)
    def _after_run(self, _run: UpdateRun) -> None:
        self.load()

    def run_now(self, title: str = "") -> None:
        self._runner.run_job(lambda cancel, progress: self.updater.run(cancel, progress),
                             on_success=self.ran.emit, on_failure=self.failed.emit, title=title, cancellable=True)

    def rollback(self, pack_id: str) -> None:
        self._runner.run(lambda: self.updater.rollback(pack_id), on_success=lambda _r: self.load(),
                         on_failure=self.failed.emit)

    def register(self, agent: BackgroundAgent) -> None:
        hours = self._runtime.settings.updates.interval_hours
        # Jitter: thousands of shops must not hit the update server in the same minute.
        interval = dt.timedelta(hours=hours) + dt.timedelta(minutes=random.uniform(0, 30))
        # The first run soon after start (packs must be in place by their date), later ones every few hours.
        agent.every(JOB_ID, interval, self._scheduled, first_after=dt.timedelta(seconds=random.uniform(20, 120)))

    def _scheduled(self) -> None:  # an agent thread
        try:
            self.ran.emit(self.updater.run())
        except NotConfigured as exc:
            log.info("updates not configured: %s", exc)
        except Exception:
            log.exception("scheduled update failed")


def effective_text(day: dt.date, today: dt.date) -> str:
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    if day > today:
        return translate("UpdateTexts", "có hiệu lực từ %1 (còn %2 ngày)").replace("%1", format_date(day)).replace(
            "%2", str((day - today).days))
    return translate("UpdateTexts", "đã có hiệu lực từ %1").replace("%1", format_date(day))


def error_text(kind: UpdateErrorKind) -> str:
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    return {
        UpdateErrorKind.SECURITY: translate(
            "UpdateTexts", "Bản cập nhật không có chữ ký hợp lệ của nhà cung cấp (có thể đã bị sửa hoặc máy chủ bị "
            "giả mạo): không cài gì, giữ nguyên bản đang dùng. Hãy gọi 1900 6037."),
        UpdateErrorKind.NETWORK: translate("UpdateTexts", "Không tải được bản cập nhật (mạng); sẽ tự thử lại sau."),
        UpdateErrorKind.TOO_LARGE: translate("UpdateTexts", "Máy chủ gửi dữ liệu lớn hơn bản đã ký: đã dừng, không cài."),
        UpdateErrorKind.HASH_MISMATCH: translate("UpdateTexts", "Tệp tải về không khớp bản đã ký: không cài."),
        UpdateErrorKind.CANCELLED: translate("UpdateTexts", "Đã dừng; phần đã tải được giữ để tải tiếp."),
        UpdateErrorKind.BUSY: translate("UpdateTexts", "Đang có một lần cập nhật khác chạy."),
        UpdateErrorKind.STORAGE: translate("UpdateTexts", "Không ghi được vào ổ đĩa (đầy hoặc không có quyền)."),
    }[kind]


def _cash_limit_text(rule: object) -> str:
    """The Decree 232 rule as the pack states it: threshold, what counts, what qualifies as a bank account."""
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    methods = {
        "bank_transfer": translate("UpdateTexts", "chuyển khoản"),
        "cash": translate("UpdateTexts", "tiền mặt"),
        "card": translate("UpdateTexts", "thẻ"),
        "e_wallet": translate("UpdateTexts", "ví điện tử"),
        "voucher": translate("UpdateTexts", "phiếu quà tặng"),
    }
    kinds = set(rule.counted_kinds)  # type: ignore[attr-defined]
    if kinds == {"sell", "buy"}:
        counted = translate("UpdateTexts", "bán ra và mua vào cộng lại")
    elif kinds == {"sell"}:
        counted = translate("UpdateTexts", "chỉ tính bán ra")
    else:
        counted = translate("UpdateTexts", "chỉ tính mua vào")
    text = (translate("UpdateTexts", "Từ %1 mỗi khách mỗi ngày (%2) phải trả qua tài khoản ngân hàng (được tính: %3)")
            if rule.inclusive  # type: ignore[attr-defined]
            else translate("UpdateTexts", "Trên %1 mỗi khách mỗi ngày (%2) phải trả qua tài khoản ngân hàng (được tính: %3)"))
    qualifying = ", ".join(methods.get(m, m) for m in rule.bank_account_methods)  # type: ignore[attr-defined]
    return text.replace("%1", format_vnd(rule.amount_vnd)).replace("%2", counted).replace(  # type: ignore[attr-defined]
        "%3", qualifying)


def rule_text(rule: object) -> str:
    """One line per typed rule, in the interface language."""
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    kind = getattr(rule, "kind", "")
    if kind == "cash_limit_per_customer_per_day":
        return _cash_limit_text(rule)
    if kind == "vat_rate":
        return translate("UpdateTexts", "Thuế GTGT %1% cho %2").replace("%1", str(rule.percent)).replace(  # type: ignore[attr-defined]
            "%2", str(rule.applies_to))  # type: ignore[attr-defined]
    if kind == "reporting_threshold":
        return translate("UpdateTexts", "Báo cáo từ %1: %2").replace("%1", format_vnd(rule.amount_vnd)).replace(  # type: ignore[attr-defined]
            "%2", str(rule.what))  # type: ignore[attr-defined]
    if kind == "label_required_fields":
        return translate("UpdateTexts", "Tem phải ghi: %1").replace("%1", ", ".join(map(str, rule.fields)))  # type: ignore[attr-defined]
    if kind == "invoice_required_fields":
        return translate("UpdateTexts", "Hóa đơn phải có: %1").replace("%1", ", ".join(map(str, rule.fields)))  # type: ignore[attr-defined]
    return str(kind)


def what_changed(store: PackStore, pack_id: str, previous_version: str, current: RegulationPack) -> list[str]:
    """'What changed' against the previous version, one line per rule added, removed or changed."""
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    old = store.pack_at(pack_id, previous_version)
    if old is None:
        return []
    lines = []
    for change in diff(old, current):
        if change.change is ChangeKind.ADDED:
            lines.append(translate("UpdateTexts", "Thêm quy tắc %1").replace("%1", change.kind))
        elif change.change is ChangeKind.REMOVED:
            lines.append(translate("UpdateTexts", "Bỏ quy tắc %1").replace("%1", change.kind))
        else:
            fields = ", ".join(f"{name}: {change.before.get(name)} → {change.after.get(name)}"  # type: ignore[union-attr]
                               for name in change.changed_fields)
            lines.append(translate("UpdateTexts", "Đổi %1 (%2)").replace("%1", change.kind).replace("%2", fields))
    return lines


class UpdatesPage(QWidget):
    """The manager's view of regulation packs."""

    def __init__(self, runtime: Runtime, state: UpdatesState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._state = state
        heading = QLabel(self.tr("Cập nhật quy định và phần mềm"))
        heading.setObjectName("pageTitle")
        intro = QLabel(self.tr("Các gói quy định kinh doanh vàng do nhà cung cấp ký số, được tự động tải và cài "
                               "trước ngày có hiệu lực."))
        intro.setWordWrap(True)
        self.check_button = QPushButton(self.tr("Kiểm tra cập nhật"))
        self.check_button.clicked.connect(self.check_now)
        self.rollback_button = QPushButton(self.tr("Quay lại bản trước"))
        self.rollback_button.clicked.connect(self._rollback_selected)
        self.last = QLabel()
        self.last.setWordWrap(True)  # beside the buttons on a narrow (819 px) window
        self.message = MessageLabel()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Gói quy định"), self.tr("Phiên bản"), self.tr("Hiệu lực"),
                                              self.tr("Bản trước")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.detail = QTextBrowser()
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.rollback_button)
        buttons.addWidget(self.last, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail, 1)
        self.app_panel = AppUpdatePanel(runtime.settings.health.trading_hours)
        self.app_panel.restart_requested.connect(state.restart_requested)
        layout.addWidget(self.app_panel)
        state.app_status_changed.connect(self.app_panel.show_status)
        if state.app_status is not None:
            self.app_panel.show_status(state.app_status)
        state.packs_changed.connect(self.show_packs)
        state.ran.connect(self.show_run)
        state.failed.connect(self._on_failed)
        self.show_packs(state.packs)

    def check_now(self) -> None:
        self.check_button.setEnabled(False)
        self._state.run_now(title=self.tr("Đang kiểm tra cập nhật…"))

    def show_packs(self, packs: list[InstalledPack]) -> None:
        today = self._runtime.shop_today()
        self.table.setRowCount(len(packs))
        for row, pack in enumerate(packs):
            cells = [pack.title_vi or pack.id, pack.version, effective_text(pack.effective_date, today),
                     pack.previous_version or "—"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(256, pack.id)
                self.table.setItem(row, column, item)
        if not packs:
            self._show_hint(self._detail_hint(packs))
        if packs and not self.table.selectedItems():
            self.table.selectRow(0)
        last = self._runtime.state.get(LAST_SUCCESS_KEY)
        self.last.setText(self.tr("Lần kiểm tra thành công gần nhất: %1").replace(
            "%1", format_datetime(dt.datetime.fromisoformat(last))) if last else "")  # shop time

    def _show_hint(self, text: str) -> None:
        # In the pane itself, wrapped and grey: a QTextEdit placeholder is drawn on one line, cut at the edge.
        self.detail.setHtml(f'<p style="color: #6b6b6b;">{html.escape(text)}</p>')

    def _detail_hint(self, packs: list[InstalledPack]) -> str:
        """What the detail pane says while it shows no pack (an empty pane reads as a fault)."""
        if not packs:
            return self.tr("Chưa có gói quy định nào trên máy này. Bấm “Kiểm tra cập nhật” để tải các gói "
                           "do nhà cung cấp ký; gói mới cũng được tự động tải và cài trước ngày có hiệu lực.")
        return self.tr("Chọn một gói quy định trong bảng phía trên để xem nội dung thay đổi và ngày có hiệu lực.")

    def _selected(self) -> InstalledPack | None:
        items = self.table.selectedItems()
        pack_id = items[0].data(256) if items else None
        return next((p for p in self._state.packs if p.id == pack_id), None)

    def _show_selected(self) -> None:
        pack = self._selected()
        if pack is None:
            self._show_hint(self._detail_hint(self._state.packs))
            return
        current = self._runtime.pack_store.current(pack.id)
        if current is None:  # never the previous pack's text under this one's name
            self._show_hint(self.tr("Không đọc được nội dung gói này trên máy; bấm “Kiểm tra cập nhật” để tải lại."))
            return
        rules = "".join(f"<li>{html.escape(rule_text(rule))}</li>" for rule in current.rules)
        changes_html = ""
        if pack.previous_version:
            changes = what_changed(self._runtime.pack_store, pack.id, pack.previous_version, current)
            heading = self.tr("Thay đổi so với bản %1").replace("%1", pack.previous_version)
            lines = changes or [self.tr("Không thay đổi quy tắc nào")]
            items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
            changes_html = f"<h4>{html.escape(heading)}</h4><ul>{items}</ul>"
        self.detail.setHtml(f"<h3>{html.escape(current.title_vi)}</h3><p><i>{html.escape(current.legal_reference)}"
                            f"</i></p><p>{html.escape(current.summary_vi)}</p><ul>{rules}</ul>{changes_html}")

    def show_run(self, run: UpdateRun) -> None:
        self.check_button.setEnabled(True)
        if run.error is not None:
            level = Level.CRITICAL if run.error.kind is UpdateErrorKind.SECURITY else Level.WARNING
            self.message.show_message(error_text(run.error.kind), level)
        elif run.installed:
            names = ", ".join(f"{r.pack_id} {r.version}" for r in run.installed if not r.unchanged)
            self.message.show_message(self.tr("Đã cài gói quy định: %1").replace("%1", names or "—"), Level.OK)
        elif run.app_staged is not None:
            self.message.show_message(self.tr("Bản phần mềm %1 đã sẵn sàng để cài.").replace(
                "%1", run.app_staged.version), Level.INFO)
        else:
            self.message.show_message(self.tr("Đã cập nhật đầy đủ: không có gói mới."), Level.OK)
        if run.app_stage_error is not None:
            self.app_panel.show_stage_error(run.app_stage_error)

    def _on_failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        if isinstance(exc, NotConfigured):
            self.message.show_message(self.tr("Máy này chưa nhận được cập nhật tự động: thiếu khóa xác thực của nhà "
                                              "cung cấp (đi kèm bộ cài). Gọi %1 để kỹ thuật viên cài lại; phần mềm "
                                              "và các gói quy định hiện có vẫn dùng bình thường.")
                                      .replace("%1", HOTLINE), Level.WARNING)
        elif isinstance(exc, UpdateError):
            # The kind, said once and in words; the technical detail is in the log (tuf_client logs it).
            level = Level.CRITICAL if exc.kind is UpdateErrorKind.SECURITY else Level.WARNING
            self.message.show_message(error_text(exc.kind), level)
        else:
            log.error("update run failed: %s", exc)
            self.message.show_message(self.tr("Không kiểm tra được cập nhật do lỗi không mong muốn; không cài gì, "
                                              "phần mềm và các gói quy định vẫn như trước. Gọi %1 nếu lỗi lặp lại.")
                                      .replace("%1", HOTLINE), Level.WARNING)

    def _rollback_selected(self) -> None:
        pack = self._selected()
        if pack is not None and pack.previous_version:
            self._state.rollback(pack.id)


class UpdatesTile(Tile):
    """The overview's regulation-pack tile."""

    def __init__(self, state: UpdatesState, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Gói quy định"), parent)
        self.set_content(self.tr("Đang đọc…"))
        self._shop_today = state.shop_today
        state.packs_changed.connect(self.show_packs)

    def show_packs(self, packs: list[InstalledPack]) -> None:
        if not packs:
            self.set_content(self.tr("Chưa có gói quy định nào"), self.tr("Vào mục Cập nhật để kiểm tra."), Level.INFO)
            return
        today = self._shop_today()
        upcoming = [p for p in packs if p.effective_date > today]
        detail = "\n".join(f"• {p.title_vi or p.id}: {effective_text(p.effective_date, today)}" for p in packs[:3])
        self.set_content(self.tr("%1 gói đã cài").replace("%1", str(len(packs))), detail,
                         Level.INFO if upcoming else Level.OK)
