"""The tray's job process as the idle benchmark starts it: ``pmv-support tray-jobs``, trusting the bench vendor.

``python tests/bench/tray_job_process.py --root ROOT <pmv-support arguments>``.
A real till trusts the TUF root shipped in resources/tuf; the bench vendor
signs with its own keys, so here (and only here) the updater is told to
trust that root instead.  Everything else is the app's own command.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--root":
        print("usage: tray_job_process.py --root ROOT <pmv-support arguments>", file=sys.stderr)
        return 2
    root = Path(argv[1]).read_bytes()
    import app.updates.service as service
    from app.cli import main as app_main

    service.trusted_root = lambda _runtime: root  # type: ignore[assignment]
    return app_main(argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
