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
        translation = message.findtext("translation", "")
        for marker in ("%1", "%2", "%3", "&"):
            assert source.count(marker) == translation.count(marker), (source, translation)
