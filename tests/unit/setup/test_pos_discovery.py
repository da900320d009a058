"""Finding the shop's POS install and proving its database, on real files.

Each test places a demo shop where a real install would be: the demo's
``install`` folder becomes ``<tmp>/Program Files/PhanMemVang/PMV`` (PMV's
installer's layout under ``%ProgramFiles%``), with the POS's data folders
``pos``, ``backups`` and ``logs`` beside it.  The demo is made for a fixed
moment (DEMO_NOW), never the real clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import psutil
import pytest

from app.setup.pos_discovery import (
    DatabaseProof,
    FoundBy,
    InstallPlaces,
    InstallProblem,
    PosInstall,
    ProofProblem,
    find_installs,
    no_processes,
    prove_database,
    read_install,
    running_processes,
)
from app.shop.demo import POS_CONFIG_FILE, POS_VERSION, DemoShop, create_demo_shop
from app.shop.pos_url import PosUrlProblem
from app.technician.remote_tools import Hive, NoRegistry, Registry
from tests.conftest import DEMO_NOW


@dataclasses.dataclass(frozen=True)
class Placed:
    """A demo shop placed as a real install: ``install`` is PMV's folder, the data folders are beside it."""

    root: Path
    install: Path
    database: Path
    backups: Path
    logs: Path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> DemoShop:
    return create_demo_shop(tmp_path_factory.mktemp("template") / "shop", now=DEMO_NOW)


def place(template: DemoShop, root: Path) -> Placed:
    shutil.copytree(template.root, root)  # copy2: the files keep their bytes and times
    install = root / "PMV"
    (root / "install").rename(install)
    return Placed(root, install, root / "pos" / "pmv.sqlite3", root / "backups", root / "logs")


@pytest.fixture
def shop(template: DemoShop, tmp_path: Path) -> Placed:
    return place(template, tmp_path / "Program Files" / "PhanMemVang")


def write_ini(install: Path, text: str, encoding: str = "utf-8") -> Path:
    path = install / POS_CONFIG_FILE
    path.write_bytes(text.encode(encoding))
    return path


FOLDERS = "[Folders]\nBackups=..\\backups\nLogs=..\\logs\n"


def configured(shop: Placed, database: str) -> PosInstall:
    """The shop's install read back after its configuration says ``database`` (the [Database] lines) and FOLDERS."""
    write_ini(shop.install, f"[Database]\n{database}{FOLDERS}")
    install = read_install(shop.install)
    assert install is not None
    return install


class UninstallEntries:
    """The registry as this code sees it: the narrow ``Registry`` protocol of app.technician.remote_tools,
    the one Windows-only interface the discovery uses.  Real ``winreg`` is behind WindowsRegistry."""

    def __init__(self, *entries: dict[str, str]) -> None:
        self.entries = list(entries)

    def uninstall_entries(self) -> list[dict[str, str]]:
        return list(self.entries)

    def value(self, hive: Hive, subkey: str, name: str) -> str | int | None:
        return None


class BrokenRegistry(UninstallEntries):
    def uninstall_entries(self) -> list[dict[str, str]]:
        raise PermissionError("access denied")


def pmv_entry(location: str = "", icon: str = "", name: str = "PMV - Phần mềm vàng") -> dict[str, str]:
    entry = {"DisplayName": name, "DisplayVersion": POS_VERSION, "InstallLocation": location, "DisplayIcon": icon}
    return {key: value for key, value in entry.items() if value}


# --- what an install holds -------------------------------------------------------------------------------


def test_the_demo_install_holds_the_pos_configuration_as_windows_writes_it(template: DemoShop) -> None:
    raw = (template.install_dir / POS_CONFIG_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf;")  # UTF-8 BOM, then a comment
    assert b"\r\nPath=..\\pos\\pmv.sqlite3\r\n" in raw
    assert b"\r\nBackups=..\\backups\r\nLogs=..\\logs\r\n" in raw


def test_the_demo_install_reads_back_as_the_demo_shop(template: DemoShop) -> None:
    install = read_install(template.install_dir)
    assert install == PosInstall(
        template.install_dir, POS_VERSION, template.pos_database, template.backups_dir, template.logs_dir,
        FoundBy.GIVEN, config_file=template.install_dir / POS_CONFIG_FILE)
    assert install.problems == () and install.url == "" and not install.on_server


def test_a_placed_install_follows_its_relative_windows_paths(shop: Placed) -> None:
    install = read_install(shop.install)
    assert install is not None and install.problems == ()
    assert (install.database, install.backups_dir, install.logs_dir) == (shop.database, shop.backups, shop.logs)
    assert install.version == POS_VERSION


def test_a_folder_that_is_not_a_pmv_install_is_none(tmp_path: Path, shop: Placed) -> None:
    (tmp_path / "empty").mkdir()
    assert read_install(tmp_path / "empty") is None
    assert read_install(tmp_path / "not there") is None
    assert read_install(shop.database) is None  # a file
    assert read_install(shop.root) is None  # the shop's folder holds the install, it is not one


def test_version_txt_alone_makes_an_install_with_the_layout_beside_it(shop: Placed) -> None:
    (shop.install / POS_CONFIG_FILE).unlink()
    install = read_install(shop.install)
    assert install is not None
    assert install.problems == (InstallProblem.CONFIG_MISSING,)
    assert (install.database, install.backups_dir, install.logs_dir) == (shop.database, shop.backups, shop.logs)
    assert install.config_file is None


def test_without_configuration_or_data_beside_it_nothing_is_invented(shop: Placed) -> None:
    (shop.install / POS_CONFIG_FILE).unlink()
    for folder in ("pos", "backups", "logs"):
        shutil.rmtree(shop.root / folder)
    install = read_install(shop.install)
    assert install is not None
    assert install.problems == (InstallProblem.CONFIG_MISSING, InstallProblem.DATABASE_NOT_FOUND,
                                InstallProblem.BACKUPS_MISSING, InstallProblem.LOGS_MISSING)
    assert (install.database, install.backups_dir, install.logs_dir) == (None, None, None)


def test_guessing_prefers_the_pos_database_to_other_files_beside_it(shop: Placed) -> None:
    (shop.install / POS_CONFIG_FILE).unlink()
    (shop.root / "pos" / "export.db").write_bytes(b"")
    (shop.root / "pos" / "pmv.sqlite3-journal").write_bytes(b"")
    assert read_install(shop.install).database == shop.database  # type: ignore[union-attr]


def test_the_install_is_found_with_the_configuration_named_in_any_case(shop: Placed) -> None:
    (shop.install / POS_CONFIG_FILE).rename(shop.install / "pmv.INI")
    install = read_install(shop.install)
    assert install is not None and install.problems == ()
    assert install.config_file == shop.install / "pmv.INI"


def test_a_database_moved_elsewhere_is_followed_where_the_configuration_says(shop: Placed, tmp_path: Path) -> None:
    moved = tmp_path / "D" / "PMVData" / "pmv.sqlite3"
    moved.parent.mkdir(parents=True)
    shop.database.rename(moved)
    install = configured(shop, f"Path={moved}\n")
    assert install.problems == ()
    assert install.database == moved
    assert prove_database(install).ok


def test_a_configured_database_that_is_not_there_is_reported_not_replaced(shop: Placed) -> None:
    install = configured(shop, "Path=..\\pos\\pmv-2025.sqlite3\n")
    assert install.problems == (InstallProblem.DATABASE_MISSING,)
    assert install.database == shop.root / "pos" / "pmv-2025.sqlite3"  # what PMV uses, not the file beside it


@pytest.mark.skipif(os.name == "nt", reason="a drive letter path is a real path on Windows")
def test_a_windows_drive_path_is_taken_as_it_is_and_is_missing_off_windows(shop: Placed) -> None:
    install = configured(shop, "Path=D:\\PMVData\\pmv.sqlite3\n")
    assert install.database == Path("D:\\PMVData\\pmv.sqlite3")
    assert install.problems == (InstallProblem.DATABASE_MISSING,)
    assert prove_database(install).problem is ProofProblem.MISSING


def test_forward_slashes_quotes_any_case_and_a_utf16_file_are_read(shop: Placed) -> None:
    write_ini(shop.install, "\ufeff# written by hand\r\n[DATABASE]\r\n  path = \"../pos/pmv.sqlite3\"\r\n"
                            "[folders]\r\nBACKUPS=../backups/\r\nlogs=..\\logs\r\n", "utf-16-le")
    install = read_install(shop.install)
    assert install is not None and install.problems == ()
    assert (install.database, install.backups_dir, install.logs_dir) == (shop.database, shop.backups, shop.logs)


def test_a_configuration_in_the_vietnamese_ansi_code_page_is_read(shop: Placed) -> None:
    kept = shop.root / "Sao lưu trữ"
    shop.backups.rename(kept)
    # Code page 1258 writes a tone as a combining mark after its letter: ữ is ư (0xFD) then a tilde (0xDE).
    (shop.install / POS_CONFIG_FILE).write_bytes(
        b"; c\xe2\xecu h\xecnh\r\n[Database]\r\nPath=..\\pos\\pmv.sqlite3\r\n[Folders]\r\n"
        b"Backups=..\\Sao l\xfdu tr\xfd\xde\r\nLogs=..\\logs\r\n")
    install = read_install(shop.install)
    assert install is not None and install.problems == ()
    assert install.backups_dir == kept


def test_what_the_configuration_leaves_out_is_guessed_and_said(shop: Placed) -> None:
    write_ini(shop.install, "[Database]\nPath=..\\pos\\pmv.sqlite3\n")
    install = read_install(shop.install)
    assert install is not None
    assert install.problems == (InstallProblem.CONFIG_INCOMPLETE,)
    assert (install.backups_dir, install.logs_dir) == (shop.backups, shop.logs)


def _garbage(install: Path) -> None:
    (install / POS_CONFIG_FILE).write_bytes(random.Random(25).randbytes(4096))


@pytest.mark.parametrize("spoil", [
    pytest.param(_garbage, id="random bytes"),
    pytest.param(lambda install: write_ini(install, "[Database]\x00\x00Path=\x01\x02\n"), id="NUL bytes"),
    pytest.param(lambda install: write_ini(install, "[Database]\nPath=..\\pos\x1b[2J\n"), id="control chars"),
    pytest.param(lambda install: write_ini(install, "Path=..\\pos\\pmv.sqlite3\n"), id="no section"),
    pytest.param(lambda install: write_ini(install, "[Database]\nthis line is not a setting\n"), id="not INI"),
    pytest.param(lambda install: write_ini(install, "[Database]\nPath=" + "x" * 300_000 + "\n"), id="huge"),
    pytest.param(lambda install: write_ini(install, "[Database]\nPath=..\\pos\\pmv.sqlite3\n", "utf-16-le"),
                 id="UTF-16 without BOM"),
    pytest.param(lambda install: ((install / POS_CONFIG_FILE).unlink(), (install / POS_CONFIG_FILE).mkdir()),
                 id="a folder"),
])
def test_a_garbled_configuration_is_unreadable_and_the_layout_is_guessed(shop: Placed, spoil) -> None:
    spoil(shop.install)
    install = read_install(shop.install)
    assert install is not None
    assert install.problems == (InstallProblem.CONFIG_UNREADABLE,)
    assert (install.database, install.backups_dir, install.logs_dir) == (shop.database, shop.backups, shop.logs)


# --- a POS on a database server ---------------------------------------------------------------------------

CONNECTION_STRING = r"Server=quay-thu-ngan\SQLEXPRESS;Database=PMV;User Id=pmv;Password={vàng;24k}"


def test_a_connection_string_install_carries_it_as_the_url_and_no_file(shop: Placed) -> None:
    install = configured(shop, f"ConnectionString={CONNECTION_STRING}\n")
    assert install.problems == ()
    assert install.url == CONNECTION_STRING  # ';' is no comment in INI: the password is whole
    assert install.database is None and install.on_server
    assert "vàng" not in repr(install)


def test_a_connection_string_the_app_cannot_use_says_why(shop: Placed) -> None:
    install = configured(shop, "ConnectionString=Server=.\\SQLEXPRESS;Database=PMV;Trusted_Connection=yes\n")
    assert install.problems == (InstallProblem.URL_UNUSABLE,)
    assert install.url_problem is PosUrlProblem.WINDOWS_LOGIN
    proof = prove_database(install)
    assert (proof.ok, proof.problem, proof.detail) == (False, ProofProblem.BAD_URL, "windows_login")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_server_that_does_not_answer_is_unreachable(shop: Placed) -> None:
    pytest.importorskip("pymssql")
    write_ini(shop.install, f"[Database]\nConnectionString=Server=127.0.0.1,{_free_port()};Database=PMV;"
                            "User Id=pmv;Password=x\n")
    install = read_install(shop.install)
    assert install is not None and install.url_problem is None
    proof = prove_database(install)
    assert (proof.ok, proof.problem) == (False, ProofProblem.SERVER_UNREACHABLE)
    assert proof.detail and "Password" not in proof.detail  # the driver's words, never the password


# --- where to look ------------------------------------------------------------------------------------------


def test_found_in_the_usual_folders(shop: Placed, tmp_path: Path) -> None:
    places = InstallPlaces(folders=(tmp_path / "C" / "PMV", shop.install))
    found = find_installs(places)
    assert [(i.install_dir, i.found_by) for i in found] == [(shop.install, FoundBy.FOLDER)]


def test_found_by_the_registry_install_location(shop: Placed, tmp_path: Path) -> None:
    # This app's own entry and other software are passed over, even where they hold a version.txt.
    ours = tmp_path / "PMV Support Assistant"
    ours.mkdir()
    (ours / "version.txt").write_text("0.9.0\n")
    registry: Registry = UninstallEntries(
        {"DisplayName": "AnyDesk", "InstallLocation": str(tmp_path)},
        {"DisplayName": "PMV Support Assistant", "InstallLocation": str(ours)},
        pmv_entry(location=f'"{shop.install}{os.sep}"'),
    )
    found = find_installs(InstallPlaces(registry=registry))
    assert [(i.install_dir, i.found_by, i.version) for i in found] == [(shop.install, FoundBy.REGISTRY, "5.8.2")]


def test_found_by_the_registry_icon_when_there_is_no_install_location(shop: Placed) -> None:
    registry = UninstallEntries(pmv_entry(icon=f'"{shop.install / "PMV.exe"}",0', name="Phan Mem Vang PMV 5.8"))
    assert [i.install_dir for i in find_installs(InstallPlaces(registry=registry))] == [shop.install]


def test_found_by_a_running_pos_process(shop: Placed) -> None:
    sleep = shutil.which("sleep")
    if sys.platform != "linux" or sleep is None:
        pytest.skip("needs a Linux sleep binary to run as PMV.exe")
    exe = shop.install / "PMV.exe"
    shutil.copy(sleep, exe)
    process = subprocess.Popen([str(exe), "30"])
    try:
        deadline = time.monotonic() + 10
        real = os.path.realpath(exe)
        while not any(name == "PMV.exe" and path == real for name, path in running_processes()):
            assert time.monotonic() < deadline, "psutil never saw PMV.exe"
            time.sleep(0.05)
        # The same install is also in the usual folders: listed once, as found by the process.
        found = find_installs(InstallPlaces(folders=(shop.install,), processes=running_processes))
        mine = [install for install in found if install.install_dir == shop.install]
        assert [(i.found_by, i.database) for i in mine] == [(FoundBy.PROCESS, shop.database)]
        assert found[0] == mine[0]
    finally:
        process.kill()
        process.wait(timeout=10)


def test_process_names_match_without_case_and_unreadable_executables_are_passed_over(
        template: DemoShop, shop: Placed, tmp_path: Path) -> None:
    bin_dir = shop.install / "bin"
    bin_dir.mkdir()
    other = place(template, tmp_path / "other shop")

    def processes() -> Iterator[tuple[str, str | None]]:
        yield "explorer.exe", str(other.install / "explorer.exe")
        yield "PMV.exe", None  # another user's process: no path
        yield "pmv.EXE", str(bin_dir / "pmv.EXE")  # in a bin folder of the install

    found = find_installs(InstallPlaces(processes=processes))
    assert [(i.install_dir, i.found_by) for i in found] == [(shop.install, FoundBy.PROCESS)]




def test_the_same_install_found_twice_is_listed_once_with_the_best_source(template: DemoShop, shop: Placed,
                                                                          tmp_path: Path) -> None:
    other = place(template, tmp_path / "other shop")
    # Another spelling of the same folder, through a symlink and a "..": still one install.
    alias = tmp_path / "alias"
    alias.symlink_to(shop.root, target_is_directory=True)
    registry = UninstallEntries(pmv_entry(location=str(alias / "logs" / ".." / "PMV")))
    places = InstallPlaces(folders=(other.install, shop.install, alias / "PMV"), registry=registry)
    found = find_installs(places)
    assert [(i.install_dir, i.found_by) for i in found] == [
        (shop.install, FoundBy.REGISTRY), (other.install, FoundBy.FOLDER)]


def test_among_equals_the_install_with_fewer_problems_comes_first(template: DemoShop, shop: Placed,
                                                                  tmp_path: Path) -> None:
    other = place(template, tmp_path / "other shop")
    (shop.install / POS_CONFIG_FILE).unlink()
    found = find_installs(InstallPlaces(folders=(shop.install, other.install)))
    assert [i.install_dir for i in found] == [other.install, shop.install]


def test_a_registry_or_process_list_that_fails_does_not_stop_the_search(shop: Placed) -> None:
    def processes() -> Iterable[tuple[str, str | None]]:
        raise psutil.AccessDenied()

    places = InstallPlaces(folders=(shop.install,), registry=BrokenRegistry(), processes=processes)
    assert [i.found_by for i in find_installs(places)] == [FoundBy.FOLDER]


def test_the_usual_places_on_a_windows_pc() -> None:
    environ = {"ProgramFiles": r"C:\Program Files", "ProgramW6432": r"C:\Program Files",
               "ProgramFiles(x86)": r"C:\Program Files (x86)", "LOCALAPPDATA": r"C:\Users\thu ngan\AppData\Local",
               "SystemDrive": "C:"}
    registry = UninstallEntries()
    places = InstallPlaces.for_this_pc(platform="win32", environ=environ, registry=registry)
    folders = [str(folder) for folder in places.folders]
    for expected in (r"C:\Program Files\PMV", r"C:\Program Files (x86)\PMV", r"C:\PMV", r"D:\PMV",
                     r"C:\Program Files\PhanMemVang\PMV", r"C:\Users\thu ngan\AppData\Local\Programs\PMV"):
        assert expected in folders
    assert len({folder.casefold() for folder in folders}) == len(folders)  # ProgramW6432 is ProgramFiles here
    assert places.registry is registry
    assert places.processes is running_processes and places.process_name == "PMV.exe"


def test_the_usual_places_on_linux_are_folders_and_no_registry(template: DemoShop, tmp_path: Path) -> None:
    home = tmp_path / "thu-ngan"
    places = InstallPlaces.for_this_pc(platform="linux", environ={"HOME": str(home)})
    assert places.folders == (Path("/opt/pmv"), Path("/opt/PMV"), home / "PMV")
    assert isinstance(places.registry, NoRegistry)
    # A shop set up in the home folder is found there (the machine's own processes left out).
    placed = place(template, home)
    found = find_installs(dataclasses.replace(places, processes=no_processes))
    assert (placed.install, FoundBy.FOLDER) in [(i.install_dir, i.found_by) for i in found]


# --- proving the database --------------------------------------------------------------------------------


def _snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def test_the_demo_database_is_proved_without_changing_a_byte(shop: Placed) -> None:
    install = read_install(shop.install)
    assert install is not None
    before = _snapshot(shop.database)
    proof = prove_database(install)
    assert _snapshot(shop.database) == before  # bytes, mtime, and no journal or WAL file left beside it
    with sqlite3.connect(f"{shop.database.as_uri()}?mode=ro", uri=True) as conn:
        newest, sales = conn.execute(
            "SELECT substr(MAX(issued_at), 1, 10), COUNT(*) FROM invoices WHERE kind = 'sell'").fetchone()
    assert proof == DatabaseProof(True, POS_VERSION, dt.date.fromisoformat(newest), sales)
    # The demo trades until the day before the one it shows (today's invoices are still to come).
    assert DEMO_NOW.date().toordinal() - proof.newest_invoice.toordinal() in (1, 2, 3)  # type: ignore[union-attr]
    assert proof.invoices == 50


def test_a_garbage_database_file_is_not_a_database_and_is_left_alone(shop: Placed) -> None:
    shop.database.write_bytes(random.Random(7).randbytes(8192))
    before = _snapshot(shop.database)
    proof = prove_database(read_install(shop.install))  # type: ignore[arg-type]
    assert (proof.ok, proof.problem) == (False, ProofProblem.NOT_A_DATABASE)
    assert _snapshot(shop.database) == before


def test_a_damaged_database_with_a_good_header_is_not_a_database(shop: Placed) -> None:
    data = bytearray(shop.database.read_bytes())
    data[100:4096] = random.Random(3).randbytes(3996)  # the first page's header and schema
    shop.database.write_bytes(bytes(data))
    proof = prove_database(read_install(shop.install))  # type: ignore[arg-type]
    assert (proof.ok, proof.problem) == (False, ProofProblem.NOT_A_DATABASE)


def test_an_empty_file_is_not_the_pos_database(shop: Placed) -> None:
    shop.database.write_bytes(b"")
    assert prove_database(read_install(shop.install)).problem is ProofProblem.NOT_A_DATABASE  # type: ignore[arg-type]


def test_an_absent_database_is_missing_and_is_not_created(shop: Placed) -> None:
    shop.database.unlink()
    install = read_install(shop.install)
    assert install is not None and install.problems == (InstallProblem.DATABASE_MISSING,)
    proof = prove_database(install)
    assert (proof.ok, proof.problem) == (False, ProofProblem.MISSING)
    assert not shop.database.exists()
    assert prove_database(dataclasses.replace(install, database=None)).problem is ProofProblem.MISSING


def test_a_database_that_is_not_the_pos_has_no_pos_tables(shop: Placed) -> None:
    shop.database.unlink()
    with sqlite3.connect(shop.database) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    proof = prove_database(read_install(shop.install))  # type: ignore[arg-type]
    assert (proof.ok, proof.problem) == (False, ProofProblem.NO_POS_TABLES)


def test_a_pos_database_without_invoices_proves_with_none_yet(shop: Placed) -> None:
    with sqlite3.connect(shop.database) as conn:
        conn.execute("DELETE FROM invoice_payments")
        conn.execute("DELETE FROM invoice_lines")
        conn.execute("DELETE FROM invoices")
    conn.close()
    proof = prove_database(read_install(shop.install))  # type: ignore[arg-type]
    assert proof == DatabaseProof(True, POS_VERSION, None, 0)
