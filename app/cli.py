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
from collections.abc import Sequence
from pathlib import Path

from app import APP_ID, APP_NAME, __version__


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_ID,
        description=f"{APP_NAME}: health checks, support requests, warranty and devices for PMV gold shops.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML) to use")
    parser.add_argument("--lang", choices=["vi", "en"], help="interface language (default: from settings, vi)")
    parser.add_argument("--demo", action="store_true", help="open on a ready-made demo shop in the data dir")
    parser.add_argument("--screenshot", type=Path, metavar="FILE", help="render the main window to a PNG and exit")
    parser.add_argument("--page", default="overview", help="with --screenshot: which page to show")
    parser.add_argument(
        "--no-err-windows", action="store_true", help="never show error dialogs (headless runs); log instead"
    )
    parser.add_argument("--minimized", action="store_true", help="start hidden in the tray (autostart)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo-shop", help="write a sample shop (POS database, backups, logs, settings) to DIR")
    demo.add_argument("dir", type=Path, metavar="DIR")
    demo.add_argument("--force", action="store_true", help="recreate a demo shop that already exists in DIR")
    demo.add_argument("--today", type=_date, help="date the shop's data ends on (default: today)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same shop)")
    demo.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo-shop":
            return _demo_shop(args)
        if args.config is not None and not args.config.is_file():
            raise CliError(f"settings file not found: {args.config}")
        return _gui(args)
    except CliError as exc:
        print(f"{APP_ID}: error: {exc}", file=sys.stderr)
        return 1


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


def _gui(args: argparse.Namespace) -> int:
    from app.runtime import bootstrap

    runtime = bootstrap(args.config, demo=args.demo, log_to_stderr=args.no_err_windows)
    for problem in runtime.loaded.problems:
        print(f"{APP_ID}: warning: {runtime.loaded.path}: {problem.describe()}", file=sys.stderr)
    try:
        from app.ui.application import run_gui  # Qt is loaded only from here

        return run_gui(runtime, args)
    finally:
        runtime.close()
