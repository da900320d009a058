"""The Windows installer script names the product as the app does.

Inno Setup compiles ``installer/pmv-support.iss`` on Windows only (not here), so
the values it cannot import from Python are held to the app's by reading the
script: Windows shows ``AppSupportURL`` under "Apps & features" as the support
link, and a hotline that moved in ``pmv_protocol`` but not here would send a shop
to a dead number.
"""

from __future__ import annotations

import re
from pathlib import Path

from app import APP_NAME, HOTLINE

SCRIPT = Path(__file__).resolve().parents[2] / "installer" / "pmv-support.iss"


def _setup_value(key: str) -> str:
    # Inno reads the script as Unicode only with a UTF-8 byte order mark (the script's header says so).
    raw = SCRIPT.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the BOM is gone: Inno would read the Vietnamese as ANSI"
    found = re.findall(rf"^{key}=(.*)$", raw.decode("utf-8-sig"), flags=re.MULTILINE)
    assert len(found) == 1, (key, found)
    return found[0].strip()


def test_the_support_link_dials_the_hotline() -> None:
    # A 1900 number is dialled within Vietnam only (no +84 form): the script gives its digits, without the
    # spaces the app writes between the groups.
    assert _setup_value("AppSupportURL") == "tel:" + re.sub(r"\D", "", HOTLINE)


def test_the_product_name_is_the_apps() -> None:
    assert _setup_value("AppName") == APP_NAME
