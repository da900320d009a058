"""FlowLayout: a row of buttons that wraps instead of widening the window (app/ui/widgets/flow.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QGroupBox, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui.widgets.flow import FlowLayout

NAMES = ("Đề nghị gia hạn…", "Tải lại hợp đồng", "Nhập hợp đồng từ tệp…", "Lưu phiếu bảo hành (PDF)…")


def row_of_buttons(qtbot: QtBot, **options: bool) -> tuple[QWidget, FlowLayout, list[QPushButton]]:
    holder = QWidget()
    qtbot.addWidget(holder)
    flow = FlowLayout(holder, spacing=6, **options)
    flow.setContentsMargins(0, 0, 0, 0)
    buttons = [QPushButton(name) for name in NAMES]
    for button in buttons:
        flow.addWidget(button)
    holder.show()
    return holder, flow, buttons


def place(holder: QWidget, flow: FlowLayout, width: int) -> None:
    holder.resize(width, flow.heightForWidth(width))
    QApplication.processEvents()


def total_width(buttons: list[QPushButton]) -> int:
    return sum(b.sizeHint().width() for b in buttons) + 6 * (len(buttons) - 1)


def test_one_line_where_there_is_room(qtbot: QtBot) -> None:
    holder, flow, buttons = row_of_buttons(qtbot)
    place(holder, flow, total_width(buttons) + 10)
    assert len({b.y() for b in buttons}) == 1
    assert [b.width() for b in buttons] == [b.sizeHint().width() for b in buttons]
    assert all(b.x() + b.width() < buttons[i + 1].x() for i, b in enumerate(buttons[:-1]))  # in order, apart
    assert flow.heightForWidth(holder.width()) == max(b.sizeHint().height() for b in buttons)


def test_wraps_when_narrow_and_every_button_stays_inside_whole(qtbot: QtBot) -> None:
    holder, flow, buttons = row_of_buttons(qtbot)
    one_line = flow.heightForWidth(total_width(buttons) + 10)
    width = max(total_width(buttons[:2]), total_width(buttons[2:])) + 2  # room for two per line, not three
    assert width < total_width(buttons[:3])
    place(holder, flow, width)
    assert buttons[0].y() == buttons[1].y() < buttons[2].y() == buttons[3].y()
    assert buttons[2].x() == 0  # a new line starts at the left edge
    assert flow.heightForWidth(width) > one_line
    for button in buttons:
        assert button.x() >= 0 and button.x() + button.width() <= width
        assert button.y() + button.height() <= holder.height()
        assert button.width() == button.sizeHint().width()  # never squeezed: its text is whole


def test_its_minimum_is_the_widest_button_not_all_of_them(qtbot: QtBot) -> None:
    _holder, flow, buttons = row_of_buttons(qtbot)
    assert flow.minimumSize().width() == max(b.minimumSizeHint().width() for b in buttons)
    assert flow.sizeHint().width() == total_width(buttons)


def test_a_hidden_button_takes_no_room(qtbot: QtBot) -> None:
    holder, flow, buttons = row_of_buttons(qtbot)
    place(holder, flow, total_width(buttons) + 10)
    where = buttons[1].x()
    buttons[1].hide()
    place(holder, flow, total_width(buttons) + 10)
    assert buttons[2].x() == where


def test_fill_shares_a_line_and_stacks_panels_when_narrow(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    flow = FlowLayout(holder, spacing=6, fill=True)
    flow.setContentsMargins(0, 0, 0, 0)
    panels = []
    for title, lines in (("Máy quét cổng COM", 2), ("Thử với tờ mã", 4)):
        panel = QGroupBox(title)
        inner = QVBoxLayout(panel)
        for n in range(lines):
            inner.addWidget(QPushButton(f"{title} {n}"))
        flow.addWidget(panel)
        panels.append(panel)
    holder.show()
    wide = sum(p.sizeHint().width() for p in panels) + 100
    place(holder, flow, wide)
    left, right = panels
    assert left.y() == right.y() and left.x() == 0 and right.x() + right.width() == wide  # the whole line
    assert left.height() == right.height()  # side by side, as tall as each other
    narrow = max(p.sizeHint().width() for p in panels) + 10
    place(holder, flow, narrow)
    assert right.y() >= left.y() + left.height()  # one above the other
    assert left.width() == right.width() == narrow  # each the full width
