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
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from app.cli.commands import (
    agent_command,
    bundle_command,
    check_command,
    demo_shop_command,
    gui_command,
    run_headless,
    shop_token_command,
    tray_jobs_command,
)
from app.cli.common import NAGIOS_UNKNOWN, CliError, check_paths, interface, unexpected
from app.cli.contract import setup_command, warranty_command
from app.cli.devices import devices_command, label_command
from app.cli.parser import COMMANDS, build_parser, is_gui_start
from app.cli.updates import apply_update_command, updates_command
from app.cli_texts import Msg, line, os_failure, say, start_failure
from app.storage.errors import StorageError

__all__ = ["COMMANDS", "CliError", "build_parser", "main"]

if TYPE_CHECKING:
    from app.health.machine import MachineProbes
    from app.runtime import Runtime


# Sub-commands, by what they need (main() dispatches through these).
_STANDALONE: dict[str, Callable[[argparse.Namespace], int]] = {
    "devices": devices_command, "label": label_command, "apply-update": apply_update_command,
    "tray-jobs": tray_jobs_command,
}
_WITH_RUNTIME: dict[str, Callable[[argparse.Namespace, Runtime], int]] = {
    "check": check_command, "warranty": warranty_command, "updates": updates_command, "bundle": bundle_command,
    "agent": agent_command, "shop-token": shop_token_command, "setup": setup_command,
}


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], dt.datetime] | None = None,
         machine: MachineProbes | None = None) -> int:
    """``clock`` and ``machine``: what the commands' runtime reads as now and as the PC's state (tests pass them;
    tests/cli_fixed_world.py runs this very entry point in a fixed world)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    interface.start(argv)
    args = build_parser(commands=not is_gui_start(argv)).parse_args(argv)  # usage errors: exit 2
    args.runtime_options = {name: value for name, value in (("clock", clock), ("machine", machine))
                            if value is not None}
    try:
        if args.command == "demo-shop":
            return demo_shop_command(args)
        check_paths(args)
        if args.command is None:
            return gui_command(args)
        if args.command in _STANDALONE:  # no settings, database or runtime needed
            return _STANDALONE[args.command](args)
        return run_headless(args, _WITH_RUNTIME[args.command])
    except CliError as exc:
        return _refuse(args, exc.message)
    except StorageError as exc:
        return _refuse(args, start_failure(exc))
    except OSError as exc:
        return _refuse(args, os_failure(exc))
    except Exception as exc:  # noqa: BLE001  (a bug: the report keeps the traceback, the user gets one line)
        return _refuse(args, unexpected(exc, None))


def _refuse(args: argparse.Namespace, message: Msg) -> int:
    """The one line on stderr, and the exit code: 1, or for check 3 (UNKNOWN, with the Nagios line on stdout)."""
    language = interface.language
    text = say(message, language)
    print(line("error", text, language), file=sys.stderr)
    if args.command == "check":
        if args.nagios:
            print(f"PMV UNKNOWN - {text}".replace("|", "/"))
        return NAGIOS_UNKNOWN
    return 1
