"""``--demo`` as a living shop: its regulation pack installed and the checks run, right after the window is up.

A newcomer's first look (or first screenshot) should show a shop at work,
not a page of empty states.  Both steps are the real ones: the updater
fetches and installs the signed Decree 232 pack from the embedded demo
vendor, then the checks run with it in place (so the cash-limit check has
its rule).  Both run in workers through the app's states, so the window is
painted at once and every page fills as each step ends.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from app.ui.health.state import HealthState
from app.ui.updates.state import UpdatesState


class LivingDemo(QObject):
    """Started once per app (on the event loop's next turn, once the window has been built)."""

    def __init__(self, updates: UpdatesState, health: HealthState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._updates = updates
        self._health = health
        self.started = False
        QTimer.singleShot(0, self.start)

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self._updates.ran.connect(self._then_check)
        self._updates.failed.connect(self._then_check)
        self._updates.run_now(title=self.tr("Đang cài gói quy định cho cửa hàng mẫu…"))

    def _then_check(self, _outcome: object) -> None:
        # Installed or not (offline demo, no vendor server package), the checks run and say what they find.
        self._updates.ran.disconnect(self._then_check)
        self._updates.failed.disconnect(self._then_check)
        self._health.run_now(title=self.tr("Đang kiểm tra hệ thống…"))
