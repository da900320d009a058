"""A bar from acceptance through the warranty and each maintenance year to today."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.infra.formatting import format_date
from app.ui.i18n import tr_args
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import warranty_end

WARRANTY_COLOUR = QColor("#2e7d32")
MAINTENANCE_COLOURS = (QColor("#1565c0"), QColor("#1e88e5"))
GAP_COLOUR = QColor("#e57373")
TODAY_COLOUR = QColor("#c9a227")


class CoverageTimeline(QWidget):
    """Paints the contract's periods to scale, with a marker for today."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._contract: Contract | None = None
        self._today = dt.date.today()
        self.setMinimumHeight(96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(600, 96)

    def set_contract(self, contract: Contract | None, today: dt.date) -> None:
        self._contract = contract
        self._today = today
        self.update()

    def segments(self) -> list[tuple[dt.date, dt.date, str]]:
        """(start, end, kind) with kind 'warranty', 'maintenance' or 'gap', in date order."""
        contract = self._contract
        if contract is None:
            return []
        parts = [(contract.accepted_on, warranty_end(contract), "warranty")]
        parts += [(m.start, m.end, "maintenance") for m in contract.maintenance]
        parts.sort()
        with_gaps: list[tuple[dt.date, dt.date, str]] = []
        covered_to = parts[0][0] - dt.timedelta(days=1)
        for start, end, kind in parts:
            if start > covered_to + dt.timedelta(days=1):
                with_gaps.append((covered_to + dt.timedelta(days=1), start - dt.timedelta(days=1), "gap"))
            with_gaps.append((start, end, kind))
            covered_to = max(covered_to, end)
        if self._today > covered_to:
            with_gaps.append((covered_to + dt.timedelta(days=1), self._today, "gap"))
        return with_gaps

    def _span(self, segments: list[tuple[dt.date, dt.date, str]]) -> tuple[dt.date, dt.date]:
        """The bar's first and last day: today inside it (before acceptance, while the shop is being installed)."""
        return min(segments[0][0], self._today), max(max(end for _, end, _ in segments), self._today)

    def date_labels(self, font: QFont) -> list[tuple[QRectF, str]]:
        """Where each date under the bar is written: each segment's first day, then the last day at the right.

        A date that would cross one already placed goes to the row below, or is left out where both are taken
        (a short gap between two contracts): the table under the bar lists every date.
        """
        segments = self.segments()
        if not segments:
            return []
        first, last = self._span(segments)
        span = max(1, (last - first).days + 1)
        left, right, rows = 8.0, self.width() - 8.0, (54.0, 70.0)
        metrics = QFontMetricsF(font)

        def box(x: float, row: float, text: str) -> QRectF:
            return QRectF(x, row, metrics.horizontalAdvance(text) + 6, 16)

        end_text = format_date(last)
        end_box = box(0, rows[1], end_text)
        end_box.moveRight(right)
        placed: list[tuple[QRectF, str]] = []
        for start, _end, _kind in segments:
            text = format_date(start)
            x = left + (right - left) * (start - first).days / span
            taken = [other for other, _ in placed] + [end_box]
            for row in rows:
                candidate = box(x, row, text)
                if candidate.right() > right:  # a short last stretch: its date ends at the edge, not past it
                    candidate.moveRight(right)
                if not any(candidate.intersects(other) for other in taken):
                    placed.append((candidate, text))
                    break
        return [*placed, (end_box, end_text)]

    def paintEvent(self, _event: QPaintEvent) -> None:
        segments = self.segments()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        painter.setFont(small)
        if not segments:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Chưa có hợp đồng"))
            return
        first, last = self._span(segments)
        span = max(1, (last - first).days + 1)
        left, right, top, height = 8.0, self.width() - 8.0, 30.0, 22.0

        def x_of(day: dt.date) -> float:
            return left + (right - left) * (day - first).days / span

        maintenance_index = 0
        for start, end, kind in segments:
            rect = QRectF(x_of(start), top, max(2.0, x_of(end + dt.timedelta(days=1)) - x_of(start)), height)
            if kind == "warranty":
                colour, label = WARRANTY_COLOUR, self.tr("Bảo hành")
            elif kind == "maintenance":
                colour = MAINTENANCE_COLOURS[maintenance_index % 2]
                maintenance_index += 1
                label = self.tr("Bảo trì")
            else:
                colour, label = GAP_COLOUR, self.tr("Không được hỗ trợ")
            painter.fillRect(rect, colour)
            painter.setPen(QPen(QColor("#ffffff")))
            if rect.width() > 60:
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        painter.setPen(QPen(QColor("#333333")))
        for place, text in self.date_labels(small):
            painter.drawText(place, Qt.AlignmentFlag.AlignLeft, text)
        today_x = x_of(self._today) + (x_of(self._today + dt.timedelta(days=1)) - x_of(self._today)) / 2
        painter.setPen(QPen(TODAY_COLOUR, 3))
        painter.drawLine(int(today_x), int(top - 6), int(today_x), int(top + height + 4))
        painter.setPen(QPen(QColor("#1a1a1a")))
        label_rect = QRectF(today_x - 60, 4, 120, 18)
        label_rect.moveLeft(min(max(label_rect.left(), left), right - label_rect.width()))
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignCenter,
                         tr_args(self.tr("Hôm nay %1"), format_date(self._today)))
        painter.end()
