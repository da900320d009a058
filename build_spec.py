"""Build the PyInstaller one-dir bundle of PMV Support Assistant.

    python build_spec.py [--dist DIR] [--work DIR]

PyInstaller only reads ``*.spec`` files, so this script drives it instead:

1. ``tools/i18n.py release`` (same interpreter) so the bundled .qm is fresh;
2. writes a Windows version-info file from ``app.__version__`` (used for the
   .exe's Properties > Details; ignored on other platforms);
3. writes a tiny entry script calling ``app.cli.main`` into the work dir;
4. runs ``PyInstaller.__main__.run`` for a one-dir bundle ``pmv-support``
   (windowed on Windows, console elsewhere so ``--version`` prints), with
   ``resources/`` (no .ts sources) and the Alembic migrations as data.

The result is ``DIST/pmv-support/`` (default ``dist/pmv-support``), which is
what ``installer/pmv-support.iss`` packages.  Exits non-zero with a one-line
reason on failure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NAME = "pmv-support"
IS_WINDOWS = sys.platform == "win32"

# Imported lazily or found through importlib / entry points at run time, so
# PyInstaller's bytecode scan may not see them.
HIDDEN_IMPORTS = [
    "app.cli",
    "app.runtime",
    "app.bootstrap",
    "app.ui.application",
    "app.ui.startup",
    "reportlab.graphics.barcode.code128",
    "reportlab.graphics.barcode.code39",
    "reportlab.graphics.barcode.eanbc",
    "reportlab.graphics.barcode.qr",
    "reportlab.graphics.barcode.widgets",
    "zxingcpp",
    "PIL.Image",
    "PIL.ImageDraw",
    "PIL.ImageFont",
    "PIL.PngImagePlugin",
    "tuf.ngclient",
    "securesystemslib.signer",
    "serial.tools.list_ports",
    "holidays.countries.vietnam",
    "apscheduler.executors.pool",
    "apscheduler.triggers.interval",
    "apscheduler.triggers.date",
    "apscheduler.triggers.cron",
    "apscheduler.schedulers.background",
    "apscheduler.jobstores.memory",
    "sqlalchemy.dialects.sqlite",
    # The POS database drivers (app.shop.pos_driver): SQLAlchemy imports the dialect by name
    # and the dialect imports its DBAPI module with __import__, both invisible to the scan;
    # psycopg picks its libpq implementation (psycopg_binary) at run time.
    "sqlalchemy.dialects.mssql.pymssql",
    "sqlalchemy.dialects.postgresql.psycopg",
    "pymssql",
    "pymssql._mssql",
    "pymssql._pymssql",
    "psycopg",
    "psycopg_binary",
    "psycopg_binary.pq",
    "psycopg_binary._psycopg",
]
COLLECT_SUBMODULES = [
    "app",  # every app module, including the Alembic version scripts' package
    "pmv_protocol",  # what the shop client and the vendor server agree on
    "app.storage.migrations.versions",
    "keyring.backends",
    "securesystemslib.signer",
    "tuf.api",
]
# Entry-point discovery (keyring backends, APScheduler aliases) reads these.
COPY_METADATA = ["keyring", "APScheduler"]

EXCLUDES = [
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel", "PySide6.QtWebSockets",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D", "PySide6.QtQuickTest",
    "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DInput", "PySide6.Qt3DLogic",
    "PySide6.Qt3DAnimation", "PySide6.Qt3DExtras",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets",
    "tkinter", "_tkinter",
    # The vendor's server stays out; only its signer comes, for --demo's demo contract (no key ships: demo mode
    # makes its own, which no real shop trusts).
    *(f"vendor_server.{path.stem}" for path in sorted((Path(__file__).parent / "vendor_server").iterdir())
      if (path.suffix == ".py" or (path / "__init__.py").exists()) and path.stem not in ("__init__", "signing")),
    "fastapi", "uvicorn", "starlette",
    "pytest", "_pytest", "pytestqt",
]


class BuildError(Exception):
    """A failed step: printed as one line, exit status 1."""


def release_translations() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "release"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"tools/i18n.py release failed: {(result.stderr or result.stdout).strip()}")


def app_version() -> str:
    sys.path.insert(0, str(ROOT))
    from app import APP_NAME, __version__  # noqa: PLC0415 - after the path is set

    assert APP_NAME
    return __version__


def write_version_file(path: Path, version: str) -> None:
    numbers = [int(part) for part in version.split("+")[0].split("-")[0].split(".") if part.isdigit()]
    numbers = (numbers + [0, 0, 0, 0])[:4]
    tup = "(" + ", ".join(map(str, numbers)) + ")"
    strings = {
        "CompanyName": "Phần Mềm Vàng",
        "FileDescription": "PMV Support Assistant",
        "FileVersion": version,
        "InternalName": NAME,
        "LegalCopyright": "Phần Mềm Vàng",
        "OriginalFilename": f"{NAME}.exe",
        "ProductName": "PMV Support Assistant",
        "ProductVersion": version,
    }
    entries = ",\n".join(f"            StringStruct({k!r}, {v!r})" for k, v in strings.items())
    path.write_text(f"""# UTF-8 -- generated by build_spec.py from app.__version__
VSVersionInfo(
  ffi=FixedFileInfo(filevers={tup}, prodvers={tup}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
        StringTable('042A04B0', [
{entries}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x042A, 1200])])
  ]
)
""", encoding="utf-8")


def write_entry(path: Path) -> None:
    path.write_text(
        '"""PyInstaller entry point (generated by build_spec.py)."""\n'
        "import multiprocessing\n"
        "import sys\n\n"
        "from app.cli import main\n\n"
        'if __name__ == "__main__":\n'
        "    multiprocessing.freeze_support()\n"
        "    sys.exit(main())\n",
        encoding="utf-8",
    )


def data_args() -> list[str]:
    """``--add-data`` pairs: resources (no .ts), fonts + licence, migrations as files."""
    pairs: list[tuple[Path, str]] = []
    res = ROOT / "resources"
    qm = sorted((res / "translations").glob("*.qm"))
    if not qm:
        raise BuildError("no .qm translations in resources/translations")
    pairs += [(f, "resources/translations") for f in qm]
    for sub in ("fonts", "keys", "labels", "regulation", "tuf", "icons"):
        folder = res / sub
        if folder.is_dir():
            pairs += [(f, f"resources/{sub}") for f in sorted(folder.iterdir())
                      if f.is_file() and f.suffix != ".ts" and f.name != ".gitkeep"]
    # Alembic reads env.py, script.py.mako and versions/*.py from disk.
    mig = ROOT / "app" / "storage" / "migrations"
    pairs += [(f, "app/storage/migrations") for f in sorted(mig.glob("*.py"))]
    pairs.append((mig / "script.py.mako", "app/storage/migrations"))
    pairs += [(f, "app/storage/migrations/versions") for f in sorted((mig / "versions").glob("*.py"))]
    # The working calendar's table of Vietnam's public holidays (pmv_protocol.holiday_table).
    pairs += [(f, "pmv_protocol/data") for f in sorted((ROOT / "pmv_protocol" / "data").glob("*.json"))]
    args: list[str] = []
    for src, dest in pairs:
        args += ["--add-data", f"{src}{os.pathsep}{dest}"]
    return args


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build(dist: Path, work: Path) -> Path:
    try:
        import PyInstaller.__main__ as pyinstaller  # noqa: PLC0415
    except ImportError:
        raise BuildError("PyInstaller is not installed: pip install -e '.[packaging]'") from None
    release_translations()
    version = app_version()
    work.mkdir(parents=True, exist_ok=True)
    version_file = work / "version_info.txt"
    write_version_file(version_file, version)
    entry = work / "pmv_support_entry.py"
    write_entry(entry)

    args = [
        str(entry),
        "--name", NAME,
        "--onedir",
        "--noconfirm",
        "--clean",
        "--log-level", "WARN",
        "--distpath", str(dist),
        "--workpath", str(work),
        "--specpath", str(work),
        "--paths", str(ROOT),
        "--windowed" if IS_WINDOWS else "--console",
    ]
    if IS_WINDOWS:
        args += ["--version-file", str(version_file)]
    icon = ROOT / "resources" / "icons" / ("pmv-support.ico" if IS_WINDOWS else "pmv-support.png")
    if icon.is_file():
        args += ["--icon", str(icon)]
    for name in HIDDEN_IMPORTS:
        args += ["--hidden-import", name]
    for name in COLLECT_SUBMODULES:
        args += ["--collect-submodules", name]
    for name in COPY_METADATA:
        args += ["--copy-metadata", name]
    for name in EXCLUDES:
        args += ["--exclude-module", name]
    args += data_args()

    try:
        pyinstaller.run(args)
    except SystemExit as exc:  # PyInstaller exits on errors
        if exc.code not in (None, 0):
            raise BuildError(f"PyInstaller failed (exit {exc.code})") from None
    bundle = dist / NAME
    exe = bundle / (f"{NAME}.exe" if IS_WINDOWS else NAME)
    if not exe.is_file():
        raise BuildError(f"PyInstaller finished but {exe} is missing")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the PyInstaller one-dir bundle of pmv-support.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller work folder (default: build/)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        bundle = build(args.dist.resolve(), args.work.resolve())
    except BuildError as exc:
        print(f"build_spec.py: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one clear line, not a traceback wall
        print(f"build_spec.py: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    size_mb = folder_size(bundle) / (1024 * 1024)
    print(f"bundle: {bundle}")
    print(f"size: {size_mb:.1f} MB; built in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
