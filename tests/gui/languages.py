"""The English catalogue installed for a block of a test, and Vietnamese (the default) again after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication

from app.ui.i18n import Translators


@contextmanager
def english_installed(qapp: QApplication) -> Iterator[None]:
    translators = Translators()
    assert translators.install(qapp, "en")
    try:
        yield
    finally:
        translators.install(qapp, "vi")
