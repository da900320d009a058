"""A field named by the label printed beside it, for a screen reader (Narrator, NVDA) as for the eye.

``QFormLayout.addRow("Tiêu đề", holder)`` makes the label the buddy of ``holder``: where the field sits in a
wrapper (an error line under it, a picker button beside it) the field itself is then unnamed, and a combo box is
announced by its value. These tie the label to the field, and give the field the label's words as its accessible
name. The text is translated at the call site, so no new string is made; a language switch builds the window
(and its dialogs) again, and with them the names.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QWidget


def name_by_label(label: QLabel, field: QWidget) -> QLabel:
    """Make ``label`` name ``field``: its buddy, and its text (without a trailing colon) as the field's name."""
    label.setBuddy(field)
    field.setAccessibleName(label.text().strip().removesuffix(":").rstrip())
    return label


def add_labelled_row(form: QFormLayout, text: str, field: QWidget, shown: QWidget | QLayout | None = None) -> QLabel:
    """``form.addRow(text, shown)`` with the row's label naming ``field``.

    ``shown`` is what the row holds when it is not the field alone (the field with its error line, its button).
    """
    label = QLabel(text)
    form.addRow(label, field if shown is None else shown)
    return name_by_label(label, field)
