"""The fleet pages' words: the Vietnamese as written in their templates and routes, and its English.

Merged into :data:`vendor_server.console.words.ENGLISH` (tests/unit/vendor_server/console/test_words.py checks
every ``_()`` text has its English).  Imports nothing: the console's words import this.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    "Tình trạng các máy": "Fleet",
}
