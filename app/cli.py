"""Command line: ``pmv-support``.

Without a sub-command it opens the GUI; sub-commands are headless, print
JSON where they report something, and never load Qt.  Any bad input exits
non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_ID, APP_NAME, __version__

from app.navigation import PAGE_KEYS
from app.storage.errors import StorageError

if TYPE_CHECKING:
    from app.devices.labels import JewelleryTag, LabelTemplate
    from app.runtime import Runtime


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


# The sub-commands, known without building their parsers (a test checks this against build_parser()).
COMMANDS = ("demo-shop", "check", "devices", "label", "updates", "bundle", "agent", "warranty", "apply-update",
            "tray-jobs", "shop-token")


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The CLI's parser; ``commands=False``: the GUI's options only (building every sub-command's parser is
    ~7 ms of a start whose budget is counted in tens of milliseconds: tests/bench/cold_start.py)."""
    parser = argparse.ArgumentParser(
        prog=APP_ID,
        description=f"{APP_NAME}: health checks, support requests, warranty and devices for PMV gold shops.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML) to use")
    parser.add_argument("--lang", choices=["vi", "en"], help="interface language (default: from settings, vi)")
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
    if not commands:
        parser.set_defaults(command=None)
        return parser
    from app.tray_jobs import JOBS

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo-shop", help="write a sample shop (POS database, backups, logs, settings) to DIR")
    demo.add_argument("dir", type=Path, metavar="DIR")
    demo.add_argument("--force", action="store_true", help="recreate a demo shop that already exists in DIR")
    demo.add_argument("--today", type=_date, help="date the shop's data ends on (default: today)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same shop)")
    demo.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    check = sub.add_parser("check", help="run the health checks of the shop's system")
    mode = check.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print every result as JSON (the default)")
    mode.add_argument("--nagios", action="store_true", help="print one Nagios line; exit 0/1/2/3")
    check.add_argument("--report", type=Path, metavar="FILE", help="also write the PDF report")
    check.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    devices = sub.add_parser("devices", help="barcode device tools")
    devices_sub = devices.add_subparsers(dest="devices_command", required=True, metavar="ACTION")
    sheet = devices_sub.add_parser("test-sheet", help="write the printable scanner test sheet (PDF)")
    sheet.add_argument("out", type=Path, metavar="FILE")
    ports = devices_sub.add_parser("ports", help="list serial ports as JSON")
    for sub_parser in (sheet, ports):
        sub_parser.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS,
                                default=argparse.SUPPRESS)

    label = sub.add_parser("label", help="render or print a jewellery tag (ZPL, TSPL, EZPL, PDF, PNG)")
    label.add_argument("--lang", dest="label_lang", required=True, choices=["zpl", "tspl", "ezpl", "pdf", "png"])
    label.add_argument("--dpi", type=int, choices=[203, 300], default=203)
    label.add_argument("--template", default="rat_tail_75x10", help="label template (resources/labels/NAME.json)")
    label.add_argument("--item-code", default=None, help="the barcode content (default: the demo tag's)")
    label.add_argument("--product", help="product name, e.g. 'Nhẫn cưới 18K'")
    label.add_argument("--purity", help="purity code, e.g. 750 or 9999")
    label.add_argument("--gross-mg", type=int, help="gross weight in milligrams")
    label.add_argument("--stone-mg", type=int, help="stone weight in milligrams")
    label.add_argument("--labour", type=int, help="labour charge (tiền công) in VND")
    label.add_argument("--price", type=int, help="price in VND")
    label.add_argument("--font", help="a TrueType font loaded on the printer (keeps Vietnamese on TSPL/EZPL)")
    label.add_argument("--count", type=int, default=1, metavar="N",
                       help="a run of N tags (up to 1000) whose item codes count up, in one job (zpl/tspl/ezpl)")
    where = label.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="FILE", help="write the job to a file")
    where.add_argument("--send", metavar="TARGET", help="tcp://host:9100, serial:///dev/ttyUSB0?baud=9600, spooler://NAME")
    label.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    updates = sub.add_parser("updates", help="regulation packs and app updates (TUF-signed)")
    updates_sub = updates.add_subparsers(dest="updates_command", required=True, metavar="ACTION")
    for name, text in (("check", "refresh the signed metadata and list what is offered"),
                       ("list", "list the installed regulation packs"),
                       ("install", "download and install what is new (packs now; app updates are staged for the next start)")):
        action = updates_sub.add_parser(name, help=text)
        action.add_argument("--json", action="store_true", help="JSON output (the default)")
        action.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    rollback = updates_sub.add_parser("rollback", help="switch a pack back to its previous version")
    rollback.add_argument("pack_id")
    rollback.add_argument("--json", action="store_true")
    rollback.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    bundle = sub.add_parser("bundle", help="write the redacted diagnostics bundle (zip) for sending by any channel")
    bundle.add_argument("out", type=Path, metavar="FILE")
    bundle.add_argument("--with-health", action="store_true", help="run the health checks and include the report")
    bundle.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    agent = sub.add_parser("agent", help="run the background jobs without a window (checks, outbox, updates)")
    agent.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    warranty = sub.add_parser("warranty", help="warranty and maintenance coverage from the signed contract")
    warranty.add_argument("--json", action="store_true", help="print the coverage as JSON (the default)")
    warranty.add_argument("--certificate", type=Path, metavar="FILE", help="write the warranty certificate PDF")
    warranty.add_argument("--refresh", action="store_true", help="fetch the contract from the vendor server first")
    warranty.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                          help="import a signed contract file first")
    warranty.add_argument("--today", type=_date, help="coverage on this day (default: today)")
    warranty.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    swap = sub.add_parser("apply-update", help="(started by the app) apply a staged app update once the app exits")
    swap.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
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
    jobs.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)

    token = sub.add_parser("shop-token", help="store the shop token the vendor issued (kept in the OS keyring)")
    token.add_argument("token", help="the token printed by pmv-vendor add-shop")
    token.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    return parser


_GUI_VALUE_OPTIONS = ("--config", "--lang", "--screenshot", "--page")


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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(commands=not _is_gui_start(argv)).parse_args(argv)
    try:
        if args.command == "demo-shop":
            return _demo_shop(args)
        if args.config is not None and not args.config.is_file():
            raise CliError(f"settings file not found: {args.config}")
        if args.command is None:
            return _gui(args)
        if args.command in _STANDALONE:  # no settings, database or runtime needed
            return _STANDALONE[args.command](args)
        return _headless(args, _WITH_RUNTIME[args.command])
    except CliError as exc:
        print(f"{APP_ID}: error: {exc}", file=sys.stderr)
        return 1
    except StorageError as exc:
        print(f"{APP_ID}: error: the app's database cannot be used ({exc})", file=sys.stderr)
        return 1


def _agent(_args: argparse.Namespace, runtime: Runtime) -> int:
    from app.agent_jobs import run_agent

    return run_agent(runtime)


def _demo_shop(args: argparse.Namespace) -> int:
    from app.shop.demo import DemoShopError, create_demo_shop

    try:
        shop = create_demo_shop(args.dir, today=args.today, seed=args.seed, force=args.force)
    except (DemoShopError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(
        json.dumps(
            {
                "root": str(shop.root),
                "settings": str(shop.settings_file),
                "pos_database": str(shop.pos_database),
                "items": shop.items,
                "invoices": shop.invoices,
                "cash_over_limit": {
                    "customer": shop.over_limit_customer,
                    "day": shop.over_limit_day.isoformat(),
                    "invoices": list(shop.over_limit_invoices),
                },
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


def _headless(args: argparse.Namespace, command: Callable[[argparse.Namespace, Runtime], int]) -> int:
    from app.runtime import bootstrap

    from app.logs import CLI_LOG_FILE_NAME

    runtime = bootstrap(args.config, demo=args.demo, log_to_stderr=True, log_name=CLI_LOG_FILE_NAME)
    for problem in runtime.loaded.problems:
        print(f"{APP_ID}: warning: {runtime.loaded.path}: {problem.describe()}", file=sys.stderr)
    try:
        return command(args, runtime)
    finally:
        runtime.close()


def _devices(args: argparse.Namespace) -> int:
    if args.devices_command == "test-sheet":
        from app.devices.test_sheet import write_test_sheet

        try:
            print(write_test_sheet(args.out))
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc}") from None
        return 0
    from dataclasses import asdict

    from app.devices.serial_scanner import list_ports

    print(json.dumps([asdict(port) for port in list_ports()], ensure_ascii=False, indent=2))
    return 0


def _label(args: argparse.Namespace) -> int:
    """Verify first (a tag whose barcode would not scan is refused), then write or send."""
    from dataclasses import replace

    from app.atomic import write_atomically
    from app.devices.labels import (
        TagFieldError,
        TagRefused,
        TemplateError,
        TransportError,
        demo_tag,
        load_template,
        prepare_job,
        render_pdf,
        render_png,
        send,
        transfer_seconds,
        verify_tag,
    )

    try:
        template = load_template(args.template)
        tag = demo_tag()
        changes = {
            "item_code": args.item_code, "product_name": args.product, "purity_code": args.purity,
            "gross_weight_mg": args.gross_mg, "stone_weight_mg": args.stone_mg, "labour_vnd": args.labour,
            "price_vnd": args.price,
        }
        tag = replace(tag, **{key: value for key, value in changes.items() if value is not None})
        if args.label_lang in ("pdf", "png"):
            if args.count != 1:
                raise CliError("a run of tags (--count) is a printer job: use --lang zpl, tspl or ezpl")
            if args.send:
                raise CliError("PDF and PNG tags can only be written to a file (--out)")
            problem = verify_tag(tag, template, args.dpi).problem
            if problem is not None:
                raise CliError(f"tag refused before printing: {problem.value}")
            data = render_pdf(tag, template, args.dpi) if args.label_lang == "pdf" else render_png(tag, template, args.dpi)
        elif args.count != 1:
            data = _label_run(tag, template, args)
        else:
            data, _verification = prepare_job(tag, template, args.label_lang, args.dpi, font=args.font)
        if args.out is not None:
            write_atomically(args.out, data)
            print(args.out)
        else:
            send(data, args.send, write_timeout=transfer_seconds(len(data), args.send))
            print(json.dumps({"sent": len(data), "to": args.send}))
    except TagFieldError as exc:
        raise CliError(f"bad tag value: {exc}") from None
    except TagRefused as exc:
        raise CliError(f"tag refused before printing: {exc}") from None
    except TransportError as exc:
        raise CliError(f"could not print: {exc}") from None
    except (TemplateError, OSError) as exc:
        raise CliError(str(exc)) from None
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
        raise CliError(str(exc)) from None
    assert data is not None  # never cancelled here
    return data


def _updates(args: argparse.Namespace, runtime: Runtime) -> int:
    from dataclasses import asdict

    from app.updates.install import PackError
    from app.updates.service import NotConfigured, Updater
    from app.updates.tuf_client import UpdateError

    def plain(value: object) -> object:
        return json.loads(json.dumps(value, default=str, ensure_ascii=False))

    updater = Updater(runtime)
    try:
        if args.updates_command == "check":
            result: object = [plain(asdict(target)) for target in updater.check()]
        elif args.updates_command == "list":
            result = [plain(asdict(pack)) for pack in runtime.pack_store.installed()]
        elif args.updates_command == "install":
            run = updater.run()
            if run.error is not None:
                raise UpdateError(run.error.kind, str(run.error))
            result = {"installed": [plain(asdict(r)) for r in run.installed],
                      "app_update": run.app_update.version if run.app_update else None}
        else:
            result = plain(asdict(updater.rollback(args.pack_id)))
    except NotConfigured as exc:
        raise CliError(f"updates are not configured: {exc}") from None
    except UpdateError as exc:
        raise CliError(f"update refused or failed ({exc.kind.value}): {exc}; nothing was installed") from None
    except (PackError, LookupError, ValueError) as exc:
        raise CliError(str(exc)) from None
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _bundle(args: argparse.Namespace, runtime: Runtime) -> int:
    from app.technician.support_bundle import write_support_bundle

    try:
        result = write_support_bundle(runtime, args.out, with_health=args.with_health)
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc}") from None
    print(json.dumps({"bundle": str(result.path), "parts": result.parts, "redacted": result.redacted},
                     ensure_ascii=False))
    return 0


def _check(args: argparse.Namespace, runtime: Runtime) -> int:
    from app.health.output import nagios, to_json
    from app.health.registry import remedies
    from app.health.report_pdf import write_report
    from app.health.service import categories, run_health

    report = run_health(runtime)
    if args.report is not None:
        try:
            write_report(report, runtime.settings.shop, categories(), remedies(), args.report)
        except OSError as exc:
            raise CliError(f"cannot write {args.report}: {exc}") from None
    if args.nagios:
        line, code = nagios(report)
        print(line)
        return code
    print(to_json(report, remedies()))
    return 0


def _warranty(args: argparse.Namespace, runtime: Runtime) -> int:
    from app.warranty.certificate import write_certificate
    from app.warranty.contract import ContractError
    from app.warranty.coverage import coverage_on
    from app.warranty.service import RefreshOutcome

    service = runtime.contract_service()
    today = args.today or dt.date.today()
    if args.import_file is not None:
        try:
            service.import_file(args.import_file)
        except FileNotFoundError:
            raise CliError(f"contract file not found: {args.import_file}") from None
        except ContractError as exc:
            raise CliError(f"contract refused ({exc}); the previous contract stays in force") from None
    warning = None
    if args.refresh:
        result = service.refresh()
        if result.outcome is RefreshOutcome.REFUSED:
            warning = f"the vendor server sent a contract that was refused ({result.contract_error})"
        elif result.outcome is RefreshOutcome.OFFLINE:
            warning = f"could not refresh from the vendor server ({result.api_error}); using the saved contract"
    if warning:
        print(f"{APP_ID}: warning: {warning}", file=sys.stderr)
    cached = service.cached()
    if cached.contract is None:
        reason = f"the saved contract does not verify ({cached.error})" if cached.error else "no contract yet"
        raise CliError(f"{reason}; run with --refresh, or --import FILE")
    contract = cached.contract
    if args.certificate:
        try:
            write_certificate(contract, runtime.settings.shop, today, args.certificate)
        except OSError as exc:
            raise CliError(f"cannot write {args.certificate}: {exc}") from None
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
    }, ensure_ascii=False, indent=2))
    return 0


def _shop_token(args: argparse.Namespace, runtime: Runtime) -> int:
    try:
        where = runtime.token_store.set(args.token)
    except (ValueError, OSError) as exc:
        raise CliError(f"cannot store the token: {exc}") from None
    print(json.dumps({"stored_in": where}))
    return 0


# Sub-commands, by what they need (main() dispatches through these).
_STANDALONE: dict[str, Callable[[argparse.Namespace], int]] = {}
_WITH_RUNTIME: dict[str, Callable[[argparse.Namespace, Runtime], int]] = {}


def _apply_update(args: argparse.Namespace) -> int:
    """The update helper (app/updates/app_swap.py): runs after the app has exited, so no runtime here."""
    from app.logs import setup_logging
    from app.updates.app_swap import AppSwapper

    def json_list(text: str, option: str) -> list[str]:
        try:
            value = json.loads(text)
            if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
                raise ValueError
        except ValueError:
            raise CliError(f"{option} must be a JSON list of strings: {text}") from None
        return value

    relaunch, restart = json_list(args.relaunch, "--relaunch"), json_list(args.restart, "--restart")
    setup_logging(args.data / "logs", file_name="update-helper.log")
    outcome = AppSwapper(args.data).apply(wait_pid=args.wait_pid, relaunch_args=relaunch, restart_command=restart)
    print(outcome.to_json() if outcome else json.dumps({"result": "nothing pending"}))
    return 0 if outcome is None or outcome.result.value == "applied" else 2


def _gui(args: argparse.Namespace) -> int:
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        raise CliError(f"--screenshot needs a .png file name: {args.screenshot}")
    from app.ui.startup import run_gui  # Qt is loaded only from here

    return run_gui(args)


def _tray_jobs(args: argparse.Namespace) -> int:
    """The tray's job process (app/tray_jobs.py): its own log file, the report even when the data fails."""
    from app.logs import JOBS_LOG_FILE_NAME
    from app.runtime import bootstrap
    from app.tray_jobs import run_tray_jobs, write_report

    try:
        relaunch = [str(arg) for arg in json.loads(args.relaunch)]
    except (ValueError, TypeError):
        raise CliError("--relaunch must be a JSON list") from None
    try:
        runtime = bootstrap(args.config, demo=args.demo, log_name=JOBS_LOG_FILE_NAME, start_demo_vendor=False)
    except StorageError as exc:
        write_report(args.report, {"fatal": f"{type(exc).__name__}: {exc}"})  # the tray loads the app to say it
        raise
    try:
        report = run_tray_jobs(runtime, args.jobs, tray_pid=args.tray_pid, relaunch=relaunch, first=args.first)
    finally:
        runtime.close()
    write_report(args.report, report)
    return 0


_STANDALONE.update({"devices": _devices, "label": _label, "apply-update": _apply_update, "tray-jobs": _tray_jobs})
_WITH_RUNTIME.update({
    "check": _check, "warranty": _warranty, "updates": _updates, "bundle": _bundle, "agent": _agent,
    "shop-token": _shop_token,
})
