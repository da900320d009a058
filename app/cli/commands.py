"""The other sub-commands: the runtime they share (:func:`run_headless`), ``check``, ``bundle``, ``agent``,
``shop-token``, ``demo-shop``, the tray's job process, and the GUI's start."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CliError, check_folder, interface, json_list, known, unexpected, write_failed
from app.cli_texts import Msg, line, os_failure, os_reason, start_failure
from app.storage.errors import NoticeKind, StorageError

if TYPE_CHECKING:
    from app.infra.settings import SettingsProblem
    from app.runtime import Runtime


def agent_command(_args: argparse.Namespace, runtime: Runtime) -> int:
    from app.background.jobs import run_agent
    from app.infra.logs import CLI_LOG_FILE_NAME, setup_logging

    # A long-running job: its log goes to stderr too (after the settings warnings, which were said once).
    setup_logging(runtime.paths.log_dir, to_stderr=True, file_name=CLI_LOG_FILE_NAME)
    return run_agent(runtime)


def demo_shop_command(args: argparse.Namespace) -> int:
    from app.shop.demo import MARKER, DemoShopError, create_demo_shop

    root = args.dir.absolute()
    if root.exists() and not root.is_dir():
        raise CliError("demo_not_a_folder", path=root)
    if root.is_dir() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise CliError("demo_not_empty", path=root)
        if not args.force:
            raise CliError("demo_exists", path=root)
    check_folder(root.parent)  # the shop is made beside DIR, then moved in
    if args.today is not None and not 2000 <= args.today.year <= 2999:
        raise CliError("demo_today_range", value=args.today.isoformat())
    try:
        shop = create_demo_shop(root, today=args.today, seed=args.seed, force=args.force)
    except DemoShopError as exc:
        raise CliError("demo_failed", detail=str(exc)) from None
    except OSError as exc:
        raise write_failed(Path(exc.filename or root), exc) from None
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


def run_headless(args: argparse.Namespace, command: Callable[[argparse.Namespace, Runtime], int]) -> int:
    from app.bootstrap import bootstrap
    from app.infra.logs import CLI_LOG_FILE_NAME

    try:
        # No log on stderr: what the user must know is said here, once, in the interface language; the log
        # file keeps the rest.
        runtime = bootstrap(args.config, demo=args.demo, log_name=CLI_LOG_FILE_NAME, **args.runtime_options)
    except OSError as exc:  # the data folder: read-only, full, a file in the way
        raise CliError(start_failure(exc)) from None
    language = interface.language
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
        raise CliError(unexpected(exc, runtime)) from None
    finally:
        runtime.close()


def _settings_problem(path: Path, problem: SettingsProblem) -> Msg:
    """A settings problem (data: kind, code, line, key, what is used instead) in words."""
    kind, code = problem.kind.value, getattr(problem.code, "value", str(problem.code))
    line_number = getattr(problem, "line", None)
    where = f"{path}:{line_number}" if line_number else str(path)
    reason = Msg(known(f"settings_why_{code}", "settings_why_other"))
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


def bundle_command(args: argparse.Namespace, runtime: Runtime) -> int:
    from app.technician.support_bundle import write_support_bundle

    try:
        result = write_support_bundle(runtime, args.out, with_health=args.with_health)
    except OSError as exc:
        raise write_failed(args.out, exc) from None
    print(json.dumps({"bundle": str(result.path), "parts": result.parts, "redacted": result.redacted},
                     ensure_ascii=False))
    return 0


def check_command(args: argparse.Namespace, runtime: Runtime) -> int:
    """Prints JSON (or the Nagios line) and exits by the verdict, both ways: 0 OK, 1 WARNING, 2 CRITICAL,
    3 UNKNOWN."""
    from app.health.output import nagios, to_json, verdict_exit_code
    from app.health.registry import remedies
    from app.health.report_pdf import write_report
    from app.health.service import categories, run_health

    report = run_health(runtime)
    if args.report is not None:
        try:
            write_report(report, runtime.settings.shop, categories(), remedies(), args.report)
        except OSError as exc:
            raise write_failed(args.report, exc) from None
    nagios_line, nagios_code = nagios(report)
    print(nagios_line if args.nagios else to_json(report, remedies()))
    code = nagios_code if args.nagios else verdict_exit_code(report)
    if report.not_recorded is not None:  # the verdict stands: it is what the checks found
        reason = Msg.of(f"storage_{report.not_recorded.value}", path=runtime.database.path)
        print(line("warning", Msg.of("health_not_recorded", reason=reason), interface.language), file=sys.stderr)
    return code


def shop_token_command(args: argparse.Namespace, runtime: Runtime) -> int:
    if not args.token.strip():
        raise CliError("token_empty")
    try:
        where = runtime.token_store.set(args.token)
    except OSError as exc:
        raise CliError("token_not_stored", reason=os_reason(exc)) from None
    print(json.dumps({"stored_in": where}))
    return 0


def gui_command(args: argparse.Namespace) -> int:
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        raise CliError("screenshot_not_png", path=args.screenshot)
    from app.ui.startup import run_gui  # Qt is loaded only from here

    return run_gui(args)


def tray_jobs_command(args: argparse.Namespace) -> int:
    """The tray's job process (app/background/job_process.py): its own log file, the report even when the data fails."""
    from app.background.job_process import run_tray_jobs, write_report
    from app.bootstrap import bootstrap
    from app.infra.logs import JOBS_LOG_FILE_NAME

    relaunch = json_list(args.relaunch, "--relaunch")
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
        report = run_tray_jobs(runtime, args.jobs, tray_pid=args.tray_pid, relaunch=relaunch, first=args.first,
                               report_to=args.report)
    finally:
        runtime.close()
    write_report(args.report, report)
    return 0
