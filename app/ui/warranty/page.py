"""Bảo hành & bảo trì: coverage status, timeline, contracts, and the actions around them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QGridLayout, QHeaderView, QLabel, QTableWidgetItem, QWidget

from app import HOTLINE
from app.infra.formatting import format_date
from app.runtime import Runtime
from app.ui.failure_texts import failure_text
from app.ui.fleet.telemetry_box import TelemetryBox
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.tasks import TaskRunner
from app.ui.warranty.state import WarrantyState
from app.ui.warranty.texts import (
    api_failure,
    contract_refusal,
    coverage_includes,
    not_accepted_title,
    status_title,
    tier_name,
    vendor_text,
)
from app.ui.warranty.timeline import CoverageTimeline
from app.ui.widgets.build import STRETCH, page_title, push_button, vbox
from app.ui.widgets.feature_page import FeaturePage
from app.ui.widgets.flow import FlowLayout
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.scroll import set_scrolling_content
from app.ui.widgets.tables import fit_table_height, read_only_table
from app.warranty.cache import WarrantySnapshot
from app.warranty.certificate import write_certificate
from app.warranty.service import RefreshOutcome, RefreshResult
from pmv_protocol.contract import Contract, ContractError
from pmv_protocol.coverage import CoverageStatus

STATUS_COLOURS = {
    CoverageStatus.WARRANTY: "#2e7d32",
    CoverageStatus.MAINTENANCE: "#1565c0",
    CoverageStatus.EXPIRED: "#c62828",
}
NOT_ACCEPTED_COLOUR = "#546e7a"  # being installed: neither covered nor run out


class WarrantyPage(FeaturePage[WarrantyState]):
    """The store manager's view of coverage.

    Signals:
        renewal_requested(str): the user asked to renew maintenance; carries a prefilled request text.
    """

    renewal_requested = Signal(str)

    def __init__(self, runtime: Runtime, runner: TaskRunner, state: WarrantyState,
                 parent: QWidget | None = None) -> None:
        super().__init__(runtime, runner, state, parent)

        heading = page_title(self.tr("Bảo hành & bảo trì"))
        self.status_card = QFrame()
        self.status_card.setObjectName("statusCard")
        self.status_title = QLabel()
        self.status_title.setObjectName("statusTitle")
        self.status_title.setWordWrap(True)  # "Under maintenance – priority customer" at 18 pt on a narrow window
        self.status_detail = QLabel()
        self.status_detail.setWordWrap(True)
        card = vbox(self.status_title, self.status_detail, parent=self.status_card)
        card.setContentsMargins(18, 14, 18, 14)

        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(24)
        self.fact_labels: dict[str, QLabel] = {}
        names = [
            ("number", self.tr("Số hợp đồng")),
            ("vendor", self.tr("Nhà cung cấp")),
            ("package", self.tr("Gói phần mềm")),
            ("accepted", self.tr("Ngày nghiệm thu")),
            ("warranty_end", self.tr("Thời hạn bảo hành")),
            ("maintenance", self.tr("Hợp đồng bảo trì đang hiệu lực")),
            ("priority", self.tr("Khách hàng ưu tiên")),
        ]
        for row, (key, title) in enumerate(names):
            caption = QLabel(title)
            caption.setStyleSheet("color: #555555;")
            value = QLabel("—")
            value.setWordWrap(True)  # a long package or contract name wraps on a narrow window
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addWidget(caption, row, 0)
            self.facts.addWidget(value, row, 1)
            self.fact_labels[key] = value
        self.facts.setColumnStretch(1, 1)

        self.timeline = CoverageTimeline()
        self.contracts = read_only_table([self.tr("Từ ngày"), self.tr("Đến hết ngày"), self.tr("Gói bảo trì")])
        self.contracts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        includes = QLabel("".join(f"<li>{line}</li>" for line in coverage_includes()).join(("<ul>", "</ul>")))
        includes.setTextFormat(Qt.TextFormat.RichText)
        includes.setWordWrap(True)

        # Names that say what each does: "Cập nhật từ máy chủ" read as a software update, "In…" saved a PDF, and
        # "Gia hạn bảo trì" only opens a request asking for it.
        self.refresh_button = push_button(self.tr("Tải lại hợp đồng"), self._refresh)
        self.import_button = push_button(self.tr("Nhập hợp đồng từ tệp…"), self._choose_import)
        self.certificate_button = push_button(self.tr("Lưu phiếu bảo hành (PDF)…"), self._choose_certificate)
        self.renew_button = push_button(self.tr("Đề nghị gia hạn…"), self._renew, style="font-weight: 600;")
        buttons = FlowLayout()  # four buttons do not fit one line at 1024x768 and 125 %: they wrap
        for button in (self.renew_button, self.refresh_button, self.import_button, self.certificate_button):
            buttons.addWidget(button)
        self.message = MessageLabel()
        # What the till tells the vendor: the contract governs it, so it is told here (issue 23).
        self.telemetry = TelemetryBox(runtime, runner)

        content = QWidget()
        layout = vbox(heading, self.status_card, buttons, self.message, self.facts,
                      self._section(self.tr("Thời gian được hỗ trợ")), self.timeline,
                      self._section(self.tr("Các hợp đồng bảo trì")), self.contracts,
                      self._section(self.tr("Bảo hành và bảo trì bao gồm")), includes,
                      self.telemetry, STRETCH, parent=content)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        set_scrolling_content(self, content)

        state.changed.connect(self.show_snapshot)
        state.changed.connect(self.telemetry.contract_changed)  # a new contract may turn telemetry off
        state.refreshed.connect(self._on_refreshed)
        state.imported.connect(self._on_imported)
        state.import_failed.connect(self._on_import_failed)
        state.refresh_failed.connect(self._on_refresh_failed)
        self._set_card(self.tr("Đang đọc hợp đồng…"), "", "#757575")
        if state.snapshot is not None:
            self.show_snapshot(state.snapshot)

    @staticmethod
    def _section(title: str) -> QLabel:
        label = QLabel(title)
        label.setStyleSheet("font-size: 12pt; font-weight: 600; margin-top: 8px;")
        return label

    def _set_card(self, title: str, detail: str, colour: str) -> None:
        self.status_card.setStyleSheet(
            f"QFrame#statusCard {{ background: {colour}; border-radius: 8px; }}"
            "QFrame#statusCard QLabel { color: white; }"
            "QLabel#statusTitle { font-size: 18pt; font-weight: 700; }"
        )
        self.status_title.setText(title)
        self.status_detail.setText(detail)
        self.status_detail.setVisible(bool(detail))

    def show_message(self, text: str, level: Level) -> None:
        self.message.show_message(text, level)

    def show_snapshot(self, snapshot: WarrantySnapshot) -> None:
        contract, coverage = snapshot.contract, snapshot.coverage
        if snapshot.cache_error is not None:
            self.show_message(contract_refusal(snapshot.cache_error), Level.CRITICAL)
        if contract is None or coverage is None:
            self._set_card(
                self.tr("Chưa có hợp đồng"),
                self.tr("Bấm “Tải lại hợp đồng”, hoặc “Nhập hợp đồng từ tệp” nếu máy không có Internet."),
                "#757575",
            )
            self.timeline.set_contract(None, snapshot.today)
            self.contracts.setRowCount(0)
            self.certificate_button.setEnabled(False)
            return
        self.certificate_button.setEnabled(True)
        if coverage.accepted_on_ahead is not None:
            detail = tr_args(self.tr("Bảo hành %1 tháng bắt đầu từ ngày nghiệm thu %2. Trong lúc triển khai, gọi %3 "
                                     "khi cần hỗ trợ."), contract.warranty_months,
                             format_date(coverage.accepted_on_ahead), HOTLINE)
        elif coverage.status is CoverageStatus.EXPIRED:
            detail = tr_args(self.tr("Cửa hàng không còn được bảo hành hay bảo trì. Yêu cầu hỗ trợ chỉ được xử lý khi "
                                     "có thể; hãy gia hạn bảo trì hoặc gọi %1."), HOTLINE)
        else:
            assert coverage.covered_until is not None
            days = coverage.days_left
            detail = tr_args(self.tr("Còn %1 ngày – được hỗ trợ đến hết ngày %2.", "", days), days,
                             format_date(coverage.covered_until))
            if coverage.ending_soon:
                detail += " " + self.tr("Sắp hết hạn: hãy gia hạn bảo trì để không bị gián đoạn hỗ trợ.")
        if coverage.accepted_on_ahead is not None:
            self._set_card(not_accepted_title(), detail, NOT_ACCEPTED_COLOUR)
        else:
            self._set_card(status_title(coverage.status), detail, STATUS_COLOURS[coverage.status])
        facts = self.fact_labels
        # Both came later in the signed contract: an older one says neither, and the page says so.
        facts["number"].setText(contract.contract_number or self.tr("(hợp đồng không ghi)"))
        facts["vendor"].setText(vendor_text(contract))
        facts["package"].setText(contract.package_code)
        facts["accepted"].setText(format_date(contract.accepted_on))
        facts["warranty_end"].setText(
            tr_args(self.tr("%1 tháng, đến hết ngày %2"), contract.warranty_months,
                    format_date(coverage.warranty_ends))
        )
        in_force = coverage.maintenance
        facts["maintenance"].setText(
            tr_args(self.tr("%1 → %2 (%3)"), format_date(in_force.start), format_date(in_force.end),
                    tier_name(in_force.tier))
            if in_force else self.tr("Không có")
        )
        facts["priority"].setText(self.tr("Có") if coverage.priority else self.tr("Không"))
        self.timeline.set_contract(contract, snapshot.today)
        self.contracts.setRowCount(len(contract.maintenance))
        for row, item in enumerate(contract.maintenance):
            for column, text in enumerate((format_date(item.start), format_date(item.end), tier_name(item.tier))):
                self.contracts.setItem(row, column, QTableWidgetItem(text))
        fit_table_height(self.contracts)

    # -- actions -----------------------------------------------------------
    def _refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self._state.refresh(title=self.tr("Đang cập nhật hợp đồng từ máy chủ…"))

    def _on_refreshed(self, result: RefreshResult) -> None:
        self.refresh_button.setEnabled(True)
        if result.outcome is RefreshOutcome.UPDATED:
            self.show_message(self.tr("Đã cập nhật hợp đồng mới từ máy chủ."), Level.OK)
        elif result.outcome is RefreshOutcome.UNCHANGED:
            self.show_message(self.tr("Hợp đồng trên máy đã là bản mới nhất."), Level.OK)
        elif result.outcome is RefreshOutcome.REFUSED and result.contract_error is not None:
            self.show_message(contract_refusal(result.contract_error), Level.CRITICAL)
        elif result.api_error is not None:
            snapshot = self._state.snapshot
            has_contract = snapshot is not None and snapshot.contract is not None
            self.show_message(api_failure(result.api_error, has_contract), Level.WARNING)

    def _choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Chọn tệp hợp đồng"), str(Path.home()), self.tr("Hợp đồng (*.json);;Mọi tệp (*)"))
        if path:
            self.import_contract(Path(path))

    def import_contract(self, path: Path) -> None:
        self._state.import_file(path)

    def _on_imported(self, contract: Contract) -> None:
        self.show_message(tr_args(self.tr("Đã nhập hợp đồng của %1."), contract.shop_name), Level.OK)

    def _on_refresh_failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.show_message(tr_args(self.tr("Không cập nhật được hợp đồng: %1. Hợp đồng đang lưu trên máy vẫn được "
                                          "dùng."), failure_text(error)), Level.WARNING)

    def _on_import_failed(self, error: BaseException) -> None:
        if isinstance(error, ContractError):
            self.show_message(contract_refusal(error), Level.CRITICAL)
        else:
            self.show_message(tr_args(self.tr("Không đọc được tệp: %1. Hãy chọn lại tệp hợp đồng nhà cung cấp gửi."),
                                      failure_text(error)), Level.CRITICAL)

    def _choose_certificate(self) -> None:
        default = Path.home() / f"phieu-bao-hanh-{dt.date.today():%Y%m%d}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu phiếu bảo hành"), str(default), "PDF (*.pdf)")
        if path:
            self.save_certificate(Path(path))

    def save_certificate(self, path: Path) -> None:
        snapshot = self._state.snapshot
        if snapshot is None or snapshot.contract is None:
            return
        contract, shop, today = snapshot.contract, self._runtime.settings.shop, snapshot.today
        # The certificate speaks the interface's language: the translators set the default locale with it.
        language = "en" if QLocale().language() == QLocale.Language.English else "vi"
        self._runner.run(
            lambda: write_certificate(contract, shop, today, path, language),
            on_success=lambda saved: self.show_message(
                tr_args(self.tr("Đã lưu phiếu bảo hành: %1"), saved), Level.OK),
            on_failure=lambda exc: self.show_message(
                tr_args(self.tr("Không lưu được phiếu bảo hành: %1. Hãy chọn nơi khác để lưu."), failure_text(exc)),
                Level.CRITICAL),
            title=self.tr("Đang tạo phiếu bảo hành…"),
            context=self,
        )

    def _renew(self) -> None:
        snapshot = self._state.snapshot
        text = tr_args(self.tr("Đề nghị gia hạn hợp đồng bảo trì cho cửa hàng %1."),
                       self._runtime.settings.shop.name)
        if snapshot is not None and snapshot.coverage is not None and snapshot.coverage.covered_until:
            text += " " + tr_args(self.tr("Hiện được hỗ trợ đến hết ngày %1."),
                                  format_date(snapshot.coverage.covered_until))
        self.renewal_requested.emit(text)
