"""Loading Qt translations, and filling the values into a translated text.

Source strings are Vietnamese (the default language), so Vietnamese needs no
translator and can never show an untranslated string; English comes from
``resources/translations/pmv_support_en.qm`` (built from the ``.ts`` by
``python tools/i18n.py release``, committed so an install needs no Qt tools).

Words for codes live in each feature's ``texts.py``; they call
:func:`translate` with a literal context and source (that is what lupdate
reads), and :func:`tr_args` fills in the values.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.infra.resources import translations_dir

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
CATALOGUE = "pmv_support"

# For the texts modules: ``translate("Context", "literal")``; lupdate reads the calls by this name.  The words are
# looked up when it is called, so they follow the language installed at that moment.
translate = QCoreApplication.translate

_MARKER = re.compile(r"%(\d{1,2})")  # Qt's %1 … %99


def tr_args(text: str, *args: object) -> str:
    """``text`` (already translated) with its %1, %2 … replaced by ``args`` in order, in one pass.

    One pass, so a value that itself holds "%2" (a path, a mistyped settings key, a technician's
    name) is never filled in again, as a chain of ``.replace("%1", …).replace("%2", …)`` would do.
    A marker with no value given stays as written, and so does a "%" not followed by a digit
    ("100%.").
    """
    values = [str(arg) for arg in args]

    def value(match: re.Match[str]) -> str:
        index = int(match[1]) - 1
        return values[index] if 0 <= index < len(values) else match[0]

    return _MARKER.sub(value, text)


class Translators:
    """Holds the installed translators so a language switch can replace them."""

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = "vi"

    def install(self, app: QCoreApplication, language: str) -> bool:
        """Switch to ``language``; returns False (and stays Vietnamese) if its file is missing."""
        for translator in self._installed:
            app.removeTranslator(translator)
        self._installed.clear()
        self.language = "vi"
        QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
        if language == "vi":
            return True
        own = QTranslator()
        if not own.load(f"{CATALOGUE}_{language}", str(translations_dir())):
            log.error("translation %s_%s.qm not found in %s", CATALOGUE, language, translations_dir())
            return False
        app.installTranslator(own)
        self._installed.append(own)
        qt = QTranslator()
        if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
            self._installed.append(qt)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        self.language = language
        return True
