"""The request's timeline on screen: drawn again only when what it shows changed, and where the cashier was.

A reload comes every minute or so (a poll, a delivery, the list read again); drawing the same text again sent
the view to the bottom and dropped the words the cashier had selected to copy.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QWidget

# How close to the end counts as "at the bottom" (a line's worth of pixels): the newest is then shown as it comes.
AT_BOTTOM_PX = 8


class TimelineView(QTextBrowser):
    """The request's facts and conversation as rich text (:mod:`app.ui.support.thread_html`); a link is
    announced by QTextBrowser's ``anchorClicked`` and never followed by the browser itself.

    Where it stands is kept as a state, not set once: the text is laid out after it is set (and again when the
    view is resized, the reply's files taking a row), and the scroll range follows; so the view stays at the
    newest step while the cashier is there, or goes back to where they were reading once the range allows it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self._shown: tuple[str, str] | None = None  # (request id, HTML) on screen
        self._at_bottom = True  # keep the newest step in view: the cashier is there (or has not scrolled yet)
        self._place: int | None = None  # where to go back to, once the laid-out text is long enough
        self._moving = False  # the view's own scrolling, not the cashier's
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
        bar.rangeChanged.connect(self._range_changed)

    def show_timeline(self, request_id: str, html: str) -> None:
        """Show ``request_id``'s timeline: a request just picked from its newest step, as any chat; the same
        request again only if it changed, from where the cashier was, or its newest step if they were there."""
        if self._shown == (request_id, html):
            return
        bar = self.verticalScrollBar()
        same_request = self._shown is not None and self._shown[0] == request_id
        place = bar.value() if same_request and not self._at_bottom else None
        self._moving = True
        try:
            self.setHtml(html)  # (back to the top, on the way)
        finally:
            self._moving = False
        self._shown = (request_id, html)
        self._at_bottom, self._place = place is None, place
        self._range_changed(bar.minimum(), bar.maximum())

    def show_nothing(self) -> None:
        self._moving = True
        try:
            self.clear()
        finally:
            self._moving = False
        self._shown, self._at_bottom, self._place = None, True, None

    def _move(self, value: int) -> None:
        self._moving = True
        try:
            self.verticalScrollBar().setValue(value)
        finally:
            self._moving = False

    def _scrolled(self, value: int) -> None:
        if self._moving:
            return
        # The cashier scrolled (or the text got shorter under them): where they are now is what to keep.
        self._at_bottom = value >= self.verticalScrollBar().maximum() - AT_BOTTOM_PX
        self._place = None

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._at_bottom:
            self._move(maximum)
        elif self._place is not None:
            self._move(self._place)
            if self.verticalScrollBar().value() == self._place:
                self._place = None  # there: from now on the bar stays where the cashier leaves it
