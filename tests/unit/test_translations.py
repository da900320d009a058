"""English must be complete and the committed .qm must match the .ts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _i18n_tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_every_visible_string_has_an_english_translation_and_qm_is_fresh() -> None:
    assert _i18n_tool().problems() == []


def test_no_translation_lost_its_placeholder() -> None:
    import xml.etree.ElementTree as ET

    tool = _i18n_tool()
    for message in ET.parse(tool.ts_file("en")).getroot().iter("message"):
        source = message.findtext("source", "")
        # A count's message holds each English form (singular, plural) in a <numerusform>: every one keeps them.
        forms = [form.text or "" for form in message.iter("numerusform")] or [message.findtext("translation", "")]
        for translation in forms:
            for marker in ("%1", "%2", "%3", "&"):
                assert source.count(marker) == translation.count(marker), (source, translation)


def test_no_tr_call_hides_inside_an_f_string() -> None:
    """lupdate cannot see into f-strings: such a string would never be translated."""
    import re

    pattern = re.compile(r"""\bf["'][^"']*\{[^}]*\b(tr|translate)\(""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "app" / "ui").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
