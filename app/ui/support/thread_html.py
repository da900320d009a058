"""The request's timeline as HTML for the detail pane: the request itself, the delivery steps, the conversation.

Messages are bubbles (the vendor's on the left, the shop's on the right);
every other step is one grey line.  A file is a link ``file:<id>`` that the
view answers by downloading (verified) or opening it.  Qt's rich text is a
subset of HTML 4: tables and inline styles, no flexbox.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Collection

from app.infra.formatting import format_bytes, format_datetime
from app.support.models import RequestEvent, SupportRequest
from app.support.thread_models import Author, Conversation, EntryState, EventKind, FileState, ThreadEntry
from app.ui.i18n import translate
from app.ui.support.texts import (
    attachment_error,
    author_text,
    channel_name,
    entry_state_text,
    entry_text,
    event_text,
    file_state_text,
)
from pmv_protocol.shop_time import SHOP_TZ

FILE_SCHEME = "file:"
_VENDOR_BG, _SHOP_BG, _REFUSED_BG = "#e3f2fd", "#fff8e1", "#fdecea"


def _esc(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _when(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(SHOP_TZ))


def _files(entry: ThreadEntry) -> str:
    items = []
    for file in entry.files:
        label = f"{_esc(file.filename)} ({format_bytes(file.size)})"
        state = _esc(file_state_text(file))
        if file.state == FileState.REFUSED:
            items.append(f"<div style='color:#b71c1c'>• {label} – {state}</div>")
        else:
            items.append(f"<div>• <a href='{FILE_SCHEME}{_esc(file.id)}'>{label}</a> "
                         f"<span style='color:#666'>– {state}</span></div>")
    return "".join(items)


def _bubble(entry: ThreadEntry, new: Collection[str]) -> str:
    from_shop = entry.author == Author.SHOP
    colour = _REFUSED_BG if entry.state == EntryState.REFUSED else (_SHOP_BG if from_shop else _VENDOR_BG)
    head = f"<b>{_esc(author_text(entry))}</b> <span style='color:#666'>{_when(entry.at)}</span>"
    if not entry.read or entry.id in new:
        head += " <span style='background:#c62828;color:white'>&nbsp;" + _esc(translate("ThreadView", "MỚI")) \
            + "&nbsp;</span>"
    state = entry_state_text(entry)
    if state:
        head += f" <i style='color:#b45309'>({_esc(state)})</i>"
    body = _esc(entry.text or "") if entry.kind == EventKind.MESSAGE else _esc(entry_text(entry))
    left, right = ("12%", "0") if from_shop else ("0", "12%")
    return (f"<table width='100%' cellspacing='0' cellpadding='0' style='margin-top:6px'><tr>"
            f"<td width='{left}'></td><td style='background:{colour};padding:6px'>{head}<br>{body}"
            f"{_files(entry)}</td><td width='{right}'></td></tr></table>")


def _step(entry: ThreadEntry, new: Collection[str]) -> str:
    badge = ""
    if not entry.read or entry.id in new:
        badge = " <span style='background:#c62828;color:white'>&nbsp;" + _esc(translate("ThreadView", "MỚI")) \
            + "&nbsp;</span>"
    state = entry_state_text(entry)
    tail = f" <i style='color:#b45309'>({_esc(state)})</i>" if state else ""
    who = _esc(author_text(entry))
    return (f"<p style='color:#444;margin:4px 0'>{_when(entry.at)} – {who}: {_esc(entry_text(entry))}"
            f"{tail}{badge}</p>")


def _is_bubble(entry: ThreadEntry) -> bool:
    # The steps a person writes words in read as messages; the rest are one line.
    return entry.kind in (EventKind.MESSAGE, EventKind.PROPOSED, EventKind.REFUSED, EventKind.REOPENED,
                          EventKind.VISIT_PROPOSED, EventKind.VISIT_RESCHEDULE)


def request_html(request: SupportRequest, facts: list[tuple[str, str]]) -> str:
    """The request as the shop raised it: title, facts, description, its own files."""
    lines = [f"<h3>{_esc(request.title)}</h3>", "<table cellspacing='4'>"]
    # Room between a label and its value: Qt's rich text ignores cellspacing for a long label ("Cách hỗ trợ mong
    # muốn" ran into "Đến tận nơi").
    lines += [f"<tr><td style='color:#555;padding-right:12px'>{_esc(a)}</td><td>{_esc(b)}</td></tr>"
              for a, b in facts]
    lines.append("</table>")
    if request.solution_text:
        kind = channel_name(request.solution_kind) if request.solution_kind else ""
        heading = _esc(translate("ThreadView", "Phương án đề xuất"))
        lines.append(f"<h4>{heading} – {_esc(kind)}</h4>"
                     f"<p style='background:#e8f5e9;padding:6px'>{_esc(request.solution_text)}</p>")
    if request.description:
        heading = translate("ThreadView", "Mô tả")  # (outside the f-string: lupdate cannot see inside one)
        lines.append(f"<h4>{_esc(heading)}</h4><p>{_esc(request.description)}</p>")
    if request.attachments:
        items = []
        for attachment in request.attachments:
            state = (translate("ThreadView", "đã gửi") if attachment.uploaded_at else
                     attachment_error(attachment.error) if attachment.error else translate("ThreadView", "chờ gửi"))
            items.append(f"<li>{_esc(attachment.filename)} – {_esc(state)}</li>")
        heading = translate("ThreadView", "Tệp đính kèm")
        lines.append(f"<h4>{_esc(heading)}</h4><ul>{''.join(items)}</ul>")
    return "".join(lines)


def timeline_html(conversation: Conversation | None, events: list[RequestEvent],
                  new: Collection[str] = frozenset()) -> str:
    """The conversation in the server's order (the shop's pending acts last), with the delivery steps on this PC
    placed among it; the vendor's entries not read yet, and those in ``new`` (read since the cashier opened the
    request), marked *MỚI*."""
    # Status moves the vendor made are steps of the conversation itself; the delivery steps only this PC knows
    # (saved, sent, a failed attempt) stay.
    local = sorted((event for event in events
                    if conversation is None or not conversation.entries or event.kind != "status"),
                   key=lambda event: event.at)
    entries = list(conversation.entries) if conversation is not None else []
    parts: list[str] = []
    # Never sorted by each step's time: the shop's acts carry the till's own clock, which may be minutes off the
    # server's, and a slow till showed its answer above the vendor's question.  A local step goes in before the
    # first entry that came after it; a pending act has no server time yet, so every local step goes before it.
    for entry in entries:
        while local and (entry.state == EntryState.PENDING or local[0].at <= entry.at):
            parts.append(_local(local.pop(0)))
        parts.append(_bubble(entry, new) if _is_bubble(entry) else _step(entry, new))
    parts += [_local(event) for event in local]
    heading = _esc(translate("ThreadView", "Trao đổi với bộ phận hỗ trợ"))
    return f"<h4>{heading}</h4>" + "".join(parts)


def _local(event: RequestEvent) -> str:
    return f"<p style='color:#444;margin:4px 0'>{_when(event.at)} – {_esc(event_text(event))}</p>"
