"""The small dialogs of a request's conversation: a reason (refusal, another time, reopening) and a rating."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.widgets.labelled import name_by_label
from pmv_protocol.thread import REASON_MAX


def error_line(text: str) -> QLabel:
    """Why the act the dialog asked for failed last time, above the question (hidden when it did not)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {Level.CRITICAL.color.name()};")
    label.setVisible(bool(text))
    return label


class ReasonDialog(QDialog):
    """Asks for a short text the act needs (why the fix did not work, which time suits, what came back).

    The OK button stays off until there is text; the text is capped at the server's limit.  Asked again after
    the act failed, it opens with what was typed (``reason``) and why it failed (``error``); ``refused``: the
    request's state does not allow the act any more, so OK stays off (the words are there to keep or copy).
    """

    def __init__(self, title: str, prompt: str, placeholder: str, ok_label: str, author: str,
                 parent: QWidget | None = None, *, reason: str = "", error: str = "", refused: bool = False) -> None:
        super().__init__(parent)
        self.refused = refused
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.error = error_line(error)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.text = QPlainTextEdit(reason)
        self.text.setPlaceholderText(placeholder)
        self.text.setFixedHeight(110)
        self.text.setTabChangesFocus(True)  # Tab goes on to the name: it typed a tab into the reason sent
        name_by_label(label, self.text)  # the question above the box is what it answers
        self.author = QLineEdit(author)
        self.author.setPlaceholderText(self.tr("Tên người trả lời"))
        self.count = QLabel()
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_label)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Hủy"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        author_row = QHBoxLayout()
        author_row.addWidget(name_by_label(QLabel(self.tr("Người trả lời:")), self.author))
        author_row.addWidget(self.author, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(self.count)
        layout.addLayout(author_row)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._check)
        self.author.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        text = self.text.toPlainText()
        if len(text) > REASON_MAX:
            self.text.setPlainText(text[:REASON_MAX])
            return
        self.count.setText(f"{len(text)}/{REASON_MAX}")
        ready = bool(text.strip()) and bool(self.author.text().strip()) and not self.refused
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def author_name(self) -> str:
        return self.author.text().strip()


class RatingDialog(QDialog):
    """1–5 stars and an optional comment; "Bỏ qua" skips (the app then does not ask again).  Asked again after the
    rating failed, it opens with the stars and the comment given (``stars``, ``comment``) and why (``error``);
    ``refused``: the request cannot be rated now, so "Gửi đánh giá" stays off."""

    def __init__(self, ticket: str, author: str, parent: QWidget | None = None, *, stars: int = 0,
                 comment: str = "", error: str = "", refused: bool = False) -> None:
        super().__init__(parent)
        self.refused = refused
        self.setWindowTitle(self.tr("Đánh giá hỗ trợ"))
        self.setMinimumWidth(440)
        self.skipped = False
        self.error = error_line(error)
        intro = QLabel(tr_args(self.tr("Yêu cầu %1 đã được giải quyết. Cửa hàng hài lòng với hỗ trợ đến mức "
                                       "nào?"), ticket))
        intro.setWordWrap(True)
        self.stars: list[QToolButton] = []
        row = QHBoxLayout()
        for value in range(1, 6):
            button = QToolButton()
            button.setText("☆")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setStyleSheet("QToolButton { font-size: 26pt; color: #c9a227; border: none; }")
            button.setToolTip(tr_args(self.tr("%1 sao", "", value), value))
            button.setAccessibleName(button.toolTip())  # read as "4 sao", not as the star character
            button.clicked.connect(lambda _checked=False, v=value: self.set_stars(v))
            self.stars.append(button)
            row.addWidget(button)
        row.addStretch(1)
        self.value = 0
        self.comment = QPlainTextEdit(comment)
        self.comment.setPlaceholderText(self.tr("Góp ý thêm (không bắt buộc)"))
        # The box has no label: its prompt is its name (the prompt is gone from the screen once text is typed).
        self.comment.setAccessibleName(self.comment.placeholderText())
        self.comment.setFixedHeight(80)
        self.comment.setTabChangesFocus(True)  # Tab goes on to the name: it typed a tab into the comment sent
        self.author = QLineEdit(author)
        self.author.setPlaceholderText(self.tr("Tên người đánh giá"))
        self.buttons = QDialogButtonBox()
        self.send = self.buttons.addButton(self.tr("Gửi đánh giá"), QDialogButtonBox.ButtonRole.AcceptRole)
        skip = self.buttons.addButton(self.tr("Bỏ qua"), QDialogButtonBox.ButtonRole.RejectRole)
        skip.clicked.connect(self._skip)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.comment)
        author_row = QHBoxLayout()
        author_row.addWidget(name_by_label(QLabel(self.tr("Người đánh giá:")), self.author))
        author_row.addWidget(self.author, 1)
        layout.addLayout(author_row)
        layout.addWidget(self.buttons)
        self.author.textChanged.connect(lambda _text: self._check())
        self.set_stars(stars)  # none yet, or the ones given when asked again

    def set_stars(self, value: int) -> None:
        self.value = value
        for index, button in enumerate(self.stars, start=1):
            button.setText("★" if index <= value else "☆")
            button.setChecked(index <= value)
        self._check()

    def _check(self) -> None:
        self.send.setEnabled(self.value > 0 and bool(self.author.text().strip()) and not self.refused)

    def _skip(self) -> None:
        self.skipped = True

    def comment_text(self) -> str:
        return self.comment.toPlainText().strip()[:REASON_MAX]

    def author_name(self) -> str:
        return self.author.text().strip()
