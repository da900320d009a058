"""A ticket in the console: its facts, the conversation with the shop, internal notes, and the staff's acts.

The acts are the same services the CLI calls (:mod:`vendor_server.staff_acts`), named after the signed-in
staff member, so the shop's app sees the console's reply exactly as a ``pmv-vendor ticket reply``.  Each act
and its audit row are written, then the page is shown again (post/redirect/get: a reload repeats nothing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from pmv_protocol import ticket_flow
from pmv_protocol.shop_time import SHOP_TZ, shop_today
from pmv_protocol.thread import MESSAGE_MAX
from pmv_protocol.ticket_flow import Refusal
from pmv_protocol.wire import SolutionKind, TicketStatus
from vendor_server import staff_acts
from vendor_server.attachments import attachment_path, ticket_attachment
from vendor_server.console import audit, diagnostics, notes
from vendor_server.console.queue import OPEN_STATUSES, answered_tickets
from vendor_server.console.shops import shop_page
from vendor_server.console.web import Me, PageRefused, Posted, address_of, form_text, redirect, render
from vendor_server.db import Ticket
from vendor_server.routes.deps import Context, ServerContext
from vendor_server.thread_records import ActRefused, TicketThread
from vendor_server.timeline import ticket_thread

router = APIRouter(prefix="/console/tickets", include_in_schema=False)
log = logging.getLogger(__name__)

# The statuses staff set by hand.  A proposal needs its words (the propose form) and a booked visit its day (the
# visit form, then the shop's confirmation): set bare, either stopped the deadline with nothing sent to the shop.
SETTABLE_STATUSES = [s.value for s in TicketStatus
                     if s not in (TicketStatus.SOLUTION_PROPOSED, TicketStatus.ON_SITE_SCHEDULED)]
CHECK_ORDER = {"critical": 0, "unknown": 1, "warning": 1, "ok": 3}
LINE_MAX = 400  # a log line longer than this is cut on the page (a log without newlines is one huge line)
MAX_FILES = 10
MAX_FILE_BYTES = 20 * 1024 * 1024


def _check_rank(check: diagnostics.CheckRow) -> int:
    return CHECK_ORDER.get(check.status, 2)


def _thread(context: ServerContext, number: str, me: Any) -> TicketThread:
    found = ticket_thread(context.db, Ticket.number == number.strip().upper())
    if found is None:
        raise PageRefused(404, "Không tìm thấy yêu cầu này.", me)
    return found


def _page(request: Request, context: ServerContext, me: Any, number: str, *, done: str = "", error: str = "",
          detail: str = "", typed: dict[str, str] | None = None, http_status: int = 200) -> Response:
    """The ticket's page; after a refused act, with why (``error``, a key of ERROR_WORDS) and what was typed."""
    thread = _thread(context, number, me)
    calendar, now = context.calendars.calendar(), context.clock()
    root = context.attachments_root
    # The problems first: what failed, then what warns, then the rest (as the shop's checks page orders them).
    found = [] if root is None else diagnostics.bundles_of(context.db, thread.ticket.id, root)
    bundles = [dataclasses.replace(bundle, checks=tuple(sorted(bundle.checks, key=_check_rank))) for bundle in found]
    remote = None if root is None else diagnostics.remote_access_of(context.db, thread.ticket.id, root)
    shop = shop_page(context.db, thread.ticket.shop_id, shop_today(now))
    due = thread.ticket.response_due_at
    left = None if due is None else calendar.working_time_between(now, due)
    with context.db.sessions() as session:
        answered = bool(answered_tickets(session, [thread.ticket.id]))
    visit_day = calendar.next_opening(now).date()
    return render(request, "ticket.html", http_status=http_status, back=f"/console/tickets/{thread.ticket.number}",
                  me=me, thread=thread, ticket=thread.ticket,
                  notes=notes.notes_of(context.db, thread.ticket.id), left=left, done=done,
                  error=ERROR_WORDS.get(error, ""), detail=detail,
                  typed=dict.fromkeys((*_TYPED, "form"), "") | (typed or {}),
                  solutions=[s.value for s in SolutionKind], statuses=SETTABLE_STATUSES, answered=answered,
                  open=thread.ticket.status in OPEN_STATUSES, visit_day=visit_day.isoformat(),
                  auto_close_days=context.auto_close_working_days, bundles=bundles, remote=remote, shop=shop,
                  line_max=LINE_MAX, note_max=notes.NOTE_MAX, message_max=MESSAGE_MAX)


@router.get("/{number}")
def ticket_page(request: Request, context: Context, me: Me, done: str = "") -> Response:
    return _page(request, context, me, request.path_params["number"], done=done)


@router.get("/{number}/files/{attachment_id}")
def ticket_file(context: Context, me: Me, number: str, attachment_id: int) -> Response:
    thread = _thread(context, number, me)
    record = ticket_attachment(context.db, thread.ticket.id, attachment_id)
    root = context.attachments_root
    if record is None or root is None:
        raise PageRefused(404, "Không tìm thấy yêu cầu này.", me)
    path = attachment_path(root, thread.ticket.id, record.client_id)
    if not path.is_file():  # its row without its bytes (a restore from an older copy of the files folder)
        log.warning("console: attachment %s of %s is missing at %s", attachment_id, number, path)
        raise PageRefused(404, "Tệp này không còn trên máy chủ.", me)
    # A shop's (or a colleague's) file may be HTML or SVG: bytes to save, never a page the browser renders.
    return FileResponse(path, filename=record.filename, media_type="application/octet-stream",
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


# Why an act was not done, in the words the page shows.  The service's own text (English, for the log and the
# CLI) is logged, never shown: the page says what happened and what to do in the staff member's language.
ERROR_WORDS = {
    "refused": "Yêu cầu đang ở trạng thái không cho phép việc này (đã đóng, hoặc đã có quyết định).",
    "closed": "Yêu cầu đã đóng nên không cho phép việc này: chọn “Đang xử lý” ở ô “Đổi trạng thái” để mở lại "
              "trước.",
    "invalid": "Nội dung chưa hợp lệ: hãy xem lại các ô đã nhập.",
    "empty": "Chưa có nội dung: hãy nhập nội dung rồi gửi lại.",
    "too_long": "Nội dung quá dài: ghi chú tối đa 4.000 ký tự, tin nhắn và phương án tối đa 10.000 ký tự.",
    "bad_time": "Ngày hoặc giờ hẹn chưa đúng: hãy chọn lại ngày và giờ.",
    "visit_order": "Giờ kết thúc phải sau giờ bắt đầu.",
    "past_visit": "Lịch hẹn đã qua: hãy chọn một ngày giờ từ bây giờ trở đi.",
    "files": "Không nhận được tệp đính kèm.",
    "too_many_files": "Mỗi lần trả lời gửi được tối đa 10 tệp.",
    "file_too_large": "Tệp lớn hơn 20 MB",
    "missing": "Không tìm thấy yêu cầu này.",
    "not_settable": "Trạng thái này không đặt tay được: đề xuất phương án bằng ô “Đề xuất phương án”, hẹn đến "
                    "tận nơi bằng ô “Hẹn đến tận nơi” (cửa hàng xác nhận thì thành “Đã hẹn đến tận nơi”).",
}


class _Invalid(Exception):
    """What the form holds cannot be done; ``code`` is a key of ERROR_WORDS, ``detail`` data to show (a file)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def _words(form: Any, limit: int, *, required: bool = True) -> str:
    """A text box's words, refused before the service sees them so the page can say why in its language."""
    text = form_text(form, "text")
    if required and not text:
        raise _Invalid("empty")
    if len(text) > limit:
        raise _Invalid("too_long")
    return text


def _act(request: Request, context: ServerContext, number: str, me: Any, action: audit.Action,
         do: Any, form: Any, detail: str | None = None) -> Response:
    """Run one staff act; on success log it and show the page with "Đã lưu" (post/redirect/get).

    Refused, the page is shown again at once with why and with what the staff member typed, so nothing they wrote
    is lost (a reload then asks to send the form again, as any browser does for a refused form).
    """
    try:
        do()
    except _Invalid as exc:
        return _refused(request, context, number, me, form, exc.code, exc.detail)
    except ActRefused as exc:
        log.info("console: %s on %s refused: %s", action.value, number, exc)
        return _refused(request, context, number, me, form, "closed" if exc.code is Refusal.CLOSED else "refused")
    except LookupError as exc:
        log.info("console: %s on %s: %s", action.value, number, exc)
        return _refused(request, context, number, me, form, "missing", http_status=404)
    except ValueError as exc:
        log.info("console: %s on %s refused: %s", action.value, number, exc)
        return _refused(request, context, number, me, form, "invalid")
    audit.record_alone(context.db, at=context.clock(), action=action, login=me.staff.login, staff_id=me.staff.id,
                       address=address_of(request), ticket_number=number.strip().upper(), detail=detail)
    query = urlencode({"done": action.value})
    return redirect(f"/console/tickets/{number.strip().upper()}?{query}#act")


_TYPED = ("text", "kind", "day", "start", "end", "technician")  # what a refused form gives back to its boxes


def _refused(request: Request, context: ServerContext, number: str, me: Any, form: Any, code: str,
             detail: str = "", http_status: int = 422) -> Response:
    typed = {name: value for name in _TYPED if isinstance(value := form.get(name), str)}
    typed["form"] = request.url.path.rsplit("/", 1)[-1]  # which form: reply, note, propose, visit or status
    try:
        return _page(request, context, me, number, error=code, detail=detail, typed=typed, http_status=http_status)
    except PageRefused:
        raise PageRefused(404, "Không tìm thấy yêu cầu này.", me) from None


async def _saved_files(form: Any, folder: Path) -> list[Path]:
    """The form's files copied under their own names into ``folder`` (what staff_acts.reply stores)."""
    saved: list[Path] = []
    uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename]
    if len(uploads) > MAX_FILES:
        raise _Invalid("too_many_files")
    for index, upload in enumerate(uploads):
        target = folder / str(index) / Path(upload.filename or "file").name
        target.parent.mkdir(parents=True)
        with target.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        if target.stat().st_size > MAX_FILE_BYTES:
            raise _Invalid("file_too_large", Path(upload.filename or "").name)
        saved.append(target)
    return saved


@router.post("/{number}/reply")
async def reply(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    root = context.attachments_root
    with tempfile.TemporaryDirectory() as folder:

        async def files() -> list[Path]:
            if root is None:
                raise _Invalid("files")
            return await _saved_files(form, Path(folder))

        try:
            saved = await files()
        except _Invalid as exc:
            return _refused(request, context, number, me, form, exc.code, exc.detail)

        def do() -> None:
            assert root is not None
            staff_acts.reply(context.db, number, staff=me.staff.name, text=_words(form, MESSAGE_MAX, required=not saved)
                             or None, files=saved, attachments_root=root, now=context.clock())

        return _act(request, context, number, me, audit.Action.REPLY, do, form, detail=f"{len(saved)} file(s)")


@router.post("/{number}/note")
def note(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    thread = _thread(context, number, me)
    return _act(request, context, number, me, audit.Action.NOTE, lambda: notes.add_note(
        context.db, thread.ticket.id, me.staff.id, _words(form, notes.NOTE_MAX), now=context.clock()), form)


@router.post("/{number}/propose")
def propose(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    kind = form_text(form, "kind")
    return _act(request, context, number, me, audit.Action.PROPOSE, lambda: staff_acts.propose(
        context.db, number, staff=me.staff.name, kind=kind, text=_words(form, MESSAGE_MAX), now=context.clock(),
        calendar=context.calendars.calendar(), working_days=context.auto_close_working_days), form, detail=kind)


def _visit(context: ServerContext, number: str, me: Any, form: Any) -> None:
    try:
        day = dt.date.fromisoformat(form_text(form, "day"))
        start, end = dt.time.fromisoformat(form_text(form, "start")), dt.time.fromisoformat(form_text(form, "end"))
    except ValueError:
        raise _Invalid("bad_time") from None
    if end <= start:
        raise _Invalid("visit_order")
    now = context.clock()
    if dt.datetime.combine(day, end, SHOP_TZ) <= now:
        raise _Invalid("past_visit")
    staff_acts.propose_visit(context.db, number, staff=me.staff.name, day=day, start=start, end=end,
                             technician=form_text(form, "technician") or me.staff.name, now=now)


@router.post("/{number}/visit")
def visit(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    return _act(request, context, number, me, audit.Action.VISIT, lambda: _visit(context, number, me, form), form,
                detail=f"{form_text(form, 'day')} {form_text(form, 'start')}-{form_text(form, 'end')}")


@router.post("/{number}/status")
def status(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    chosen = form_text(form, "status")
    if chosen == TicketStatus.CLOSED.value:
        return _act(request, context, number, me, audit.Action.CLOSE, lambda: staff_acts.close(
            context.db, number, staff=me.staff.name, note=form_text(form, "note") or None, now=context.clock()), form)
    if chosen not in SETTABLE_STATUSES:
        return _refused(request, context, number, me, form, "not_settable")
    return _act(request, context, number, me, audit.Action.STATUS, lambda: staff_acts.set_status(
        context.db, number, status=chosen, solution_kind=None, solution_text=None, staff=me.staff.name,
        now=context.clock(), calendar=context.calendars.calendar(),
        working_days=context.auto_close_working_days or ticket_flow.DEFAULT_AUTO_CLOSE_WORKING_DAYS), form,
        detail=chosen)
