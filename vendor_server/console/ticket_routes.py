"""A ticket in the console: its facts, the conversation with the shop, internal notes, and the staff's acts.

The acts are the same services the CLI calls (:mod:`vendor_server.staff_acts`), named after the signed-in
staff member, so the shop's app sees the console's reply exactly as a ``pmv-vendor ticket reply``.  Each act
and its audit row are written, then the page is shown again (post/redirect/get: a reload repeats nothing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from pmv_protocol import ticket_flow
from pmv_protocol.shop_time import shop_today
from pmv_protocol.wire import SolutionKind, TicketStatus
from vendor_server import staff_acts
from vendor_server.attachments import attachment_path, ticket_attachment
from vendor_server.console import audit, diagnostics, notes
from vendor_server.console.queue import OPEN_STATUSES
from vendor_server.console.shops import shop_page
from vendor_server.console.web import Me, PageRefused, Posted, address_of, form_text, redirect, render
from vendor_server.db import Ticket
from vendor_server.routes.deps import Context, ServerContext
from vendor_server.thread_records import ActRefused, TicketThread
from vendor_server.timeline import ticket_thread

router = APIRouter(prefix="/console/tickets", include_in_schema=False)

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


@router.get("/{number}")
def ticket_page(request: Request, context: Context, me: Me, done: str = "", error: str = "",
                detail: str = "") -> Response:
    number = request.path_params["number"]
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
    visit_day = calendar.next_opening(now).date()
    return render(request, "ticket.html", me=me, thread=thread, ticket=thread.ticket,
                  notes=notes.notes_of(context.db, thread.ticket.id), left=left, done=done,
                  error=ERROR_WORDS.get(error, ""), detail=detail, solutions=[s.value for s in SolutionKind],
                  statuses=[s.value for s in TicketStatus], open=thread.ticket.status in OPEN_STATUSES,
                  visit_day=visit_day.isoformat(), auto_close_days=context.auto_close_working_days,
                  bundles=bundles, remote=remote, shop=shop, line_max=LINE_MAX)


@router.get("/{number}/files/{attachment_id}")
def ticket_file(context: Context, me: Me, number: str, attachment_id: int) -> Response:
    thread = _thread(context, number, me)
    record = ticket_attachment(context.db, thread.ticket.id, attachment_id)
    root = context.attachments_root
    if record is None or root is None:
        raise PageRefused(404, "Không tìm thấy yêu cầu này.", me)
    path = attachment_path(root, thread.ticket.id, record.client_id)
    return FileResponse(path, filename=record.filename, headers={"Cache-Control": "no-store"})


# Why an act was not done, in the words the page shows (the service's own detail follows in brackets).
ERROR_WORDS = {
    "refused": "Yêu cầu đang ở trạng thái không cho phép việc này (đã đóng, hoặc đã có quyết định).",
    "invalid": "Nội dung chưa hợp lệ: hãy xem lại các ô đã nhập.",
    "files": "Không nhận được tệp đính kèm.",
    "missing": "Không tìm thấy yêu cầu này.",
}


def _back(number: str, done: str = "", error: str = "", detail: str = "") -> Response:
    query = urlencode({"done": done} if done else {"error": error, "detail": detail[:300]} if error else {})
    return redirect(f"/console/tickets/{number}{'?' + query if query else ''}#act")



def _act(request: Request, context: ServerContext, number: str, me: Any, action: audit.Action,
         do: Any, detail: str | None = None) -> Response:
    """Run one staff act; on success log it and show the page with "Đã lưu", else with why it was refused."""
    try:
        do()
    except ActRefused as exc:
        return _back(number, error="refused", detail=str(exc))
    except LookupError as exc:
        return _back(number, error="missing", detail=str(exc))
    except ValueError as exc:
        return _back(number, error="invalid", detail=str(exc))
    audit.record_alone(context.db, at=context.clock(), action=action, login=me.staff.login, staff_id=me.staff.id,
                       address=address_of(request), ticket_number=number, detail=detail)
    return _back(number, done=action.value)


async def _saved_files(form: Any, folder: Path) -> list[Path]:
    """The form's files copied under their own names into ``folder`` (what staff_acts.reply stores)."""
    saved: list[Path] = []
    uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename]
    if len(uploads) > MAX_FILES:
        raise ValueError(f"at most {MAX_FILES} files per reply")
    for index, upload in enumerate(uploads):
        target = folder / str(index) / Path(upload.filename or "file").name
        target.parent.mkdir(parents=True)
        with target.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        if target.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"{upload.filename}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        saved.append(target)
    return saved


@router.post("/{number}/reply")
async def reply(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    root = context.attachments_root
    if root is None:
        return _back(number, error="files", detail="this server keeps no files")
    with tempfile.TemporaryDirectory() as folder:
        try:
            files = await _saved_files(form, Path(folder))
        except ValueError as exc:
            return _back(number, error="files", detail=str(exc))
        return _act(request, context, number, me, audit.Action.REPLY, lambda: staff_acts.reply(
            context.db, number, staff=me.staff.name, text=form_text(form, "text") or None, files=files,
            attachments_root=root, now=context.clock()), detail=f"{len(files)} file(s)")


@router.post("/{number}/note")
def note(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    thread = _thread(context, number, me)
    return _act(request, context, number, me, audit.Action.NOTE, lambda: notes.add_note(
        context.db, thread.ticket.id, me.staff.id, form_text(form, "text"), now=context.clock()))


@router.post("/{number}/propose")
def propose(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    kind = form_text(form, "kind")
    return _act(request, context, number, me, audit.Action.PROPOSE, lambda: staff_acts.propose(
        context.db, number, staff=me.staff.name, kind=kind, text=form_text(form, "text"), now=context.clock(),
        calendar=context.calendars.calendar(), working_days=context.auto_close_working_days), detail=kind)


def _visit(context: ServerContext, number: str, me: Any, form: Any) -> None:
    day = dt.date.fromisoformat(form_text(form, "day"))
    start, end = dt.time.fromisoformat(form_text(form, "start")), dt.time.fromisoformat(form_text(form, "end"))
    staff_acts.propose_visit(context.db, number, staff=me.staff.name, day=day, start=start, end=end,
                             technician=form_text(form, "technician") or me.staff.name, now=context.clock())


@router.post("/{number}/visit")
def visit(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    return _act(request, context, number, me, audit.Action.VISIT, lambda: _visit(context, number, me, form),
                detail=f"{form_text(form, 'day')} {form_text(form, 'start')}-{form_text(form, 'end')}")


@router.post("/{number}/status")
def status(request: Request, context: Context, number: str, sent: Posted) -> Response:
    me, form = sent
    chosen = form_text(form, "status")
    if chosen == TicketStatus.CLOSED.value:
        return _act(request, context, number, me, audit.Action.CLOSE, lambda: staff_acts.close(
            context.db, number, staff=me.staff.name, note=form_text(form, "note") or None, now=context.clock()))
    if chosen not in {s.value for s in TicketStatus} or chosen == TicketStatus.SOLUTION_PROPOSED.value:
        # A proposal needs its words: the propose form, not a bare status.
        return _back(number, error="invalid", detail=f"not a status to set here: {chosen}")
    return _act(request, context, number, me, audit.Action.STATUS, lambda: staff_acts.set_status(
        context.db, number, status=chosen, solution_kind=None, solution_text=None, staff=me.staff.name,
        now=context.clock(), calendar=context.calendars.calendar(),
        working_days=context.auto_close_working_days or ticket_flow.DEFAULT_AUTO_CLOSE_WORKING_DAYS), detail=chosen)
