"""A row of buttons that wraps onto a second line when the window is narrow.

A ``QHBoxLayout`` of four or five buttons needs the width of all of them, so
on a 1024×768 till at 125 % it either pushes the window past the screen's edge
or (inside a scroll area) hides the last buttons to the right. This layout
puts as many items on a line as fit and carries the rest to the next line; its
minimum width is that of its widest item. After Qt's FlowLayout example.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping to new lines; the height follows the width (height-for-width).

    ``fill=True``: the items of each line share its whole width (in proportion to what they ask for), so two
    panels stand side by side on a wide window and one above the other on a narrow one.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = -1, *, fill: bool = False) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._fill = fill
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)  # nested in another layout, like QHBoxLayout

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        # All on one line, as wide as that is: what the row asks for when there is room.
        width, height = 0, 0
        shown = [item for item in self._items if not item.isEmpty()]
        for index, item in enumerate(shown):
            hint = item.sizeHint()
            width += hint.width() + (self._gap(item, Qt.Orientation.Horizontal) if index else 0)
            height = max(height, hint.height())
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _gap(self, item: QLayoutItem, orientation: Qt.Orientation) -> int:
        if self._spacing >= 0:
            return self._spacing
        widget = item.widget()
        style = widget.style() if widget is not None else None
        if style is None:
            return 6
        gap = style.layoutSpacing(QSizePolicy.ControlType.PushButton, QSizePolicy.ControlType.PushButton,
                                  orientation)
        if gap < 0:
            metric = QStyle.PixelMetric.PM_LayoutHorizontalSpacing if orientation is Qt.Orientation.Horizontal \
                else QStyle.PixelMetric.PM_LayoutVerticalSpacing
            gap = style.pixelMetric(metric)
        return max(gap, 6)

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in ``rect`` (or only measure, ``move=False``); returns the height used.

        Items on one line are centred on it vertically, so a spin box beside buttons lines up with them.
        """
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        lines: list[list[tuple[QLayoutItem, int, int]]] = [[]]  # (item, x, width) per line
        x = area.x()
        for item in self._items:
            if item.isEmpty():
                continue  # a hidden button takes no room
            width = min(item.sizeHint().expandedTo(item.minimumSize()).width(), max(area.width(), 0))
            if lines[-1] and x + width > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append((item, x, width))
            x += width + self._gap(item, Qt.Orientation.Horizontal)
        if self._fill:
            lines = [self._filled(line, area) for line in lines]
        y = area.y()
        for number, line in enumerate(lines):
            if not line:
                continue
            if number:
                y += self._gap(line[0][0], Qt.Orientation.Vertical)
            height = max(self._height(item, width) for item, _x, width in line)
            if move:
                for item, left, width in line:
                    # Filled lines are panels: each as tall as the line; otherwise centred (a spin box by buttons).
                    own = height if self._fill else self._height(item, width)
                    item.setGeometry(QRect(QPoint(left, y + (height - own) // 2), QSize(width, own)))
            y += height
        return y - rect.y() + margins.bottom()

    @staticmethod
    def _height(item: QLayoutItem, width: int) -> int:
        """The height ``item`` wants at ``width`` (a panel holding wrapped text or a flow grows as it narrows)."""
        height = item.sizeHint().expandedTo(item.minimumSize()).height()
        if item.hasHeightForWidth():
            height = max(height, item.heightForWidth(width))
        return height

    def _filled(self, line: list[tuple[QLayoutItem, int, int]], area: QRect) -> list[tuple[QLayoutItem, int, int]]:
        """``line`` widened to ``area``'s width, each item in proportion to its own width."""
        if not line:
            return line
        gaps = sum(self._gap(item, Qt.Orientation.Horizontal) for item, _x, _w in line[1:])
        room = max(area.width() - gaps, 0)
        asked = sum(width for _item, _x, width in line) or 1
        filled, x, given = [], area.x(), 0
        for index, (item, _x, width) in enumerate(line):
            share = room - given if index == len(line) - 1 else room * width // asked
            filled.append((item, x, share))
            given += share
            x += share + self._gap(item, Qt.Orientation.Horizontal)
        return filled
