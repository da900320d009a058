"""What every sub-command shares: the one-line failure (:class:`CliError`), the interface language, the
paths given on the command line checked before anything runs, and the crash report of a bug."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli_texts import MESSAGES, Msg, interface_language, os_reason

if TYPE_CHECKING:
    from app.runtime import Runtime


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


interface = _Interface()


def unexpected(error: Exception, runtime: Runtime | None) -> Msg:
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


_OUTPUT_OPTIONS = ("out", "report", "certificate", "screenshot")  # every option naming a file the command writes


def check_paths(args: argparse.Namespace) -> None:
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
    check_folder(target.absolute().parent)


def check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise CliError("out_folder_is_file", path=folder)
    if not folder.is_dir():
        raise CliError("out_folder_missing", path=folder)
    if not os.access(folder, os.W_OK):  # EROFS or permissions (Windows: the read-only attribute only)
        raise CliError("out_folder_read_only", path=folder)


def write_failed(target: Path, error: OSError) -> CliError:
    return CliError("write_failed", path=target, reason=os_reason(error))


def known(code: str, fallback: str) -> str:
    """``code`` if the catalogue has it (a test keeps every enum's values there), else ``fallback``."""
    return code if code in MESSAGES else fallback


def json_list(text: str, option: str) -> list[str]:
    try:
        value = json.loads(text)
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise ValueError
    except ValueError:
        raise CliError("json_list_expected", option=option, value=repr(text)) from None
    return value
