"""Loading Qt translations.

Source strings are Vietnamese (the default language), so Vietnamese needs no
translator and can never show an untranslated string; English comes from
``resources/translations/pmv_support_en.qm`` (built from the ``.ts`` by
``python tools/i18n.py release``, committed so an install needs no Qt tools).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.infra.resources import translations_dir

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
CATALOGUE = "pmv_support"


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
