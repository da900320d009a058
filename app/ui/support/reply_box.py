"""The reply box under a request's timeline: who writes, the words, the files chosen, and "Gửi".

What the cashier types and chooses is a draft of the request it was typed on: picking another request puts it
aside and shows that request's own (so nothing is lost, and nothing is sent on the wrong request), and only
saving the message it became clears it.  The words are the thread view's (``translate("ThreadView", …)``: they
were its own before the box was a module of its own, and keep their translations).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget

from app.ui.i18n import tr_args, translate
from app.ui.widgets.build import hbox, push_button, vbox
from app.ui.widgets.flow import FlowLayout
from app.ui.widgets.labelled import name_by_label
from pmv_protocol.thread import MESSAGE_FILES_MAX


@dataclass(frozen=True)
class Draft:
    """A reply as typed (``text`` unstripped) with the files chosen for it."""

    text: str = ""
    files: tuple[Path, ...] = ()

    def same_as(self, other: Draft) -> bool:
        return self.text.strip() == other.text.strip() and self.files == other.files

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.files


class ReplyBox(QWidget):
    """The author's name, the message, its files (each with "Bỏ tệp") and "Gửi", one draft per request.

    Signals:
        send_requested(): the cashier pressed "Gửi" (the view checks and saves :meth:`draft`).
    """

    send_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._drafts: dict[str, Draft] = {}  # the requests not shown, by id
        self._shown: str | None = None  # whose draft the boxes hold
        self._files: tuple[Path, ...] = ()

        self.author = QLineEdit()
        self.author.setPlaceholderText(translate("ThreadView", "Người gửi"))
        self.author.setMaximumWidth(170)
        # A visible label: the placeholder alone left a lone name box once it was filled in.
        self.author_label = QLabel(translate("ThreadView", "Người gửi:"))
        name_by_label(self.author_label, self.author)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(translate("ThreadView",
                                               "Nhắn cho bộ phận hỗ trợ: trả lời câu hỏi, báo thêm thông tin…"))
        # The box has no label: its prompt is its name (the prompt is gone from the screen once text is typed).
        self.text.setAccessibleName(self.text.placeholderText())
        self.text.setFixedHeight(64)
        self.text.setTabChangesFocus(True)  # Tab goes on to Gửi: it typed a tab into the message to the vendor
        self.attach_button = push_button(translate("ThreadView", "Đính kèm tệp…"), self._pick_files)
        self.send_button = push_button(translate("ThreadView", "Gửi"), self.send_requested,
                                       style="font-weight: 600; padding: 4px 16px;")

        # The files chosen, each with its own "Bỏ tệp": a file gone from the disk (a USB stick pulled out) can be
        # taken off, and the message sent without it.  Wrapped onto more lines when there are many.
        self.file_row = QWidget()
        self._file_layout = FlowLayout(self.file_row)
        self._file_layout.setContentsMargins(0, 0, 0, 0)
        self._remove_buttons: list[QPushButton] = []
        self.file_row.hide()

        side = vbox(hbox(self.author_label, self.author), self.attach_button)  # two rows: the timeline keeps room
        layout = vbox(self.file_row, hbox(side, (self.text, 1), self.send_button), parent=self)
        layout.setContentsMargins(0, 0, 0, 0)

    # -- the draft on screen -----------------------------------------------------------------------
    def draft(self) -> Draft:
        return Draft(self.text.toPlainText(), self._files)

    def files(self) -> tuple[Path, ...]:
        return self._files

    def add_files(self, paths: list[Path]) -> None:
        added = [path for path in paths if path not in self._files]
        self._set_files((*self._files, *added)[:MESSAGE_FILES_MAX])

    def remove_file(self, path: Path) -> None:
        self._set_files(tuple(file for file in self._files if file != path))

    def remove_buttons(self) -> list[QPushButton]:
        """Each chosen file's "Bỏ tệp", in the files' order."""
        return list(self._remove_buttons)

    def set_writable(self, can_write: bool, can_send: bool, placeholder: str) -> None:
        for widget in (self.text, self.author, self.attach_button, self.file_row):
            widget.setEnabled(can_write)
        self.send_button.setEnabled(can_write and can_send)
        self.text.setPlaceholderText(placeholder)

    # -- one draft per request -----------------------------------------------------------------------
    def show_for(self, request_id: str | None) -> None:
        """Put the shown request's draft aside and show ``request_id``'s (empty if it has none)."""
        if request_id == self._shown:
            return
        if self._shown is not None:
            self._keep(self._shown, self.draft())
        self._shown = request_id
        draft = self._drafts.pop(request_id, Draft()) if request_id is not None else Draft()
        self.text.setPlainText(draft.text)
        self._set_files(draft.files)

    def sent(self, request_id: str, sent: Draft) -> None:
        """The message made of ``sent`` is saved: that request's draft goes, unless it was changed since."""
        if request_id == self._shown:
            if self.draft().same_as(sent):
                self.text.clear()
                self._set_files(())
        elif self._drafts.get(request_id, Draft()).same_as(sent):
            self._drafts.pop(request_id, None)

    def drop_files_named(self, request_id: str, name: str) -> list[Path]:
        """Take the files called ``name`` off ``request_id``'s draft (they cannot be read); the ones taken off."""
        draft = self.draft() if request_id == self._shown else self._drafts.get(request_id, Draft())
        dropped = [path for path in draft.files if path.name == name]
        kept = tuple(path for path in draft.files if path.name != name)
        if request_id == self._shown:
            self._set_files(kept)
        else:
            self._keep(request_id, Draft(draft.text, kept))
        return dropped

    def _keep(self, request_id: str, draft: Draft) -> None:
        if draft.empty:
            self._drafts.pop(request_id, None)
        else:
            self._drafts[request_id] = draft

    # -- the files' row ---------------------------------------------------------------------------------
    def _pick_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, translate("ThreadView", "Chọn tệp gửi kèm"))
        self.add_files([Path(p) for p in paths])

    def _set_files(self, files: tuple[Path, ...]) -> None:
        self._files = files
        while (item := self._file_layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.hide()
                widget.deleteLater()  # later: a chip's own "Bỏ tệp" may be the click being handled
        self._remove_buttons = []
        if files:
            self._file_layout.addWidget(QLabel(translate("ThreadView", "Gửi kèm:")))
        for path in files:
            self._file_layout.addWidget(self._chip(path))
        self.file_row.setVisible(bool(files))

    def _chip(self, path: Path) -> QFrame:
        chip = QFrame()
        chip.setObjectName("fileChip")
        chip.setStyleSheet("QFrame#fileChip { background: #f3f3f3; border: 1px solid #c8c8c8; border-radius: 3px; }")
        name = QLabel(path.name)
        name.setToolTip(str(path))  # where it was chosen from: the folder tells two files of one name apart
        remove = QPushButton(translate("ThreadView", "Bỏ tệp"))
        self._remove_buttons.append(remove)
        # Which file, for a screen reader: five buttons all read "Bỏ tệp" said nothing.
        remove.setAccessibleName(tr_args(translate("ThreadView", "Bỏ tệp %1"), path.name))
        remove.clicked.connect(lambda _checked=False, p=path: self.remove_file(p))
        row = hbox(name, remove, parent=chip)
        row.setContentsMargins(6, 1, 1, 1)
        return chip
