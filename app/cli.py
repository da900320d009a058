"""Command line: ``pmv-support``.

Without a sub-command it opens the GUI; sub-commands are headless, print
JSON where they report something, and never load Qt.  Anything that goes
wrong, bad input included, is one line on stderr in the interface language
(app/cli_texts.py) and an exit code the README documents: 0 done, 1 refused
or failed, 2 a usage error (argparse's), and for ``check`` the verdict
(0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN: the check could not run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from app import APP_ID, APP_NAME, __version__
from app.cli_texts import (
    LANGUAGES,
    MESSAGES,
    Msg,
    interface_language,
    line,
    os_failure,
    os_reason,
    say,
    start_failure,
    usage_message,
)
from app.infra.navigation import PAGE_KEYS
from app.storage.errors import NoticeKind, StorageError

if TYPE_CHECKING:
    from app.devices.labels import JewelleryTag, LabelTemplate
    from app.health.machine import MachineProbes
    from app.infra.settings import SettingsProblem
    from app.runtime import Runtime
    from app.setup.enrolment import EnrolmentError
    from app.updates.service import Updater
    from app.updates.targets import AvailableTarget, UpdateError

NAGIOS_UNKNOWN = 3  # check's exit code when it could not run (Nagios plugin guidelines: UNKNOWN)


class CliError(Exception):
    """A user-facing failure: one line from the catalogue (app/cli_texts.py); exit status 1 (check: 3)."""

    def __init__(self, message: str | Msg, **params: object) -> None:
        self.message = message if isinstance(message, Msg) else Msg(message, params)
        super().__init__(self.message.code)


class _Interface:
    """The language messages are said in, worked out only when there is something to say (a GUI start never
    needs it here: its window reads it itself)."""

    def __init__(self) -> None:
        self.argv: list[str] = []
        self._language: str | None = None

    def start(self, argv: Sequence[str]) -> None:
        self.argv, self._language = list(argv), None

    @property
    def language(self) -> str:
        if self._language is None:
            self._language = interface_language(self.argv)
        return self._language


_interface = _Interface()


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one line in the interface language (still exit code 2); sub-command
    parsers are made of this class too."""

    def error(self, message: str) -> NoReturn:
        language = _interface.language
        self.exit(2, line("error", usage_message(message, self.prog, language), language) + "\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say("bad_date", _interface.language, value=repr(text))) from None


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


def _is_gui_start(argv: Sequence[str]) -> bool:
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


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], dt.datetime] | None = None,
         machine: MachineProbes | None = None) -> int:
    """``clock`` and ``machine``: what the commands' runtime reads as now and as the PC's state (tests pass them;
    tests/cli_fixed_world.py runs this very entry point in a fixed world)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _interface.start(argv)
    args = build_parser(commands=not _is_gui_start(argv)).parse_args(argv)  # usage errors: exit 2
    args.runtime_options = {name: value for name, value in (("clock", clock), ("machine", machine))
                            if value is not None}
    try:
        if args.command == "demo-shop":
            return _demo_shop(args)
        _check_paths(args)
        if args.command is None:
            return _gui(args)
        if args.command in _STANDALONE:  # no settings, database or runtime needed
            return _STANDALONE[args.command](args)
        return _headless(args, _WITH_RUNTIME[args.command])
    except CliError as exc:
        return _refuse(args, exc.message)
    except StorageError as exc:
        return _refuse(args, start_failure(exc))
    except OSError as exc:
        return _refuse(args, os_failure(exc))
    except Exception as exc:  # noqa: BLE001  (a bug: the report keeps the traceback, the user gets one line)
        return _refuse(args, _unexpected(exc, None))


def _refuse(args: argparse.Namespace, message: Msg) -> int:
    """The one line on stderr, and the exit code: 1, or for check 3 (UNKNOWN, with the Nagios line on stdout)."""
    language = _interface.language
    text = say(message, language)
    print(line("error", text, language), file=sys.stderr)
    if args.command == "check":
        if args.nagios:
            print(f"PMV UNKNOWN - {text}".replace("|", "/"))
        return NAGIOS_UNKNOWN
    return 1


def _unexpected(error: Exception, runtime: Runtime | None) -> Msg:
    """A crash report (as the crash handler writes them) named in one line, instead of a traceback."""
    if runtime is not None:
        report = runtime.crash.handle(type(error), error, error.__traceback__)
        return Msg.of("unexpected", kind=type(error).__name__, report=report.path or runtime.log_file)
    from app.infra.crash import build_report
    from app.infra.paths import AppPaths

    text = build_report(type(error), error, error.__traceback__).text
    target = AppPaths.default().crash_dir / f"crash-cli-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.txt"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError:
        return Msg.of("start_failed", detail=f"{type(error).__name__}: {error}")
    return Msg.of("unexpected", kind=type(error).__name__, report=target)


# -- paths given on the command line: checked before anything runs -------------------------------------------------

_OUTPUT_OPTIONS = ("out", "report", "certificate", "screenshot")  # every option naming a file the command writes


def _check_paths(args: argparse.Namespace) -> None:
    if args.config is not None and not args.config.is_file():
        raise CliError("settings_not_found", path=args.config)
    for name in _OUTPUT_OPTIONS:
        target = getattr(args, name, None)
        if target is not None:
            _check_output(target)


def _check_output(target: Path) -> None:
    """A file to write: its folder must exist (it is never created: a typo must not make folders) and be
    writable."""
    if target.is_dir():
        raise CliError("out_is_folder", path=target)
    _check_folder(target.absolute().parent)


def _check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise CliError("out_folder_is_file", path=folder)
    if not folder.is_dir():
        raise CliError("out_folder_missing", path=folder)
    if not os.access(folder, os.W_OK):  # EROFS or permissions (Windows: the read-only attribute only)
        raise CliError("out_folder_read_only", path=folder)


def _write_failed(target: Path, error: OSError) -> CliError:
    return CliError("write_failed", path=target, reason=os_reason(error))


def _known(code: str, fallback: str) -> str:
    """``code`` if the catalogue has it (a test keeps every enum's values there), else ``fallback``."""
    return code if code in MESSAGES else fallback


# -- the commands -------------------------------------------------------------------------------------------------

def _agent(_args: argparse.Namespace, runtime: Runtime) -> int:
    from app.background.jobs import run_agent
    from app.infra.logs import CLI_LOG_FILE_NAME, setup_logging

    # A long-running job: its log goes to stderr too (after the settings warnings, which were said once).
    setup_logging(runtime.paths.log_dir, to_stderr=True, file_name=CLI_LOG_FILE_NAME)
    return run_agent(runtime)


def _demo_shop(args: argparse.Namespace) -> int:
    from app.shop.demo import MARKER, DemoShopError, create_demo_shop

    root = args.dir.absolute()
    if root.exists() and not root.is_dir():
        raise CliError("demo_not_a_folder", path=root)
    if root.is_dir() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise CliError("demo_not_empty", path=root)
        if not args.force:
            raise CliError("demo_exists", path=root)
    _check_folder(root.parent)  # the shop is made beside DIR, then moved in
    if args.today is not None and not 2000 <= args.today.year <= 2999:
        raise CliError("demo_today_range", value=args.today.isoformat())
    try:
        shop = create_demo_shop(root, today=args.today, seed=args.seed, force=args.force)
    except DemoShopError as exc:
        raise CliError("demo_failed", detail=str(exc)) from None
    except OSError as exc:
        raise _write_failed(Path(exc.filename or root), exc) from None
    print(
        json.dumps(
            {
                "root": str(shop.root),
                "settings": str(shop.settings_file),
                "pos_database": str(shop.pos_database),
                "items": shop.items,
                "invoices": shop.invoices,
                # Every customer-day planted to break the Decree 232 rule: what `check` must report.
                "decree_232_violations": [
                    {"how": v.how, "customer": v.customer, "day": v.day.isoformat(), "total_vnd": v.total_vnd,
                     "not_via_bank_vnd": v.not_via_bank_vnd, "documents": list(v.documents)}
                    for v in shop.violations
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


def _headless(args: argparse.Namespace, command: Callable[[argparse.Namespace, Runtime], int]) -> int:
    from app.bootstrap import bootstrap
    from app.infra.logs import CLI_LOG_FILE_NAME

    try:
        # No log on stderr: what the user must know is said here, once, in the interface language; the log
        # file keeps the rest.
        runtime = bootstrap(args.config, demo=args.demo, log_name=CLI_LOG_FILE_NAME, **args.runtime_options)
    except OSError as exc:  # the data folder: read-only, full, a file in the way
        raise CliError(start_failure(exc)) from None
    language = _interface.language
    for problem in runtime.loaded.problems:
        print(line("warning", _settings_problem(runtime.loaded.path, problem), language), file=sys.stderr)
    for notice in runtime.storage_notices:  # said on every run until a window has shown it (recovery_notice)
        if notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT:
            print(line("warning", Msg.of("storage_recovered", path=notice.path), language), file=sys.stderr)
    try:
        return command(args, runtime)
    except (CliError, StorageError):
        raise
    except OSError as exc:
        raise CliError(os_failure(exc)) from None
    except Exception as exc:  # noqa: BLE001  (a bug: the crash report keeps it)
        raise CliError(_unexpected(exc, runtime)) from None
    finally:
        runtime.close()


def _settings_problem(path: Path, problem: SettingsProblem) -> Msg:
    """A settings problem (data: kind, code, line, key, what is used instead) in words."""
    kind, code = problem.kind.value, getattr(problem.code, "value", str(problem.code))
    line_number = getattr(problem, "line", None)
    where = f"{path}:{line_number}" if line_number else str(path)
    reason = Msg(_known(f"settings_why_{code}", "settings_why_other"))
    last_good = getattr(getattr(problem, "fallback", None), "value", None) == "last_good"
    if kind in ("syntax", "unreadable", "empty", "missing"):
        day = getattr(problem, "last_good_on", None)
        using = (Msg.of("settings_using_last_good", day=f"{day:%d/%m/%Y}") if last_good and day
                 else Msg("settings_using_defaults"))
        return Msg.of("settings_file", where=where, reason=reason, using=using)
    if kind == "unknown_key":
        return Msg.of("settings_unknown_key", where=where, key=problem.key or "")
    if kind == "invalid_value":
        value = str(problem.value)
        return Msg.of("settings_invalid_value", where=where, key=problem.key or "",
                      value=value if len(value) <= 60 else value[:57] + "…", reason=reason,
                      using=Msg("settings_using_last_good_value" if last_good else "settings_using_default_value"))
    return Msg.of("settings_other_problem", where=where, detail=problem.describe())


def _devices(args: argparse.Namespace) -> int:
    if args.devices_command == "test-sheet":
        from app.devices.test_sheet import SheetFormatError, write_test_sheet

        try:
            print(write_test_sheet(args.out))
        except SheetFormatError:
            raise CliError("sheet_not_pdf", name=args.out.name) from None
        except OSError as exc:
            raise _write_failed(args.out, exc) from None
        return 0
    from dataclasses import asdict

    from app.devices.serial_scanner import list_ports

    print(json.dumps([asdict(port) for port in list_ports()], ensure_ascii=False, indent=2))
    return 0


def _template(name: str) -> LabelTemplate:
    """A shipped template by name, or a template file (NAME.json); refused with the names there are."""
    from app.devices.labels import TemplateError, list_templates, load_template

    if Path(name).suffix != ".json":
        names = list_templates()
        if name not in names:
            raise CliError("template_not_found", name=repr(name), choices=", ".join(names))
    elif not Path(name).is_file():
        raise CliError("template_file_not_found", path=name)
    try:
        return load_template(name)
    except TemplateError as exc:
        raise CliError("template_bad", name=name, detail=str(exc)) from None


def _tag_field(field: str, reason: str) -> CliError:
    from app.devices.labels.batch import MAX_RUN

    problem = Msg.of(_known(f"tag_{reason}", "tag_other"),
                     detail=f"1–{MAX_RUN}" if reason == "out_of_range" else reason)
    return CliError("tag_field", field=Msg.of(_known(f"field_{field}", "field_other"), name=field), problem=problem)


def _label(args: argparse.Namespace) -> int:
    """Verify first (a tag whose barcode would not scan is refused), then write or send."""
    from dataclasses import replace

    from app.devices.labels import (
        TagFieldError,
        TagRefused,
        TransportError,
        demo_tag,
        layout_tag,
        prepare_job,
        render_pdf,
        render_png,
        send,
        transfer_seconds,
        verify_tag,
    )
    from pmv_protocol.atomic import write_atomically

    def refused(problem: object) -> CliError:
        return CliError("tag_refused", problem=Msg(_known(f"verify_{getattr(problem, 'value', problem)}",
                                                          "verify_does_not_decode")))

    template = _template(args.template)
    try:
        tag = demo_tag()
        changes = {
            "item_code": args.item_code, "product_name": args.product, "purity_code": args.purity,
            "gross_weight_mg": args.gross_mg, "stone_weight_mg": args.stone_mg, "labour_vnd": args.labour,
            "price_vnd": args.price,
        }
        tag = replace(tag, **{key: value for key, value in changes.items() if value is not None})
        if args.label_lang in ("pdf", "png"):
            if args.count != 1:
                raise CliError("label_count_needs_printer")
            if args.send:
                raise CliError("label_file_only")
            problem = verify_tag(tag, template, args.dpi).problem
            if problem is not None:
                raise refused(problem)
            data = (render_pdf(tag, template, args.dpi) if args.label_lang == "pdf"
                    else render_png(tag, template, args.dpi))
        elif args.count != 1:
            data = _label_run(tag, template, args)
        else:
            data, _verification = prepare_job(tag, template, args.label_lang, args.dpi, font=args.font)
        note = layout_tag(tag, template, args.dpi).note  # a 2D code because Code 128 did not fit: say so
        if note is not None:
            language = _interface.language
            print(line("note", Msg(f"layout_{note.value}"), language), file=sys.stderr)
        if args.out is not None:
            try:
                write_atomically(args.out, data)
            except OSError as exc:
                raise _write_failed(args.out, exc) from None
            print(args.out)
        else:
            send(data, args.send, write_timeout=transfer_seconds(len(data), args.send))
            print(json.dumps({"sent": len(data), "to": args.send}))
    except TagFieldError as exc:
        raise _tag_field(exc.field, exc.reason) from None
    except TagRefused as exc:
        raise refused(exc.problem) from None
    except TransportError as exc:
        raise CliError("print_failed", target=args.send,
                       problem=Msg(_known(f"transport_{exc.kind.value}", "transport_not_reachable"))) from None
    return 0


def _label_run(tag: JewelleryTag, template: LabelTemplate, args: argparse.Namespace) -> bytes:
    """The printer tab's "In loạt tem" from the command line: rendered and verified in the worker process."""
    import threading

    from app.devices.labels.batch import RunFailed, numbered_tags, render_run

    tags = numbered_tags(tag, args.count)  # TagFieldError: reported by the caller
    try:
        data = render_run(tags, template, args.label_lang, args.dpi, cancel=threading.Event(),
                          progress=lambda _fraction, _code: None, font=args.font)
    except RunFailed as exc:
        raise CliError("label_run_failed", detail=str(exc)) from None
    assert data is not None  # never cancelled here
    return data


def _updates(args: argparse.Namespace, runtime: Runtime) -> int:
    from dataclasses import asdict

    from app.updates.install import PackStoreError
    from app.updates.service import NotConfigured, RollbackRefused, Updater
    from app.updates.targets import UpdateError
    from pmv_protocol.packs import PackError

    def plain(value: object) -> object:
        return json.loads(json.dumps(value, default=str, ensure_ascii=False))

    updater = Updater(runtime)
    try:
        if args.updates_command == "check":
            result: object = [plain(asdict(target)) for target in updater.check()]
        elif args.updates_command == "list":
            result = [plain(asdict(pack)) for pack in
                      [*runtime.pack_store.installed(), *runtime.calendar_store.installed()]]
        elif args.updates_command == "install":
            run = updater.run()
            if run.error is not None:
                raise run.error
            _say_refused_packs(run.refused_packs)
            result = {"installed": [plain(asdict(r)) for r in [*run.installed, *run.calendars]],
                      "app_update": run.app_update.version if run.app_update else None,
                      "refused": [{"path": t.path, "version": t.version} for t in run.refused_packs]}
        elif args.updates_command == "import":
            result = _import_offline(updater, args.folder)
        else:
            result = plain(asdict(updater.rollback(args.pack_id)))
    except NotConfigured:
        raise CliError("updates_not_configured") from None
    except UpdateError as exc:
        raise update_failure(exc) from None
    except RollbackRefused as exc:
        raise CliError(f"rollback_{exc.reason}", pack=repr(exc.pack_id)) from None
    except PackStoreError:
        raise CliError("packs_busy") from None
    except PackError as exc:
        raise CliError("pack_invalid", detail=str(exc)) from None
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _say_refused_packs(refused: list[AvailableTarget]) -> None:
    """A warning line for each signed pack this version could not read (the run went on without it)."""
    for target in refused:
        print(line("warning", Msg.of("pack_refused", pack=target.title_vi or target.target_id, version=target.version),
                   _interface.language), file=sys.stderr)


def update_failure(error: UpdateError) -> CliError:
    """Said from the error's kind, once, in words: its text repeats the kind and carries the library's
    exception, which is for the log.  A refused offline copy says what is wrong with the copy instead."""
    from app.infra.formatting import format_date
    from app.updates.offline import OfflineCopyRefused, OfflineRefusal

    if isinstance(error, OfflineCopyRefused):
        if error.problem is OfflineRefusal.STALE and error.expired_on is not None:
            return CliError("usb_stale", expired=format_date(error.expired_on), days=error.days_ago)
        if error.problem is not OfflineRefusal.STALE:
            return CliError(f"usb_{error.problem.value}")
    return CliError(_known(f"update_{error.kind.value}", "update_network"))


def _import_offline(updater: Updater, folder: Path) -> dict[str, object]:
    """``updates import DIR``: the copy verified and installed as a download is (app/updates/offline.py)."""
    from app.updates.offline import CopyFolderError, import_offline

    try:
        run = import_offline(updater, folder)
    except CopyFolderError as exc:
        raise CliError(f"usb_{exc.problem.value}", path=folder) from None
    if run.error is not None:
        raise run.error
    _say_refused_packs(run.refused_packs)
    return {
        "source": run.source.value,
        "installed": [{"id": r.pack_id, "version": r.version, "previous_version": r.previous_version}
                      for r in [*run.installed, *run.calendars] if not r.unchanged],
        "app_update": run.app_update.version if run.app_update else None,
        "app_staged": run.app_staged.version if run.app_staged else None,
        "app_not_staged": run.app_stage_error.problem.value if run.app_stage_error else None,
        "held_back": [{"path": t.path, "version": t.version} for t in run.held_back],
        "refused": [{"path": t.path, "version": t.version} for t in run.refused_packs],
    }


def _bundle(args: argparse.Namespace, runtime: Runtime) -> int:
    from app.technician.support_bundle import write_support_bundle

    try:
        result = write_support_bundle(runtime, args.out, with_health=args.with_health)
    except OSError as exc:
        raise _write_failed(args.out, exc) from None
    print(json.dumps({"bundle": str(result.path), "parts": result.parts, "redacted": result.redacted},
                     ensure_ascii=False))
    return 0


def _check(args: argparse.Namespace, runtime: Runtime) -> int:
    """Prints JSON (or the Nagios line) and exits by the verdict, both ways: 0 OK, 1 WARNING, 2 CRITICAL,
    3 UNKNOWN."""
    from app.health.output import nagios, to_json
    from app.health.registry import remedies
    from app.health.report_pdf import write_report
    from app.health.service import categories, run_health

    report = run_health(runtime)
    if args.report is not None:
        try:
            write_report(report, runtime.settings.shop, categories(), remedies(), args.report)
        except OSError as exc:
            raise _write_failed(args.report, exc) from None
    nagios_line, code = nagios(report)
    print(nagios_line if args.nagios else to_json(report, remedies()))
    if report.not_recorded is not None:  # the verdict stands: it is what the checks found
        reason = Msg.of(f"storage_{report.not_recorded.value}", path=runtime.database.path)
        print(line("warning", Msg.of("health_not_recorded", reason=reason), _interface.language), file=sys.stderr)
    return code


def _usable_vendor_url(url: str) -> bool:
    """As setup will write it (``[vendor] base_url``): checked before it enrols with it or writes anything."""
    from app.infra.settings import VendorSettings
    from app.setup.finish import vendor_at

    try:
        vendor_at(VendorSettings(), url)
    except ValueError:
        return False
    return True


def _contract_reason(error: object) -> Msg:
    problem = getattr(getattr(error, "problem", None), "value", "malformed")
    return Msg(_known(f"contract_{problem}", "contract_malformed"))


def _warranty(args: argparse.Namespace, runtime: Runtime) -> int:
    from app.warranty.certificate import write_certificate
    from app.warranty.service import RefreshOutcome
    from pmv_protocol.contract import ContractError
    from pmv_protocol.coverage import coverage_on

    language = _interface.language
    service = runtime.contract_service()
    today = args.today or runtime.shop_today()
    if args.import_file is not None:
        had_one = service.cached().contract is not None
        try:
            service.import_file(args.import_file)
        except FileNotFoundError:
            raise CliError("contract_file_not_found", path=args.import_file) from None
        except ContractError as exc:
            raise CliError("contract_refused", path=args.import_file, reason=_contract_reason(exc),
                           kept=Msg("contract_kept" if had_one else "contract_none_kept")) from None
    warning = None
    if args.refresh:
        result = service.refresh()
        if result.outcome is RefreshOutcome.REFUSED:
            warning = Msg.of("refresh_refused", reason=_contract_reason(result.contract_error))
        elif result.outcome is RefreshOutcome.OFFLINE:
            kind = getattr(getattr(result.api_error, "kind", None), "value", "offline")
            warning = Msg.of("refresh_offline", reason=Msg(_known(f"api_{kind}", "api_offline")))
    cached = service.cached()
    if warning and cached.contract is None and not cached.error:  # no saved contract to fall back on: one error
        raise CliError("refresh_failed_no_contract", reason=warning.params["reason"])
    if warning:
        print(line("warning", warning, language), file=sys.stderr)
    if cached.contract is None:
        if cached.error:
            raise CliError("warranty_saved_invalid", reason=_contract_reason(cached.error))
        raise CliError("warranty_no_contract")
    contract = cached.contract
    if args.certificate:
        try:
            write_certificate(contract, runtime.settings.shop, today, args.certificate, language)
        except OSError as exc:
            raise _write_failed(args.certificate, exc) from None
        print(args.certificate)
        return 0
    coverage = coverage_on(contract, today)
    maintenance = coverage.maintenance
    print(json.dumps({
        "shop_id": contract.shop_id,
        "shop_name": contract.shop_name,
        "package": contract.package_code,
        "warranty_months": contract.warranty_months,
        "accepted_on": contract.accepted_on.isoformat(),
        "day": today.isoformat(),
        "status": coverage.status.value,
        "warranty_ends": coverage.warranty_ends.isoformat(),
        "maintenance": None if maintenance is None else {
            "start": maintenance.start.isoformat(), "end": maintenance.end.isoformat(), "tier": maintenance.tier,
        },
        "priority": coverage.priority,
        "days_left": coverage.days_left,
        "ending_soon": coverage.ending_soon,
        "covered_until": coverage.covered_until.isoformat() if coverage.covered_until else None,
        "issued_at": contract.issued_at.isoformat(),
        "contract_number": contract.contract_number,
        "vendor": None if contract.vendor is None else contract.vendor.to_payload(),
    }, ensure_ascii=False, indent=2))
    return 0


def _shop_token(args: argparse.Namespace, runtime: Runtime) -> int:
    if not args.token.strip():
        raise CliError("token_empty")
    try:
        where = runtime.token_store.set(args.token)
    except OSError as exc:
        raise CliError("token_not_stored", reason=os_reason(exc)) from None
    print(json.dumps({"stored_in": where}))
    return 0


def _setup(args: argparse.Namespace, runtime: Runtime) -> int:
    """The wizard's steps headless (app/setup/headless.py); one line on stderr for each way it stops."""
    from app.setup.enrolment import EnrolmentError
    from app.setup.environment import SetupEnvironment
    from app.setup.headless import HeadlessRequest, SetupStop, SetupStopped, run_setup
    from pmv_protocol.contract import ContractError

    if bool(args.token) != (args.contract is not None):
        raise CliError("setup_offline_half")
    if args.contract is not None and not Path(args.contract).is_file():
        raise CliError("setup_contract_missing", path=args.contract)
    if args.vendor_url and not _usable_vendor_url(args.vendor_url):
        raise CliError("setup_vendor_url", url=repr(args.vendor_url))
    environment = SetupEnvironment.for_runtime(runtime)
    if args.vendor_url:
        environment.vendor_url = args.vendor_url
    request = HeadlessRequest(pos_dir=args.pos_dir, code=args.enrol, token=args.token, contract_file=args.contract,
                              vendor_url=args.vendor_url)
    try:
        outcome = run_setup(runtime, environment, request)
    except SetupStopped as stop:
        if stop.stop is SetupStop.POS_NOT_FOUND:
            if args.pos_dir is not None:
                raise CliError("setup_pos_not_at", path=args.pos_dir) from None
            raise CliError("setup_pos_not_found") from None
        if stop.stop is SetupStop.DATABASE_UNUSABLE and stop.install is not None and stop.proof is not None:
            problem = stop.proof.problem.value if stop.proof.problem else "server_error"
            raise CliError("setup_database", problem=Msg(_known(f"setup_proof_{problem}", "setup_proof_server_error")),
                           path=stop.install.database or stop.install.url) from None
        raise CliError("setup_not_enrolled") from None
    except EnrolmentError as exc:
        raise CliError(_enrol_message(exc)) from None
    except ContractError as exc:
        raise CliError("setup_contract", reason=_contract_reason(exc)) from None
    except OSError as exc:
        raise CliError("setup_not_written", reason=os_reason(exc)) from None
    written, proof, shop = outcome.written, outcome.proof, outcome.shop
    print(json.dumps({
        "settings_file": str(written.settings_file),
        "previous_settings": str(written.backup) if written.backup else None,
        "shop": {"shop_id": shop.shop_id, "name": shop.name, "address": shop.address, "phone": shop.phone},
        "pos": {"install_dir": str(outcome.install.install_dir), "version": proof.pos_version,
                "newest_invoice": proof.newest_invoice.isoformat() if proof.newest_invoice else None},
        "contract": None if written.contract is None else written.contract.contract_number or "",
        "verdict": outcome.report.verdict.value,
        "not_ok": [{"check": r.check_id, "status": r.status.value, "summary": r.summary}
                   for r in outcome.report.results if r.status.value not in ("ok", "skipped")],
    }, ensure_ascii=False, indent=2))
    return 0


def _enrol_message(exc: EnrolmentError) -> Msg:
    from app.setup.enrolment import EnrolFailure

    failure = exc.failure
    if failure is EnrolFailure.FORMAT:
        return Msg.of("enrol_format", position=exc.position) if exc.position else Msg.of("enrol_format_any")
    if failure is EnrolFailure.THROTTLED:
        return Msg.of("enrol_throttled", minutes=max(1, -(-(exc.retry_after or 60) // 60)))
    if failure is EnrolFailure.CONTRACT_REFUSED:
        return Msg.of("enrol_contract", reason=exc.detail)
    if failure in (EnrolFailure.UNKNOWN, EnrolFailure.EXPIRED, EnrolFailure.USED):
        return Msg.of(f"enrol_{failure.value}")
    reason = {EnrolFailure.OFFLINE: "api_offline", EnrolFailure.TIMEOUT: "api_timeout",
              EnrolFailure.SERVER: "api_server"}.get(failure, "api_bad_response")
    return Msg.of("enrol_unreachable", reason=Msg.of(reason))


def _json_list(text: str, option: str) -> list[str]:
    try:
        value = json.loads(text)
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise ValueError
    except ValueError:
        raise CliError("json_list_expected", option=option, value=repr(text)) from None
    return value


# Sub-commands, by what they need (main() dispatches through these).
_STANDALONE: dict[str, Callable[[argparse.Namespace], int]] = {}
_WITH_RUNTIME: dict[str, Callable[[argparse.Namespace, Runtime], int]] = {}


def _apply_update(args: argparse.Namespace) -> int:
    """The update helper (app/updates/app_swap.py): runs after the app has exited, so no runtime here."""
    from app.infra.logs import setup_logging
    from app.updates.app_swap import AppSwapper

    relaunch, restart = _json_list(args.relaunch, "--relaunch"), _json_list(args.restart, "--restart")
    if not args.data.is_dir():
        raise CliError("data_folder_missing", path=args.data)
    try:
        setup_logging(args.data / "logs", file_name="update-helper.log")
    except OSError as exc:
        raise CliError(start_failure(exc, args.data)) from None
    outcome = AppSwapper(args.data).apply(wait_pid=args.wait_pid, relaunch_args=relaunch, restart_command=restart)
    print(outcome.to_json() if outcome else json.dumps({"result": "nothing pending"}))
    return 0 if outcome is None or outcome.result.value == "applied" else 2


def _gui(args: argparse.Namespace) -> int:
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        raise CliError("screenshot_not_png", path=args.screenshot)
    from app.ui.startup import run_gui  # Qt is loaded only from here

    return run_gui(args)


def _tray_jobs(args: argparse.Namespace) -> int:
    """The tray's job process (app/background/job_process.py): its own log file, the report even when the data fails."""
    from app.background.job_process import run_tray_jobs, write_report
    from app.bootstrap import bootstrap
    from app.infra.logs import JOBS_LOG_FILE_NAME

    relaunch = _json_list(args.relaunch, "--relaunch")
    try:
        runtime = bootstrap(args.config, demo=args.demo, log_name=JOBS_LOG_FILE_NAME, start_demo_vendor=False,
                            **args.runtime_options)
    except (StorageError, OSError) as exc:
        try:
            write_report(args.report, {"fatal": f"{type(exc).__name__}: {exc}"})  # the tray loads the app to say it
        except OSError:
            pass  # the line below still says it; the tray sees a job process that failed
        raise CliError(start_failure(exc)) from None
    try:
        report = run_tray_jobs(runtime, args.jobs, tray_pid=args.tray_pid, relaunch=relaunch, first=args.first)
    finally:
        runtime.close()
    write_report(args.report, report)
    return 0


_STANDALONE.update({"devices": _devices, "label": _label, "apply-update": _apply_update, "tray-jobs": _tray_jobs})
_WITH_RUNTIME.update({
    "check": _check, "warranty": _warranty, "updates": _updates, "bundle": _bundle, "agent": _agent,
    "shop-token": _shop_token, "setup": _setup,
})
