"""``pmv-vendor ticket …``: the staff's side of the shops' support tickets, on the command line.

``list`` and ``show`` read; ``update`` (any status), ``reply``, ``propose``,
``visit`` and ``close`` are staff acts, each named with ``--staff`` (``update``
defaults to "staff" so scripts from before the conversation keep working);
``close-unanswered`` closes the proposals the shops left unanswered past
their ``close_after`` (run it from cron).  Proposals count their
``close_after`` on the calendar the server publishes (``<data>/tuf``) with the
config's ``auto_close_working_days``.  Every act prints the ticket (and its
new step) as JSON; a refused one exits 1 with a one-line reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.thread import CurrentVisit, TicketEvent
from pmv_protocol.wire import SolutionKind
from vendor_server import staff_acts
from vendor_server.calendars import PublishedCalendars
from vendor_server.db import Ticket, VendorDatabase
from vendor_server.records import TicketRecord
from vendor_server.staff_acts import DEFAULT_STAFF
from vendor_server.thread_records import ActRefused, ActResult, TicketThread
from vendor_server.tickets import SOLUTION_KINDS, STATUSES, list_tickets, update_ticket
from vendor_server.timeline import ticket_thread

_EVENT = TypeAdapter(TicketEvent)
_VISIT = TypeAdapter(CurrentVisit)


class TicketCommandError(Exception):
    """A staff command refused (unknown words, a closed ticket, ...): one line for stderr."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _time(text: str) -> dt.time:
    try:
        return dt.datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time of day (HH:MM): {text!r}") from None


def add_ticket_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``ticket`` command and its sub-commands, on ``pmv-vendor``'s sub-parsers."""
    ticket = sub.add_parser("ticket", help="list, read and answer the shops' support tickets")
    ticket_sub = ticket.add_subparsers(dest="ticket_command", required=True)
    listing = ticket_sub.add_parser("list", parents=[common], help="list tickets, newest first")
    listing.add_argument("--shop-id", help="only this shop's tickets")
    listing.add_argument("--json", action="store_true", help="JSON array with every field")

    def act(name: str, text: str, staff_required: bool = True) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = ticket_sub.add_parser(name, parents=[common], help=text)
        parser.add_argument("number", help="ticket number, e.g. YC-2026-000123")
        parser.add_argument("--staff", required=staff_required, default=None if staff_required else DEFAULT_STAFF,
                            metavar="NAME", help="who does it, as the shop will read it")
        return parser

    show = ticket_sub.add_parser("show", parents=[common], help="a ticket and its whole conversation")
    show.add_argument("number", help="ticket number, e.g. YC-2026-000123")
    show.add_argument("--json", action="store_true", help="the ticket, its flow and every step as JSON")
    update = act("update", "change a ticket's status / proposed solution", staff_required=False)
    update.add_argument("--status", required=True, choices=STATUSES)
    update.add_argument("--solution-kind", choices=SOLUTION_KINDS)
    update.add_argument("--solution", help="the proposed solution, as the shop will read it")
    reply = act("reply", "write to the shop: text, files, or both")
    reply.add_argument("--text", help="the message")
    reply.add_argument("--file", type=Path, action="append", default=[], metavar="FILE",
                       help="a file to send (repeatable); the shop checks its SHA-256")
    propose = act("propose", "propose a solution; the shop accepts or refuses it")
    propose.add_argument("--kind", required=True, choices=SOLUTION_KINDS)
    propose.add_argument("--text", required=True, help="the solution, as the shop will read it")
    visit = act("visit", "offer an on-site visit (replaces an earlier offer)")
    visit.add_argument("--day", type=_date, required=True, metavar="YYYY-MM-DD")
    visit.add_argument("--from", dest="start", type=_time, required=True, metavar="HH:MM", help="shop time")
    visit.add_argument("--to", dest="end", type=_time, required=True, metavar="HH:MM", help="shop time")
    visit.add_argument("--technician", required=True, metavar="NAME")
    close = act("close", "close a ticket (the shop may reopen it within 7 days)")
    close.add_argument("--note", help="why, as the shop will read it")
    ticket_sub.add_parser("close-unanswered", parents=[common],
                          help="close the proposals left unanswered past their close_after (run from cron)")


def ticket_json(record: TicketRecord) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, dt.datetime) else value
            for key, value in vars(record).items()}


def run_ticket_command(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    db = VendorDatabase(settings["db"])
    try:
        return _run(args, settings, db)
    except ActRefused as exc:
        raise TicketCommandError(exc.message) from None
    except ValueError as exc:
        raise TicketCommandError(str(exc)) from None


def _run(args: argparse.Namespace, settings: dict[str, Any], db: VendorDatabase) -> int:
    command = args.ticket_command
    if command == "list":
        return _list(db, args)
    if command == "show":
        return _show(db, args.number, args.json)
    now = dt.datetime.now(dt.UTC)
    if command == "close-unanswered":
        closed = staff_acts.close_unanswered(db, now=now)
        print(json.dumps([ticket_json(r) for r in closed], ensure_ascii=False))
        return 0
    # Deadlines and close_after count on the calendar the server publishes, as the server's own would.
    calendar = PublishedCalendars.of_settings(settings).calendar()  # tuf_repo, as ``serve`` reads it
    days = settings["auto_close_working_days"]
    result: ActResult
    if command == "update":
        record = update_ticket(db, args.number, status=args.status, solution_kind=args.solution_kind,
                               solution_text=args.solution, now=now, staff=args.staff, calendar=calendar,
                               auto_close_working_days=days)
        print(json.dumps(ticket_json(record), ensure_ascii=False))
        return 0
    if command == "reply":
        if not args.text and not args.file:
            raise TicketCommandError("say something: --text, --file, or both")
        result = staff_acts.reply(db, args.number, staff=args.staff, text=args.text, files=args.file,
                                  attachments_root=settings["data"] / "attachments", now=now)
    elif command == "propose":
        result = staff_acts.propose(db, args.number, staff=args.staff, kind=SolutionKind(args.kind), text=args.text,
                                    now=now, calendar=calendar, working_days=days)
    elif command == "visit":
        result = staff_acts.propose_visit(db, args.number, staff=args.staff, day=args.day, start=args.start,
                                          end=args.end, technician=args.technician, now=now)
    else:
        result = staff_acts.close(db, args.number, staff=args.staff, note=args.note, now=now)
    print(json.dumps({"ticket": ticket_json(result.ticket), "event": _EVENT.dump_python(result.event, mode="json")},
                     ensure_ascii=False))
    return 0


def _list(db: VendorDatabase, args: argparse.Namespace) -> int:
    records = list_tickets(db, args.shop_id)
    if args.json:
        print(json.dumps([ticket_json(r) for r in records], ensure_ascii=False, indent=2))
        return 0
    for r in records:
        due = _local(r.response_due_at)
        print(f"{r.number}  {r.shop_id:<12} {r.status:<18} {r.severity:<8} {r.category:<17} due {due:<16}  {r.title}")
    return 0


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHOP_TZ).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _show(db: VendorDatabase, number: str, as_json: bool) -> int:
    thread = ticket_thread(db, Ticket.number == number.strip().upper())
    if thread is None:
        raise LookupError(f"unknown ticket {number}")
    if as_json:
        print(json.dumps(_thread_json(thread), ensure_ascii=False, indent=2))
        return 0
    r, flow = thread.ticket, thread.flow
    print(f"{r.number}  {r.shop_id}  {r.status}  {r.severity}  {r.category}  due {_local(r.response_due_at)}")
    print(f"  {r.title}")
    for event in thread.events:
        files = "".join(f"  [file #{f.id} {f.filename}, {f.size} B, sha256 {f.sha256[:12]}…]" for f in event.files)
        print(f"{_local(event.at)}  {event.author:<7} {event.author_name:<20} {event.kind:<17} "
              f"{_details(event)}{files}")
    if flow.visit is not None:
        slot = flow.visit.slot
        print(f"visit #{flow.visit.id}: {slot.day} {slot.start:%H:%M}-{slot.end:%H:%M} {slot.technician} "
              f"({flow.visit.state}{': ' + flow.visit.note if flow.visit.note else ''})")
    if flow.close_after is not None:
        print(f"closes unanswered after {_local(flow.close_after)}")
    return 0


def _details(event: TicketEvent) -> str:
    parts = [event.text or ""]
    if event.solution_kind:
        parts.insert(0, f"[{event.solution_kind}]")
    if event.visit is not None:
        parts.append(f"{event.visit.day} {event.visit.start:%H:%M}-{event.visit.end:%H:%M} {event.visit.technician}")
    if event.visit_id is not None:
        parts.append(f"(visit #{event.visit_id})")
    if event.stars is not None:
        parts.insert(0, "★" * event.stars)
    if event.response_due_at is not None:
        parts.append(f"(new deadline {_local(event.response_due_at)})")
    return " ".join(part for part in parts if part)


def _thread_json(thread: TicketThread) -> dict[str, Any]:
    flow = thread.flow
    return {
        "ticket": ticket_json(thread.ticket),
        "flow": {"finished_at": flow.finished_at.isoformat() if flow.finished_at else None,
                 "ever_resolved": flow.ever_resolved, "rated": flow.rated,
                 "close_after": flow.close_after.isoformat() if flow.close_after else None,
                 "visit": None if flow.visit is None else _VISIT.dump_python(flow.visit, mode="json")},
        "events": [_EVENT.dump_python(event, mode="json") for event in thread.events],
    }
