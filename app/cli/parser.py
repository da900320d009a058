"""The command line's parser: the GUI's options, and each sub-command's (built only when one is asked for)."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from app import APP_ID, APP_NAME, __version__
from app.cli.common import interface
from app.cli_texts import LANGUAGES, line, say, usage_message
from app.infra.navigation import PAGE_KEYS

if TYPE_CHECKING:
    pass


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one line in the interface language (still exit code 2); sub-command
    parsers are made of this class too."""

    def error(self, message: str) -> NoReturn:
        language = interface.language
        self.exit(2, line("error", usage_message(message, self.prog, language), language) + "\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say("bad_date", interface.language, value=repr(text))) from None


def _shared(parser: argparse.ArgumentParser, *, lang: bool = True) -> None:
    """``--config`` (and ``--lang``) also after the sub-command; not given there, the top-level value stands."""
    parser.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    if lang:
        parser.add_argument("--lang", choices=LANGUAGES, help=argparse.SUPPRESS, default=argparse.SUPPRESS)


# The sub-commands, known without building their parsers (a test checks this against build_parser()).
COMMANDS = ("demo-shop", "check", "devices", "label", "updates", "bundle", "agent", "warranty", "apply-update",
            "tray-jobs", "setup", "shop-token")


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The CLI's parser; ``commands=False``: the GUI's options only (building every sub-command's parser is
    ~7 ms of a start whose budget is counted in tens of milliseconds: tests/bench/cold_start.py)."""
    parser = _Parser(
        prog=APP_ID,
        description=f"{APP_NAME}: health checks, support requests, warranty and devices for PMV gold shops.",
        epilog="exit codes: 0 done; 1 refused or failed (one line on stderr says why); 2 usage error; "
               "check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML) to use")
    parser.add_argument("--lang", choices=LANGUAGES,
                        help="interface and message language (default: the app's, from settings; else vi); "
                             "also after a sub-command, except label")
    parser.add_argument("--demo", action="store_true", help="open on a ready-made demo shop in the data dir")
    parser.add_argument("--screenshot", type=Path, metavar="FILE", help="render the main window to a PNG and exit")
    parser.add_argument("--page", default="overview", choices=PAGE_KEYS, help="with --screenshot: which page to show")
    parser.add_argument("--first-paint", action="store_true",
                        help="with --screenshot: save the window as first painted, before the shop's data has "
                             "loaded, and exit (the start-up benchmark)")
    parser.add_argument(
        "--no-err-windows", action="store_true", help="never show error dialogs (headless runs); log instead"
    )
    parser.add_argument("--minimized", action="store_true", help="start hidden in the tray (autostart)")
    parser.add_argument("--enrol", metavar="CODE", default="",
                        help="open the setup wizard with this enrolment code filled in (the installer's /ENROL=CODE)")
    if not commands:
        parser.set_defaults(command=None)
        return parser
    from app.background.job_process import JOBS

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo-shop", help="write a sample shop (POS database, backups, logs, settings) to DIR")
    demo.add_argument("dir", type=Path, metavar="DIR")
    demo.add_argument("--force", action="store_true", help="recreate a demo shop that already exists in DIR")
    demo.add_argument("--today", type=_date, help="date the shop's data ends on (default: today)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same shop)")
    _shared(demo)

    check = sub.add_parser("check", help="run the health checks of the shop's system; exit 0/1/2/3 by the verdict")
    mode = check.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print every result as JSON (the default)")
    mode.add_argument("--nagios", action="store_true", help="print one Nagios line")
    check.add_argument("--report", type=Path, metavar="FILE", help="also write the PDF report")
    _shared(check)

    devices = sub.add_parser("devices", help="barcode device tools")
    devices_sub = devices.add_subparsers(dest="devices_command", required=True, metavar="ACTION")
    sheet = devices_sub.add_parser("test-sheet", help="write the printable scanner test sheet (a .pdf FILE)")
    sheet.add_argument("out", type=Path, metavar="FILE")
    ports = devices_sub.add_parser("ports", help="list serial ports as JSON")
    for sub_parser in (devices, sheet, ports):
        _shared(sub_parser)

    label = sub.add_parser("label", help="render or print a jewellery tag (ZPL, TSPL, EZPL, PDF, PNG)")
    label.add_argument("--lang", dest="label_lang", required=True, choices=["zpl", "tspl", "ezpl", "pdf", "png"],
                       help="the printer language or file format (the interface language goes before 'label')")
    label.add_argument("--dpi", type=int, choices=[203, 300], default=203)
    label.add_argument("--template", default="rat_tail_75x10", help="label template (resources/labels/NAME.json)")
    label.add_argument("--item-code", default=None, help="the barcode content (default: the demo tag's)")
    label.add_argument("--product", help="product name, e.g. 'Nhẫn cưới 18K'")
    label.add_argument("--purity", help="purity code, e.g. 750 or 9999")
    label.add_argument("--gross-mg", type=int, help="gross weight in milligrams")
    label.add_argument("--stone-mg", type=int, help="stone weight in milligrams")
    label.add_argument("--labour", type=int, help="labour charge (tiền công) in VND")
    label.add_argument("--price", type=int, help="price in VND")
    label.add_argument("--font", help="a Unicode TrueType font loaded on the printer: every line is sent as text in it "
                            "(without it, Vietnamese lines are sent as graphics)")
    label.add_argument("--count", type=int, default=1, metavar="N",
                       help="a run of N tags (up to 1000) whose item codes count up, in one job (zpl/tspl/ezpl)")
    where = label.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="FILE", help="write the job to a file")
    where.add_argument("--send", metavar="TARGET", help="tcp://host:9100, serial:///dev/ttyUSB0?baud=9600, spooler://NAME")
    _shared(label, lang=False)  # its --lang is the printer's

    updates = sub.add_parser("updates", help="regulation packs and app updates (TUF-signed)")
    updates_sub = updates.add_subparsers(dest="updates_command", required=True, metavar="ACTION")
    _shared(updates)
    for name, text in (("check", "refresh the signed metadata and list what is offered"),
                       ("list", "list the installed regulation packs"),
                       ("install", "download and install what is new "
                                   "(packs now; app updates are staged for the next start)")):
        action = updates_sub.add_parser(name, help=text)
        action.add_argument("--json", action="store_true", help="JSON output (the default)")
        _shared(action)
    offline = updates_sub.add_parser("import", help="verify and install an offline copy of the updates (a USB "
                                                    "stick written by pmv-vendor repo export-offline)")
    offline.add_argument("folder", type=Path, metavar="DIR", help="the copy's folder (holding metadata/, targets/)")
    offline.add_argument("--json", action="store_true", help="JSON output (the default)")
    _shared(offline)
    rollback = updates_sub.add_parser("rollback", help="switch a pack back to its previous version")
    rollback.add_argument("pack_id", metavar="PACK")
    rollback.add_argument("--json", action="store_true")
    _shared(rollback)

    bundle = sub.add_parser("bundle", help="write the redacted diagnostics bundle (zip) for sending by any channel")
    bundle.add_argument("out", type=Path, metavar="FILE")
    bundle.add_argument("--with-health", action="store_true", help="run the health checks and include the report")
    _shared(bundle)

    agent = sub.add_parser("agent", help="run the background jobs without a window (checks, outbox, updates)")
    _shared(agent)

    warranty = sub.add_parser("warranty", help="warranty and maintenance coverage from the signed contract")
    warranty.add_argument("--json", action="store_true", help="print the coverage as JSON (the default)")
    warranty.add_argument("--certificate", type=Path, metavar="FILE", help="write the warranty certificate PDF")
    warranty.add_argument("--refresh", action="store_true", help="fetch the contract from the vendor server first")
    warranty.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                          help="import a signed contract file first")
    warranty.add_argument("--today", type=_date, help="coverage on this day (default: today)")
    _shared(warranty)

    swap = sub.add_parser("apply-update", help="(started by the app) apply a staged app update once the app exits")
    _shared(swap)
    swap.add_argument("--data", type=Path, required=True, help="the app's data folder")
    swap.add_argument("--wait-pid", type=int, help="wait for this process (the old app) to exit first")
    swap.add_argument("--relaunch", default="[]", help="JSON list of arguments to start the app with")
    swap.add_argument("--restart", default="[]", help="JSON command line that starts the app when no version was")

    jobs = sub.add_parser("tray-jobs", help="(started by the tray app) run its due background jobs once, "
                                            "write a JSON report")
    jobs.add_argument("jobs", nargs="*", choices=JOBS, metavar="JOB", help=f"any of: {', '.join(JOBS)}")
    jobs.add_argument("--report", type=Path, required=True, metavar="FILE", help="where to write the JSON report")
    jobs.add_argument("--tray-pid", type=int, required=True, help="the tray app's process (for the update helper)")
    jobs.add_argument("--relaunch", default="[]", help="JSON list of the tray app's arguments (for its restart)")
    jobs.add_argument("--first", action="store_true", help="the tray just started: send the start signal")
    _shared(jobs)

    setup = sub.add_parser("setup", help="set this shop up without a window: find the POS, enrol, write the "
                                         "settings, run the first check (JSON)")
    setup.add_argument("--pos-dir", type=Path, metavar="DIR", help="the PMV install folder (default: search)")
    setup.add_argument("--enrol", metavar="CODE", default="", help="the enrolment code the vendor gave")
    setup.add_argument("--token", default="", help="without Internet: the shop token the vendor gave")
    setup.add_argument("--contract", type=Path, metavar="FILE", help="without Internet: the signed contract file")
    setup.add_argument("--vendor-url", default="", metavar="URL", help="the vendor server (default: the settings')")
    _shared(setup)

    token = sub.add_parser("shop-token", help="store the shop token the vendor issued (kept in the OS keyring)")
    token.add_argument("token", help="the token printed by pmv-vendor add-shop")
    _shared(token)
    return parser


_GUI_VALUE_OPTIONS = ("--config", "--lang", "--screenshot", "--page", "--enrol")


def is_gui_start(argv: Sequence[str]) -> bool:
    """No sub-command (nor a mistyped one) and no help: the GUI's options alone will parse it."""
    expect_value = False
    for arg in argv:
        if expect_value:
            expect_value = False
        elif arg in _GUI_VALUE_OPTIONS:
            expect_value = True
        elif not arg.startswith("-") or arg == "-h" or (len(arg) > 2 and "--help".startswith(arg)):
            return False  # a sub-command, a typo of one (the full parser names the choices), or help (--he…)
    return True
