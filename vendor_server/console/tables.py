"""The staff console's tables: staff accounts, their sessions, sign-in failures, the audit log, assignments, notes.

Everything a request needs lives here, not in a worker's memory, so several workers (or machines) can serve
the console behind a load balancer on one PostgreSQL database: a session made by one worker is valid on the
next, a throttle counted by one is seen by all.  Created by the Alembic migrations (vendor_server/migrations).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vendor_server.orm import Base, UTCDateTime


class StaffRow(Base):
    """A member of the vendor's staff who signs in to the console.

    ``role`` is ``agent``, ``technician`` or ``admin`` (each may do what the one before may).  The password is
    an argon2id hash; ``totp_secret`` the base32 secret of the second factor; ``totp_last_step`` the last
    30-second step accepted, so a code seen once (over a shoulder, in a proxy log) cannot be used again.
    """

    __tablename__ = "console_staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)  # what shops read on a reply, and in codes
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    totp_secret: Mapped[str] = mapped_column(String(64), nullable=False)
    totp_last_step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ConsoleSession(Base):
    """A signed-in browser: the cookie holds ``token``'s value, the row only its SHA-256 (a stolen backup
    of the database opens no session).  ``csrf`` is the form token of this session."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    staff_id: Mapped[int] = mapped_column(ForeignKey("console_staff.id"), nullable=False, index=True)
    csrf: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    # Password given, second factor not yet: such a session may only finish signing in.
    second_factor_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SignInFailure(Base):
    """One failed sign-in, counted per login and per address over a window (the throttle)."""

    __tablename__ = "console_sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_login_at", "login", "at"),
        Index("ix_sign_in_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class AuditRow(Base):
    """One staff action or refused attempt; rows are only ever added (no code path updates or deletes one)."""

    __tablename__ = "console_audit"
    # refusals: counting one address's recent refusals of a kind (audit.record_refusal), on every anonymous one
    __table_args__ = (Index("ix_console_audit_at", "at"), Index("ix_console_audit_refusals", "action", "address", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("console_staff.id"), index=True)
    login: Mapped[str] = mapped_column(String(64), nullable=False)  # as typed, for attempts by no known account
    action: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)  # ok / refused
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    ticket_number: Mapped[str | None] = mapped_column(String(32), index=True)
    shop_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class TicketAssignment(Base):
    """Who works a ticket now (one row per assigned ticket)."""

    __tablename__ = "console_assignments"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("console_staff.id"), nullable=False, index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ConsoleNote(Base):
    """An internal note on a ticket: staff read it, the shop never does (not in the feed, not in any API v1)."""

    __tablename__ = "console_notes"
    __table_args__ = (Index("ix_console_notes_ticket_at", "ticket_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), nullable=False)
    staff_id: Mapped[int] = mapped_column(ForeignKey("console_staff.id"), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
