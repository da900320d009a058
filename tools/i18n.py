"""Translation workflow: extract strings, build .qm, check completeness.

    python tools/i18n.py update    # pyside6-lupdate app/ui + the core's phrases -> resources/translations/*.ts
    python tools/i18n.py release   # pyside6-lrelease *.ts -> *.qm (committed)
    python tools/i18n.py check     # exit 1 if a string is untranslated or a .qm is stale

Source strings are Vietnamese; the English .ts holds the translations.  The
.qm files are committed so installing the app needs no Qt tools; ``check``
(run by the test suite) keeps them honest.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_DIR = ROOT / "resources" / "translations"
LANGUAGES = ("en",)
CATALOGUE = "pmv_support"
# Qt's own words (a line edit's menu, a message box's buttons) in Vietnamese: Qt ships no qtbase_vi. Written by
# hand from Qt's contexts and source texts, so lupdate never touches it; release builds it, check checks it.
QT_CATALOGUES = ("qtbase_vi",)
ENGLISH_FORMS = 2  # "1 pack", "2 packs": the numerus forms Qt keeps for en_US


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        raise SystemExit(f"{name} not found; install PySide6-Essentials")
    return found


def sources() -> list[Path]:
    """The window's modules, and the Qt-free ones that say phrases (``app.infra.phrase.say``)."""
    ui = sorted((ROOT / "app" / "ui").rglob("*.py"))
    core = sorted(path for path in (ROOT / "app").rglob("*.py")
                  if "ui" not in path.relative_to(ROOT / "app").parts[:1] and _says_phrases(path))
    return ui + core


def _says_phrases(path: Path) -> bool:
    return "from app.infra.phrase import" in path.read_text(encoding="utf-8")


def ts_file(language: str) -> Path:
    return TS_DIR / f"{CATALOGUE}_{language}.ts"


def qm_file(language: str) -> Path:
    return TS_DIR / f"{CATALOGUE}_{language}.qm"


def lupdate(target: Path) -> None:
    # ``say("Context", "…")`` in the core is read as a ``translate`` call (app/infra/phrase.py).
    args = [_tool("pyside6-lupdate"), *map(str, sources()), "-tr-function-alias", "translate+=say",
            "-no-obsolete", "-ts", str(target)]
    subprocess.run(args, check=True, capture_output=True, text=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True)


def unfinished(ts: Path) -> list[str]:
    """Source strings with no finished translation (a copy of the Vietnamese counts as none)."""
    missing = []
    for message in ET.parse(ts).getroot().iter("message"):
        translation = message.find("translation")
        source = message.findtext("source", "")
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
            missing.append(source)
            continue
        if message.get("numerus") == "yes":  # a count's forms: English needs its singular and its plural
            forms = [(form.text or "").strip() for form in translation.findall("numerusform")]
            texts = forms if len(forms) == ENGLISH_FORMS and all(forms) else [""]
        else:
            texts = [(translation.text or "").strip()]
        for text in texts:
            if not text or (text == source.strip() and re.search(r"[^\W\d_]{2,}", re.sub(r"%\d", "", source))):
                missing.append(source)
                break
    return missing


def problems() -> list[str]:
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for language in LANGUAGES:
            ts = ts_file(language)
            if not ts.exists():
                found.append(f"{ts} missing")
                continue
            fresh = Path(tmp) / ts.name
            shutil.copy(ts, fresh)
            lupdate(fresh)  # what the code asks for now, merged with what we have
            found += [f"{language}: untranslated: {text!r}" for text in unfinished(fresh)]
            built = Path(tmp) / f"{language}.qm"
            lrelease(ts, built)
            if not qm_file(language).exists() or qm_file(language).read_bytes() != built.read_bytes():
                found.append(f"{qm_file(language).name} is stale: run python tools/i18n.py release")
        for name in QT_CATALOGUES:
            ts, qm = TS_DIR / f"{name}.ts", TS_DIR / f"{name}.qm"
            found += [f"{name}: unfinished: {message.findtext('source')!r}"
                      for message in ET.parse(ts).getroot().iter("message")
                      if message.find("translation") is None or message.find("translation").get("type")
                      or not (message.findtext("translation") or "").strip()]
            built = Path(tmp) / f"{name}.qm"
            lrelease(ts, built)
            if not qm.exists() or qm.read_bytes() != built.read_bytes():
                found.append(f"{qm.name} is stale: run python tools/i18n.py release")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        for language in LANGUAGES:
            lupdate(ts_file(language))
            print(f"{ts_file(language)}: {len(unfinished(ts_file(language)))} untranslated")
    elif command == "release":
        for language in LANGUAGES:
            lrelease(ts_file(language), qm_file(language))
            print(qm_file(language))
        for name in QT_CATALOGUES:
            lrelease(TS_DIR / f"{name}.ts", TS_DIR / f"{name}.qm")
            print(TS_DIR / f"{name}.qm")
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
