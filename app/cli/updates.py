"""``updates`` (check, list, install, import from a USB copy, rollback) and ``apply-update``, the helper that
switches app versions after the app has exited."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CliError, interface, json_list, known
from app.cli_texts import Msg, line, start_failure

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.updates.service import Updater
    from app.updates.targets import AvailableTarget, UpdateError


def updates_command(args: argparse.Namespace, runtime: Runtime) -> int:
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
            say_refused_packs(run.refused_packs)
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


def say_refused_packs(refused: list[AvailableTarget]) -> None:
    """A warning line for each signed pack this version could not read (the run went on without it)."""
    for target in refused:
        print(line("warning", Msg.of("pack_refused", pack=target.title_vi or target.target_id, version=target.version),
                   interface.language), file=sys.stderr)


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
    return CliError(known(f"update_{error.kind.value}", "update_network"))


def _import_offline(updater: Updater, folder: Path) -> dict[str, object]:
    """``updates import DIR``: the copy verified and installed as a download is (app/updates/offline.py)."""
    from app.updates.offline import CopyFolderError, import_offline

    try:
        run = import_offline(updater, folder)
    except CopyFolderError as exc:
        raise CliError(f"usb_{exc.problem.value}", path=folder) from None
    if run.error is not None:
        raise run.error
    say_refused_packs(run.refused_packs)
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


def apply_update_command(args: argparse.Namespace) -> int:
    """The update helper (app/updates/app_swap.py): runs after the app has exited, so no runtime here."""
    from app.infra.logs import setup_logging
    from app.updates.app_swap import AppSwapper

    relaunch, restart = json_list(args.relaunch, "--relaunch"), json_list(args.restart, "--restart")
    if not args.data.is_dir():
        raise CliError("data_folder_missing", path=args.data)
    try:
        setup_logging(args.data / "logs", file_name="update-helper.log")
    except OSError as exc:
        raise CliError(start_failure(exc, args.data)) from None
    outcome = AppSwapper(args.data).apply(wait_pid=args.wait_pid, relaunch_args=relaunch, restart_command=restart)
    print(outcome.to_json() if outcome else json.dumps({"result": "nothing pending"}))
    return 0 if outcome is None or outcome.result.value == "applied" else 2
