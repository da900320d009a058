"""Loading Qt translations, and filling the values into a translated text.

Source strings are Vietnamese (the default language), so Vietnamese needs no
translator and can never show an untranslated string; English comes from
``resources/translations/pmv_support_en.qm`` (built from the ``.ts`` by
``python tools/i18n.py release``, committed so an install needs no Qt tools).

Words for codes live in each feature's ``texts.py``; they call
:func:`translate` with a literal context and source (that is what lupdate
reads), and :func:`tr_args` fills in the values.  A plain table of words for
codes is a :class:`Words`: its source texts marked with
:func:`QT_TRANSLATE_NOOP`, translated when one is looked up.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping
from typing import Generic, NamedTuple, TypeVar

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.infra.phrase import Number, Phrase, fill_markers
from app.infra.resources import translations_dir

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
CATALOGUE = "pmv_support"

# For the texts modules: ``translate("Context", "literal")``; lupdate reads the calls by this name.  The words are
# looked up when it is called, so they follow the language installed at that moment.
translate = QCoreApplication.translate

K = TypeVar("K", bound=Hashable)


def tr_args(text: str, *args: object) -> str:
    """``text`` (already translated) with its %1, %2 … replaced by ``args`` in order, in one pass.

    One pass, so a value that itself holds "%2" (a path, a mistyped settings key, a technician's
    name) is never filled in again, as a chain of ``.replace("%1", …).replace("%2", …)`` would do.
    A marker with no value given stays as written, and so does a "%" not followed by a digit
    ("100%.").
    """
    return fill_markers(text, [str(arg) for arg in args])


def said(text: str) -> str:
    """What the core said (:class:`~app.infra.phrase.Phrase`), in the language installed now.

    A plain ``str`` is said as it is: a name, a path, or text the core could not keep as a phrase (an
    older version's stored result, a concatenation).  A number takes the locale's decimal sign.
    """
    if isinstance(text, Phrase):
        words = translate(text.context, text.source, text.disambiguation)
        return fill_markers(words, [said(arg) for arg in text.args])
    if isinstance(text, Number):
        return text.written(QLocale().decimalPoint())
    return str(text)


class Source(NamedTuple):
    """A source text and the context it is translated in, kept to be translated later."""

    context: str
    text: str


def QT_TRANSLATE_NOOP(context: str, text: str) -> Source:  # lupdate reads the calls by this name
    """Marks ``text`` for lupdate under ``context`` without translating it; it is translated when looked up.

    Qt's own returns the bare text; this one keeps the context with it, so a :class:`Words` table cannot look a
    text up in a context other than the one lupdate filed it under.
    """
    return Source(context, text)


class Words(Generic[K]):
    """The words for a set of codes: ``name(code)`` is the text for ``code`` in the language installed now.

    ``table`` holds the Vietnamese source texts, each marked ``QT_TRANSLATE_NOOP("Context", "…")`` so lupdate
    finds it; the translation is looked up on every call, never frozen at import.  Values given after the code
    fill the text's %1, %2 … (:func:`tr_args`); a text without markers takes none, so one table can hold both.
    """

    def __init__(self, table: Mapping[K, Source]) -> None:
        self._table = dict(table)

    def __call__(self, code: K, *args: object) -> str:
        source = self._table[code]
        return tr_args(translate(source.context, source.text), *args)

    def __contains__(self, code: object) -> bool:
        return code in self._table

    def get(self, code: K, default: str) -> str:
        """The words for ``code``, or ``default`` for a code the table does not have (one a newer peer added)."""
        source = self._table.get(code)
        return default if source is None else translate(source.context, source.text)


_qt_words: list[QTranslator] = []  # loaded once: one translator for the process, whichever Translators installs it


def _vietnamese_qt_words() -> QTranslator | None:
    """Qt's own words (a field's right-click menu, a message box's buttons) in Vietnamese, which Qt does not ship:
    ours (resources/translations/qtbase_vi.ts), so a cashier's "Dán" is not "&Paste"."""
    if not _qt_words:
        translator = QTranslator()
        if not translator.load("qtbase_vi", str(translations_dir())):
            log.warning("qtbase_vi.qm not found in %s: Qt's own words stay in English", translations_dir())
            return None
        _qt_words.append(translator)
    return _qt_words[0]


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
        qt_words = _vietnamese_qt_words()
        if qt_words is not None:
            app.removeTranslator(qt_words)  # whoever put it in: English asks Qt's own words back
        if language == "vi":
            if qt_words is not None:
                app.installTranslator(qt_words)
            return True
        own = QTranslator()
        if not own.load(f"{CATALOGUE}_{language}", str(translations_dir())):
            log.error("translation %s_%s.qm not found in %s", CATALOGUE, language, translations_dir())
            if qt_words is not None:  # staying Vietnamese: Qt's words too
                app.installTranslator(qt_words)
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
