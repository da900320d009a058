"""Shows exactly what the diagnostics bundle will send; parts can be unticked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QWidget

from app.support.bundle import BundlePart
from app.ui.support.texts import bundle_part_label
from app.ui.widgets.build import STRETCH, hbox, push_button, vbox
from app.ui.widgets.screen_fit import fit_to_screen


class BundlePreviewDialog(QDialog):
    """Xem trước thông tin chẩn đoán."""

    def __init__(self, parts: list[BundlePart], included: set[str] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Thông tin chẩn đoán sẽ gửi"))
        fit_to_screen(self, 820, 520)
        self._parts = parts
        self.list = QListWidget()
        for part in parts:
            item = QListWidgetItem(bundle_part_label(part))
            item.setData(Qt.ItemDataRole.UserRole, part.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if included is None or part.key in included
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.list.currentRowChanged.connect(
            lambda row: self.text.setPlainText(self._parts[row].text if row >= 0 else ""))
        self.list.setCurrentRow(0)
        intro = QLabel(self.tr("Đây đúng là nội dung sẽ gửi cho kỹ thuật viên. Bỏ chọn phần nào bạn không muốn gửi. "
                               "Số CCCD, số điện thoại khác, email và mật khẩu đã được che."))
        intro.setWordWrap(True)
        ok = push_button(self.tr("Gửi các phần đã chọn"), self.accept, default=True)  # "Đồng ý" said nothing
        cancel = push_button(self.tr("Hủy"), self.reject)
        body = hbox((self.list, 2), (self.text, 3))
        buttons = hbox(STRETCH, cancel, ok)
        vbox(intro, (body, 1), buttons, parent=self)

    def included(self) -> set[str]:
        return {
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        }
