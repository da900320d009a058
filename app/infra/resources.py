"""Where the shipped resources (icons, translations, keys) live.

In a source checkout or editable install they sit in ``resources/`` next to
the ``app`` package; in the PyInstaller bundle they are unpacked beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    checkout = Path(__file__).resolve().parents[2] / "resources"  # app/infra/resources.py -> the checkout
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "pmv-support" / "resources"  # a wheel install


def translations_dir() -> Path:
    return resources_dir() / "translations"


def icons_dir() -> Path:
    return resources_dir() / "icons"
