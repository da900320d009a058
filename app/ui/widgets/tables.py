"""Small helpers for read-only tables."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidget


def fit_table_height(table: QTableWidget) -> None:
    """Make a short table exactly tall enough for its rows (no scroll bar, no blank space)."""
    table.resizeRowsToContents()
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(row) for row in range(table.rowCount()))
    table.setFixedHeight(height)
