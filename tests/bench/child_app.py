"""What the bench children (``idle_jobs.py``, ``stalls_child.py``) share: their command line, and the real GUI
Application as they build it.

Kept apart from ``common.py``, whose imports (requests) would count in the
idle child's memory figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def child_parser(description: str | None) -> argparse.ArgumentParser:
    """The command line both children take: the shop's settings file and the bench vendor's trusted TUF root."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True, help="the shop's settings file")
    parser.add_argument("--root", type=Path, required=True, help="the trusted TUF root of the bench vendor")
    return parser


def bench_application(config: Path, root: Path, *, minimized: bool) -> tuple[Any, Any, Any]:
    """(runtime, qapp, app): bootstrapped on the shop ``config``, its updater trusting the bench vendor's ``root``."""
    from app.bootstrap import bootstrap
    from app.ui.application import Application
    from app.ui.startup import make_qapp
    from app.updates.service import Updater
    from app.updates.tuf_client import UpdateClient

    runtime = bootstrap(config, install_crash_handler=False)
    qapp = make_qapp()
    app = Application(qapp, runtime, argparse.Namespace(lang=None, no_err_windows=True, minimized=minimized,
                                                         screenshot=None, demo=False, config=config))
    trusted_root = root.read_bytes()
    folder = runtime.paths.data_dir / "updates"

    def client() -> UpdateClient:  # the app's own client, trusting the bench vendor's root
        return UpdateClient(folder / "metadata", folder / "downloads", runtime.settings.vendor.base_url,
                            trusted_root, read_timeout=runtime.settings.vendor.timeout_seconds)

    app.updates.updater = Updater(runtime, client_factory=client)
    return runtime, qapp, app
