"""A damaged database found by the command line or the tray's job process is still told in the window, once."""

from __future__ import annotations

from pathlib import Path

from app.bootstrap import bootstrap
from app.infra.paths import AppPaths
from app.shop.demo import DemoShop
from app.storage.errors import NoticeKind
from app.storage.recovery_notice import recovery_shown


def _recoveries(runtime) -> list:  # type: ignore[no-untyped-def]
    return [(n.path, n.new) for n in runtime.storage_notices if n.kind is NoticeKind.RECOVERED_FROM_CORRUPT]


def test_the_recovery_is_carried_until_a_window_has_shown_it(demo_shop: DemoShop, app_paths: AppPaths) -> None:
    garbage = b"this is not a database " * 2000
    Path(app_paths.database_file).write_bytes(garbage)
    first = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False)  # e.g. the tray's job
    try:
        ((kept, new),) = _recoveries(first)
        assert new and kept.read_bytes() == garbage  # moved aside, never deleted
    finally:
        first.close()
    later = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False)  # e.g. the window
    try:
        assert _recoveries(later) == [(kept, False)]  # not found by this start: its data is the fresh database's
        recovery_shown(later.state)
    finally:
        later.close()
    after = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False)
    try:
        assert _recoveries(after) == []
    finally:
        after.close()
