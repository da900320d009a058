"""Small helpers for read-only tables."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget


def read_only_table(headers: list[str], *, select_rows: bool = False) -> QTableWidget:
    """An empty table with these column headers, no row numbers, that cannot be edited; ``select_rows``: a click
    selects the whole row."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if select_rows:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return table


def fit_table_height(table: QTableWidget) -> None:
    """Make a short table exactly tall enough for its rows (no scroll bar, no blank space)."""
    table.resizeRowsToContents()
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(row) for row in range(table.rowCount()))
    table.setFixedHeight(height)
