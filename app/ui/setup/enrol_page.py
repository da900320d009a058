"""Step 2, Kích hoạt: trade the vendor's enrolment code for the shop token, details and contract.

The code is read locally as it is typed (a wrong character is named by position before anything is
sent; a Vietnamese input method's letters are read back as the keys typed, or the page asks for it to
be turned off); the exchange runs in a worker, one at a time (Enter pressed twice, or the button after
Enter, sends nothing more while the first is on its way: the field is read-only until its answer).  A
shop without Internet types the token the vendor gave and imports the contract file instead, on the
same page.  The token is stored the moment the server answers (a code works once), so going back,
cancelling or restarting the app keeps the enrolment.
"""

from __future__ import annotations

import json
import logging
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app import HOTLINE
from app.infra.formatting import format_date
from app.setup.enrolment import Enrolment, EnrolmentError
from app.setup.environment import SetupEnvironment
from app.setup.finish import SetupChoices, ShopDetails
from app.setup.typed_code import read_typed_code
from app.ui.failure_texts import failure_text, os_failure_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.setup.texts import code_problem_text, enrol_failure_text
from app.ui.tasks import TaskRunner
from app.ui.warranty.texts import contract_problem_text
from app.ui.widgets.message import MessageLabel
from pmv_protocol.contract import Contract, ContractError, verify
from pmv_protocol.coverage import warranty_end
from pmv_protocol.enrolment_codes import LENGTH, CodeProblem, code_characters, display, read_code

log = logging.getLogger(__name__)


class EnrolPage(QWizardPage):
    """Enrol with a code, or with a token and a contract file.

    Signals: completeChanged() (QWizardPage's), when the shop becomes enrolled or stops being.
    """

    def __init__(self, runner: TaskRunner, environment: SetupEnvironment, choices: SetupChoices, code: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.environment, self.choices = runner, environment, choices
        self.setTitle(self.tr("Bước 2/4 · Kích hoạt với nhà cung cấp"))
        self.setSubTitle(self.tr("Nhập mã kích hoạt 10 ký tự mà nhà cung cấp đã gửi. Ứng dụng nhận về mã kết nối "
                                 "của cửa hàng, thông tin cửa hàng và hợp đồng bảo hành."))
        self.code = QLineEdit(code)
        self.code.setPlaceholderText("ABCDE-FGHJK")
        self.code.setMaxLength(20)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(font.pointSize() + 4)
        self.code.setFont(font)
        self.code.textEdited.connect(self._typed)
        self.code.returnPressed.connect(self.enrol)
        self.enrol_button = QPushButton(self.tr("Kích hoạt"))
        self.enrol_button.clicked.connect(self.enrol)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.enrol_button)
        self.message = MessageLabel()
        self.shop_box = QGroupBox(self.tr("Cửa hàng"))
        self.shop_text = QLabel()
        self.shop_text.setWordWrap(True)
        self.other_code = QPushButton(self.tr("Dùng mã khác"))
        self.other_code.clicked.connect(self._forget)
        shop_layout = QVBoxLayout(self.shop_box)
        shop_layout.addWidget(self.shop_text)
        shop_layout.addWidget(self.other_code, 0, Qt.AlignmentFlag.AlignLeft)
        self.shop_box.hide()

        self.offline = QGroupBox(self.tr("Cửa hàng không có Internet: nhập mã cửa hàng và tệp hợp đồng"))
        self.offline.setCheckable(True)
        self.offline.setChecked(False)
        self.offline.toggled.connect(self._offline_toggled)
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.textEdited.connect(self._offline_changed)
        self.contract_button = QPushButton(self.tr("Nhập tệp hợp đồng…"))
        self.contract_button.clicked.connect(self._pick_contract)
        self.contract_label = QLabel()
        self.contract_label.setWordWrap(True)
        self.address = QLineEdit()
        self.phone = QLineEdit()
        offline_form = QFormLayout(self.offline)
        offline_form.addRow(self.tr("Mã kết nối cửa hàng"), self.token)
        offline_form.addRow(self.tr("Hợp đồng"), self.contract_button)
        offline_form.addRow("", self.contract_label)
        offline_form.addRow(self.tr("Địa chỉ"), self.address)
        offline_form.addRow(self.tr("Điện thoại"), self.phone)
        self._offline_widgets = (self.token, self.contract_button, self.contract_label, self.address, self.phone)
        self._offline_toggled(False)

        layout = QVBoxLayout(self)
        label = QLabel(self.tr("Mã kích hoạt"))
        label.setBuddy(self.code)
        layout.addWidget(label)
        layout.addLayout(code_row)
        layout.addWidget(self.message)
        layout.addWidget(self.shop_box)
        layout.addWidget(self.offline)
        layout.addStretch(1)
        self._checked = False
        self._busy = False  # a code is on its way to the server: enrol() does nothing until its answer

    def initializePage(self) -> None:
        if self.choices.enrolment is None and not self._checked:
            self._checked = True  # a kept enrolment (a cancelled setup, an earlier start) is read once, in a worker
            self.runner.run(self.environment.pending.load, on_success=self._kept, context=self)
        self._show()

    def _kept(self, enrolment: Enrolment | None) -> None:
        if enrolment is not None and self.choices.enrolment is None and not self.choices.offline_token:
            self.choices.enrolment = enrolment
            self._show()

    # -- the code --------------------------------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        reading = read_typed_code(text)
        if reading.ok or not text.strip():
            self.message.hide()
        elif reading.problem is CodeProblem.INPUT_METHOD or len(code_characters(text)) >= LENGTH:
            # judge only a whole code while typing, but say at once that the input method is on
            self.message.show_message(code_problem_text(reading), Level.WARNING)

    def enrol(self) -> None:
        if self._busy:  # Enter pressed again, or the button after Enter: the first try's answer decides
            return
        text = self.code.text()
        reading = read_typed_code(text)
        if reading.code is None:
            self.message.show_message(code_problem_text(reading), Level.WARNING)
            return
        if read_code(text).problem is CodeProblem.INPUT_METHOD:  # read back from Unikey's letters: show the code
            self.code.setText(display(reading.code))
            self.message.show_message(tr_args(self.tr("Đã đọc mã là %1 (bộ gõ tiếng Việt đang bật). Đang kích hoạt "
                                                      "với máy chủ của nhà cung cấp…"), display(reading.code)),
                                      Level.INFO)
        else:
            self.message.show_message(self.tr("Đang kích hoạt với máy chủ của nhà cung cấp…"), Level.INFO)
        self._set_busy(True)
        code = reading.code
        self.runner.run(lambda: self.environment.enrol(code), on_success=self._enrolled,
                        on_failure=self._refused, context=self, title=self.tr("Kích hoạt"))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.code.setReadOnly(busy)
        self.enrol_button.setEnabled(not busy and self.choices.enrolment is None)

    def _enrolled(self, enrolment: Enrolment) -> None:
        self._set_busy(False)
        self.choices.enrolment = enrolment
        self.choices.vendor_url = self.environment.vendor_url  # the server that enrolled the shop is its server
        self.choices.offline_token, self.choices.offline_contract = "", None
        self.offline.setChecked(False)
        self.message.show_message(self.tr("Đã kích hoạt. Mã kết nối của cửa hàng đã được lưu an toàn."), Level.OK)
        self._show()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, EnrolmentError):
            self.message.show_message(enrol_failure_text(exc), Level.CRITICAL)
        else:
            self.message.show_message(tr_args(self.tr("Kích hoạt không được: %1"), failure_text(exc)), Level.CRITICAL)

    def _forget(self) -> None:
        self.choices.enrolment = None
        self.code.clear()
        self.message.hide()
        self._show()

    # -- without Internet ------------------------------------------------------------------------------------------

    def _offline_toggled(self, on: bool) -> None:
        for widget in self._offline_widgets:
            widget.setVisible(on)
        if not on:
            self.choices.offline_token, self.choices.offline_contract = "", None
        self._offline_changed()

    def _pick_contract(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(self, self.tr("Chọn tệp hợp đồng"), "",
                                                      self.tr("Hợp đồng (*.json);;Mọi tệp (*)"))
        if chosen:
            self.import_contract(Path(chosen))

    def import_contract(self, path: Path) -> None:
        def read() -> tuple[bytes, Contract]:
            raw = path.read_bytes()
            verified = verify(raw, self.environment.keys(), None)
            return verified.stored_bytes, verified.contract

        self.runner.run(read, on_success=self._contract_read, on_failure=self._contract_refused, context=self)

    def _contract_read(self, result: tuple[bytes, Contract]) -> None:
        raw, contract = result
        self.choices.offline_contract = raw
        self.choices.offline_shop = ShopDetails(contract.shop_id, contract.shop_name)
        self.contract_label.setText(tr_args(self.tr("%1 (%2), bảo hành đến %3"), contract.shop_name,
                                            contract.shop_id, format_date(warranty_end(contract))))
        self._offline_changed()

    def _contract_refused(self, exc: BaseException) -> None:
        self.choices.offline_contract = None
        if isinstance(exc, ContractError):
            reason = contract_problem_text(exc)
        elif isinstance(exc, OSError):
            reason = os_failure_text(exc)
        else:  # a bug: the crash log has it; the page says what to do
            log.error("reading the contract file failed: %r", exc)
            reason = tr_args(self.tr("lỗi không mong muốn; gọi %1."), HOTLINE)
        self.contract_label.setText(tr_args(self.tr("Tệp hợp đồng không dùng được: %1"), reason))
        self._offline_changed()

    def _offline_changed(self) -> None:
        if self.offline.isChecked():
            self.choices.offline_token = self.token.text().strip()
            shop = self.choices.offline_shop
            self.choices.offline_shop = ShopDetails(shop.shop_id, shop.name, self.address.text().strip(),
                                                    self.phone.text().strip())
        self.completeChanged.emit()

    # -- showing ---------------------------------------------------------------------------------------------------

    def _show(self) -> None:
        enrolment = self.choices.enrolment
        self.shop_box.setVisible(enrolment is not None)
        self.code.setEnabled(enrolment is None)
        self.enrol_button.setEnabled(enrolment is None and not self._busy)
        if enrolment is not None:
            lines = [f"<b>{escape(enrolment.name)}</b> ({escape(enrolment.shop_id)})"]
            lines += [escape(text) for text in (enrolment.address, enrolment.phone) if text]
            contract = self._contract_of(enrolment)
            if contract is not None:
                lines.append(tr_args(self.tr("Hợp đồng %1, bảo hành đến %2"), escape(contract.package_code),
                                     format_date(warranty_end(contract))))
            else:
                lines.append(self.tr("Nhà cung cấp chưa cấp hợp đồng; ứng dụng sẽ tự lấy khi có."))
            self.shop_text.setText("<br>".join(lines))
        self.completeChanged.emit()

    def _contract_of(self, enrolment: Enrolment) -> Contract | None:
        if enrolment.contract is None:
            return None
        try:
            return Contract.from_payload(json.loads(enrolment.contract)["payload"])
        except (ContractError, ValueError, KeyError, TypeError):
            return None

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.choices.enrolled

