"""The main window: navigation list of the six areas, pages, status bar, menus.

It is built in two steps so that it can be on screen before the app's data
layer has loaded (``app/ui/startup.py``): the frame (navigation, menus, status
bar, a "loading" placeholder per area) needs only Qt; :meth:`MainWindow.attach`
then puts the real pages in once the runtime is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

# Only what the frame's first paint needs: PySide6 builds each Qt type on first use, and the Qt namespace
# (~120 enums) and QStyle alone cost ~35 ms; they are first touched in decorate(), after the paint.
from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, HOTLINE
from app.infra.navigation import PAGE_KEYS
from app.ui.i18n import tr_args
from app.ui.icons import app_icon, blank_icon
from app.ui.widgets.screen_fit import fit_to_screen

if TYPE_CHECKING:  # the frame is painted before these are needed (app/ui/startup.py)
    import datetime as dt
    from collections.abc import Callable

    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from app.overview.facts import OverviewFacts
    from app.runtime import Runtime
    from app.support.models import Category, Channel
    from app.ui.about import AboutDialog
    from app.ui.health.state import HealthState
    from app.ui.notifier import Notification, Notifier
    from app.ui.pages.overview import OverviewPage
    from app.ui.support.state import SupportState
    from app.ui.tasks import TaskRunner
    from app.ui.updates.state import UpdatesState
    from app.ui.warranty.state import WarrantyState
    from app.ui.widgets.banner import Banner


_STYLE = """
QListWidget#nav { background: #2b2b2b; color: #f0f0f0; border: none; font-size: 11pt; }
QListWidget#nav::item { padding: 10px 8px; }
QListWidget#nav::item:selected { background: #c9a227; color: #1a1a1a; }
QLabel#pageTitle { font-size: 18pt; font-weight: 600; color: #1a1a1a; qproperty-wordWrap: true; }
QLabel#comingSoon { font-size: 11pt; color: #8a6d00; }
QLabel#pageLoading { font-size: 12pt; color: #6b6b6b; qproperty-alignment: AlignCenter; }
QMainWindow, QStackedWidget > QWidget { background: #f5f5f2; }
"""

def _nav_width(font: QFont, titles: Iterable[str]) -> int:
    """As wide as the longest area name needs (icon and padding included), at most 250 px.

    A fixed 250 px left a 1024x768 till at 125 % (819 px) only 569 px for the pages; the names need ~200.
    """
    font = QFont(font)
    font.setPointSizeF(11)  # the navigation's font size in _STYLE
    text = max(QFontMetrics(font).horizontalAdvance(title) for title in titles)
    return min(250, text + 20 + 8 + 2 * 8 + 20)  # icon, icon-to-text gap, item padding, frame and slack


class MainWindow(QMainWindow):
    """Navigation on the left, the selected area's page on the right.

    Signals:
        language_requested(str): the user chose another interface language.
        quit_requested(): the user chose Thoát (quit for real, not hide).
        first_painted(): the window has been painted once (emitted after that paint, once).
        setup_requested(): the user chose Tệp → Thiết lập lại… (the application checks technician mode).
    """

    language_requested = Signal(str)
    quit_requested = Signal()
    first_painted = Signal()
    setup_requested = Signal()

    def __init__(self, language: str, parent: QWidget | None = None, *, decorate: bool = True) -> None:
        """The frame only: every area shows "loading" until :meth:`attach`.

        ``decorate=False``: leave the navigation icons to :meth:`decorate`, called after the first paint.
        """
        super().__init__(parent)
        self.runtime: Runtime | None = None
        self.runner: TaskRunner | None = None
        self._first_overview: OverviewPage | None = None  # built from the first read, before attach()
        self.hide_on_close = False
        self._painted = False
        self.technician_session = None
        self.remote_tools = None  # the remote-desktop tool detector; None: this PC's (tests give their own)
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setStyleSheet(_STYLE)
        fit_to_screen(self, 1100, 760)  # a 1024x768 till at 125 % has only ~819x582 to give

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        titles = {
            "overview": self.tr("Tổng quan"),
            "checks": self.tr("Kiểm tra hệ thống"),
            "support": self.tr("Yêu cầu hỗ trợ"),
            "warranty": self.tr("Bảo hành & bảo trì"),
            "devices": self.tr("Thiết bị mã vạch"),
            "updates": self.tr("Cập nhật"),
        }
        self._nav_titles = titles
        # Room for the unread count the support item may carry ("Yêu cầu hỗ trợ (3 mới)"); ten or more unread is rare
        # and is cut with "…" rather than every page losing the width for ever.
        widest_count = tr_args(self.tr("%1 (%2 mới)"), titles["support"], 9)
        self.nav.setFixedWidth(_nav_width(self.nav.font(), [*titles.values(), widest_count]))
        blank = blank_icon(20)  # holds the icons' place until decorate(), so nothing moves when they come
        for key in PAGE_KEYS:
            self.nav.addItem(QListWidgetItem(blank, titles[key]))  # row i is PAGE_KEYS[i]
            placeholder = QLabel(self.tr("Đang mở dữ liệu của cửa hàng…"))
            placeholder.setObjectName("pageLoading")  # centred by the style sheet
            self.stack.addWidget(placeholder)
            self.pages[key] = placeholder
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)

        self.banner_area = QVBoxLayout()
        self.banner_area.setContentsMargins(0, 0, 0, 0)
        self.banner_area.setSpacing(0)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addLayout(self.banner_area)
        right.addWidget(self.stack, 1)
        central = QWidget()
        body = QHBoxLayout(central)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addLayout(right, 1)
        self.setCentralWidget(central)

        self._runtime_actions: list[QAction] = []  # enabled by attach(): they need the shop's data
        self._build_menus(language)
        self._build_status_bar()
        self.decorated = False
        if decorate:
            self.decorate()

    def decorate(self) -> None:
        """Navigation icons and scroll policy: what needs the costly Qt namespace and QtSvg."""
        from PySide6.QtCore import Qt

        from app.ui.nav_icons import nav_icon

        if self.decorated:
            return
        self.decorated = True
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for row, key in enumerate(PAGE_KEYS):
            self.nav.item(row).setIcon(nav_icon(key))

    @property
    def attached(self) -> bool:
        return self.runtime is not None

    def show_first_read(self, facts: OverviewFacts, clock: Callable[[], dt.datetime]) -> None:
        """The overview from the first read (app.overview), in place of its placeholder until :meth:`attach`."""
        from app.ui.pages.overview import OverviewPage

        if self.runtime is not None or self._first_overview is not None:
            return  # attached meanwhile (the read was slow), or shown already
        overview = OverviewPage(facts.shop, clock=clock)
        self._first_overview = self.overview = overview
        self._put_pages({"overview": overview})
        self.shop_label.setText(facts.shop.name)
        overview.show_first_read(facts)  # last: "filled" is said of the page on screen

    def _put_pages(self, pages: dict[str, QWidget]) -> None:
        """The given pages in place of what the stack shows for those areas (placeholders, mostly)."""
        current = max(0, self.nav.currentRow())
        # The new pages go in first and the current one is shown before any placeholder leaves: removing a
        # current placeholder would show each page in turn (each laid out, a telemetry box read; issue 24).
        replaced = []
        for index, key in enumerate(PAGE_KEYS):
            if key in pages and pages[key] is not self.pages[key]:
                replaced.append(self.pages[key])
                self.stack.insertWidget(index, pages[key])
                self.pages[key] = pages[key]
        self.stack.setCurrentWidget(self.pages[PAGE_KEYS[current]])
        for placeholder in replaced:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()

    def attach(
        self, runtime: Runtime, runner: TaskRunner, notifier: Notifier,
        warranty: WarrantyState, support: SupportState, health: HealthState, updates: UpdatesState,
    ) -> None:
        """Put the real pages in place of the placeholders (GUI thread, once the runtime is open)."""
        from app.overview.facts import ShopCard
        from app.storage.db import NoticeKind
        from app.ui.health.page import HealthPage
        from app.ui.pages.overview import OverviewPage
        from app.ui.support.page import SupportPage
        from app.ui.updates.page import UpdatesPage
        from app.ui.warranty.page import WarrantyPage
        from app.ui.widgets.lazy_page import LazyPage
        from app.ui.widgets.task_progress import TaskProgress

        assert self.runtime is None, "attach() runs once"
        self.runtime = runtime
        self.runner = runner
        self.notifier = notifier
        shop = runtime.settings.shop
        # The first read's page is kept (the features' reads put the same values in), unless the start-up found the
        # database damaged and moved it aside: then what that page read is not the shop's data any more.
        recovered = any(notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT and notice.new
                        for notice in runtime.storage_notices)
        self.overview = (None if recovered else self._first_overview) or OverviewPage(
            ShopCard(shop.name, shop.shop_id, shop.address, shop.phone), clock=runtime.clock)
        self.overview.follow(runtime, runner, health=health, support=support, warranty=warranty, updates=updates)
        self.warranty_page = WarrantyPage(runtime, runner, warranty)
        self.warranty_page.renewal_requested.connect(self._on_renewal_requested)
        # Scanner and printer benches pull in serial, label and barcode libraries: built on first visit.
        self._devices = LazyPage(self._make_devices_page)
        self.updates_page = UpdatesPage(runtime, updates)
        self.updates_state = updates
        self.health_state = health
        self.health_page = HealthPage(runtime, runner, health)
        self.health_page.attach_requested.connect(lambda _run: self.open_request_form())
        self.support_state = support
        self.support_page = SupportPage(runtime, runner, support)
        self.support_page.new_requested.connect(self.open_request_form)
        self.support_page.remote_requested.connect(self.open_remote_assist)
        updates.ran.connect(lambda _run: self.support_page.refresh_calendar())  # a calendar pack may have come
        support.conversations.unread_changed.connect(self.show_unread)
        pages: dict[str, QWidget] = {
            "overview": self.overview, "checks": self.health_page, "support": self.support_page,
            "warranty": self.warranty_page, "devices": self._devices, "updates": self.updates_page,
        }
        self._put_pages(pages)

        self.task_progress = TaskProgress(runner)
        self.statusBar().insertPermanentWidget(0, self.task_progress)
        self.shop_label.setText(runtime.settings.shop.name)
        self.statusBar().showMessage(self.tr("Sẵn sàng"))
        for action in self._runtime_actions:
            action.setEnabled(True)
        notifier.notified.connect(self._on_notified)

    # -- construction -------------------------------------------------------
    def _make_devices_page(self) -> QWidget:
        from app.ui.devices.page import DevicesPage

        return DevicesPage(self.runtime, self.runner)

    @property
    def devices_page(self):  # type: ignore[no-untyped-def]
        return self._devices.page

    def _build_menus(self, language: str) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&Tệp"))
        setup_action = QAction(self.tr("Thiết lập lại…"), self)
        setup_action.triggered.connect(self.setup_requested)
        file_menu.addAction(setup_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("Thoát"), self)
        quit_action.triggered.connect(self.quit_requested)
        file_menu.addAction(quit_action)

        language_menu = self.menuBar().addMenu(self.tr("&Ngôn ngữ"))
        group = QActionGroup(self)
        for code, label in (("vi", "Tiếng Việt"), ("en", "English")):
            action = QAction(label, self, checkable=True)
            action.setChecked(code == language)
            action.triggered.connect(lambda _checked=False, c=code: self.language_requested.emit(c))
            group.addAction(action)
            language_menu.addAction(action)

        help_menu = self.menuBar().addMenu(self.tr("Trợ &giúp"))
        logs_action = QAction(self.tr("Mở thư mục nhật ký"), self)
        logs_action.triggered.connect(self._open_log_folder)
        remote_action = QAction(self.tr("Nhờ hỗ trợ từ xa…"), self)
        remote_action.triggered.connect(lambda: self.open_remote_assist())
        help_menu.addAction(remote_action)
        technician_action = QAction(self.tr("Chế độ kỹ thuật viên…"), self)
        technician_action.triggered.connect(self.open_technician)
        help_menu.addAction(technician_action)
        about_action = QAction(self.tr("Giới thiệu"), self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(logs_action)
        help_menu.addSeparator()
        help_menu.addAction(about_action)
        self._runtime_actions = [logs_action, remote_action, technician_action, about_action, setup_action]
        for action in self._runtime_actions:
            action.setEnabled(False)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.shop_label = QLabel()  # the shop's name, once its settings are read
        self.shop_label.setStyleSheet("padding: 0 8px;")  # apart from a long message cut off on a narrow window
        self.hotline_label = QLabel(tr_args(self.tr("Đường dây nóng 24/7: %1"), HOTLINE))
        self.hotline_label.setStyleSheet("font-weight: 600; color: #c62828; padding: 0 8px;")
        status.addPermanentWidget(self.shop_label)
        status.addPermanentWidget(self.hotline_label)
        self._notice_shown = ""  # the notification on the bar now, whose whole text is the bar's tooltip
        status.messageChanged.connect(self._on_status_changed)
        status.showMessage(self.tr("Đang khởi động…"))

    def _open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if self.runtime is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.runtime.paths.log_dir)))

    # -- behaviour ----------------------------------------------------------
    def show_unread(self, count: int) -> None:
        """The support item names how many vendor messages wait unread, so a cashier on another page sees them."""
        title = self._nav_titles["support"]
        # "(1 mới)", not "(1)": a bare count read as the number of requests, not of unread messages.
        shown = tr_args(self.tr("%1 (%2 mới)"), title, count) if count else title
        self.nav.item(PAGE_KEYS.index("support")).setText(shown)

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(PAGE_KEYS.index(key))

    def add_banner(self, banner: Banner) -> None:
        self.banner_area.addWidget(banner)

    def open_technician(self):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        from app.ui.technician.dialog import TechnicianDialog

        # The unlock outlives the dialog: reopening it within the allowed time keeps the technician in.
        dialog = TechnicianDialog(self.runtime, self.runner, self, support=self.support_state,
                                  updates=self.updates_state, session=self.technician_session)
        dialog.session_changed.connect(lambda session, d=dialog: self._remember_technician(d, session))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # reopening builds a new one; no hidden timers
        dialog.open()
        self.technician_dialog = dialog
        return dialog

    def _remember_technician(self, dialog: object, session: object) -> None:
        if session is None and dialog is not getattr(self, "technician_dialog", None):
            return  # an older dialog's expiry must not end the session a newer one holds
        self.technician_session = session

    def open_remote_assist(self, request_id: str | None = None):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        from app.support.models import Category, Channel
        from app.ui.technician.remote_dialog import RemoteAssistDialog

        session = self.technician_session
        dialog = RemoteAssistDialog(self.runtime, self.runner, self.support_state, self,
                                    technician=session.technician if session is not None else "",
                                    detector=self.remote_tools)
        if request_id is not None:
            dialog.select_request(request_id)
        dialog.new_request_requested.connect(
            lambda text: self.open_request_form(Category.INCIDENT, self.tr("Cần hỗ trợ từ xa"), text, Channel.REMOTE))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.remote_dialog = dialog
        return dialog

    def show_about(self) -> AboutDialog:
        from app.ui.about import AboutDialog

        dialog = AboutDialog(self.runtime, self)
        dialog.show()
        return dialog

    def bring_forward(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def open_request_form(self, category: Category | None = None, title: str = "",
                          description: str = "", channel: Channel | None = None):  # type: ignore[no-untyped-def]
        from app.ui.support.form import RequestForm

        # The screenshot is of what the cashier sees now, before the form covers it.
        screenshot = self.grab().toImage() if self.isVisible() else None
        last = self.health_state.last
        form = RequestForm(self.runtime, self.runner, self.support_state, screenshot, self,
                           health=last.report if last is not None else None)
        if category is not None:
            form.prefill(category=category, title=title, description=description, channel=channel)
        form.sent.connect(lambda: self.show_page("support"))
        form.open()
        self.request_form = form
        return form

    def _on_renewal_requested(self, text: str) -> None:
        from app.support.models import Category

        self.open_request_form(Category.HOW_TO, self.tr("Gia hạn hợp đồng bảo trì"), text)

    def _on_notified(self, note: Notification) -> None:
        """The notification on the status bar for a while, cut with "…" to the room the shop's name and the
        hotline leave (it was clipped mid-word), the whole of it in the bar's tooltip."""
        from PySide6.QtCore import Qt  # not at the top: the Qt namespace is costly before the first paint

        status = self.statusBar()
        full = tr_args(self.tr("%1 – %2"), note.title, note.message) if note.message else note.title
        # The room the shop's name and the hotline always leave (a task's progress bar comes and goes: while it
        # shows, the message's end is under it for a moment, as before).
        taken = self.shop_label.sizeHint().width() + self.hotline_label.sizeHint().width()
        room = max(120, status.width() - taken - 40)  # 40: the bar's margins and the size grip
        # A hidden window (the tray's) has no width to cut to yet: the message stays whole.
        shown = status.fontMetrics().elidedText(full, Qt.TextElideMode.ElideRight, room) if status.isVisible() else full
        self._notice_shown = shown
        status.showMessage(shown, 15000)
        status.setToolTip(full)

    def _on_status_changed(self, text: str) -> None:
        if text != self._notice_shown:  # the notification timed out or was replaced: its tooltip goes with it
            self._notice_shown = ""
            self.statusBar().setToolTip("")

    @property
    def painted(self) -> bool:
        """Painted at least once (``first_painted`` has been or is about to be emitted)."""
        return self._painted

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # once this paint has reached the screen

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.hide_on_close:
            event.ignore()
            self.hide()
            return
        event.accept()
        self.quit_requested.emit()
