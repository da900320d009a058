"""The conversation's tables: every ticket's timeline, the files of its steps, and where its flow stands.

New tables only, on purpose: they came (issue 21) while the vendor database
was still made by ``create_all``, which adds a missing table but never alters
an existing one.  They are in the migrations' baseline now
(vendor_server/migrations).  A ticket from before them has no
:class:`TicketFlow` row; :mod:`vendor_server.timeline` derives one from its
status the first time it is needed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vendor_server.orm import Base, UTCDateTime


class TicketEventRow(Base):
    """One step of a ticket's timeline (a :class:`pmv_protocol.thread.TicketEvent` on the wire).

    ``at`` is when it happened by its author's clock (the shop's stated time,
    clamped by the rules), ``recorded_at`` when the server stored it: the feed
    compares ``recorded_at``, since only the server's clock is comparable
    with the ``server_time`` a shop polls with.  ``data`` is a JSON object
    with the kind's own fields (:mod:`vendor_server.thread_records`).
    """

    __tablename__ = "ticket_events"
    __table_args__ = (
        # A shop act is stored at most once per Idempotency-Key (several NULLs are allowed: vendor steps).
        UniqueConstraint("ticket_id", "client_id", name="uq_event_ticket_client"),
        # The feed's query: the events of a few tickets recorded after a moment.  It also serves every
        # "events of one ticket" lookup, so ticket_id needs no index of its own.
        Index("ix_ticket_events_ticket_recorded", "ticket_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    author: Mapped[str] = mapped_column(String(16), nullable=False)
    author_name: Mapped[str] = mapped_column(String(100), nullable=False)
    client_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str | None] = mapped_column(Text)


class TicketEventFile(Base):
    """A file of a timeline step: a row of ``ticket_attachments`` (the shop's upload, or the vendor's file)."""

    __tablename__ = "ticket_event_files"

    # (event_id, attachment_id) as the key: one query by event id finds a step's files.
    event_id: Mapped[int] = mapped_column(ForeignKey("ticket_events.id"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("ticket_attachments.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # the order the author gave them


class TicketFlow(Base):
    """Where a ticket's conversation stands, one row per ticket, so each rule is checked in O(1).

    Kept in step with the timeline in the same transaction as each event;
    the timeline stays the history (who, when), this row the present.
    """

    __tablename__ = "ticket_flow"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # entered resolved/closed; None while open
    ever_resolved: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    rated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the proposal waiting for a decision
    # Indexed: ``pmv-vendor ticket close-unanswered`` looks for the proposals past it.
    close_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    visit_id: Mapped[int | None] = mapped_column(Integer)  # the current VISIT_PROPOSED event
    visit_state: Mapped[str | None] = mapped_column(String(32))
    visit_note: Mapped[str | None] = mapped_column(Text)
    visit_slot: Mapped[str | None] = mapped_column(Text)  # JSON {day, start, end, technician}: no event read
