"""Internal notes on a ticket: what staff tell each other about it; never in the shop's feed or any API v1 answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from vendor_server.console.tables import ConsoleNote, StaffRow
from vendor_server.db import VendorDatabase

NOTE_MAX = 4000


@dataclass(frozen=True)
class Note:
    at: dt.datetime
    staff_name: str
    text: str


def add_note(db: VendorDatabase, ticket_id: int, staff_id: int, text: str, *, now: dt.datetime) -> None:
    words = text.strip()
    if not words:
        raise ValueError("an empty note")
    if len(words) > NOTE_MAX:
        raise ValueError(f"a note is at most {NOTE_MAX} characters")
    with db.sessions.begin() as session:
        session.add(ConsoleNote(ticket_id=ticket_id, staff_id=staff_id, at=now, text=words))


def notes_of(db: VendorDatabase, ticket_id: int) -> list[Note]:
    """Oldest first, as the conversation beside them."""
    with db.sessions() as session:
        rows = session.execute(select(ConsoleNote.at, StaffRow.name, ConsoleNote.text)
                               .join(StaffRow, StaffRow.id == ConsoleNote.staff_id)
                               .where(ConsoleNote.ticket_id == ticket_id)
                               .order_by(ConsoleNote.at, ConsoleNote.id)).all()
    return [Note(at, name, text) for at, name, text in rows]
