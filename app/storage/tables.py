"""ORM tables.  Change them only together with a new Alembic migration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC; hands back aware UTC datetimes.

    SQLite has no time zones, and a naive datetime is a bug waiting for the
    day a shop's PC is set to the wrong zone.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    pass


class AppStateRow(Base):
    """Small key/value facts the app must remember (reminders sent, last runs)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LogRow:
    """The columns every append-only log shares: a serial id, when (indexed: logs are read newest first)
    and a JSON detail.  Each log keeps its own table; this mixin only declares the common columns."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class ActivityRow(LogRow, Base):
    """What the app did for the shop, newest shown on the overview page."""

    __tablename__ = "activity"

    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    code: Mapped[str] = mapped_column(String(80), nullable=False)


class SupportRequestRow(Base):
    """A support request; committed before any network call (the outbox)."""

    __tablename__ = "support_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    severity: Mapped[str] = mapped_column(String(10), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    contact_name: Mapped[str] = mapped_column(String(100), nullable=False)
    contact_phone: Mapped[str] = mapped_column(String(20), nullable=False)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    coverage: Mapped[str] = mapped_column(String(12), nullable=False)
    response_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ticket_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    solution_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    solution_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    # "shop" (raised here) or "system": opened by the vendor's system on the shop's behalf (a check that stayed
    # critical; pmv_protocol.thread.OpenedBy), learnt from the status feed.
    opened_by: Mapped[str] = mapped_column(String(10), nullable=False, default="shop", server_default="shop")


class RequestAttachmentRow(Base):
    __tablename__ = "request_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("support_requests.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Retries of this file alone (migration 0009): a file the server keeps failing waits its own backoff.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RequestEventRow(Base):
    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("support_requests.id"), nullable=False, index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class CheckResultRow(Base):
    """One check's result in one run (history, for 'since when' and transitions)."""

    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    check_id: Mapped[str] = mapped_column(String(60), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    # How the summary was said (app.infra.phrase), so the window can say it in English; NULL for plain text.
    phrase: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditLogRow(LogRow, Base):
    """What a technician did on this PC (append-only from the app)."""

    __tablename__ = "audit_log"

    technician: Mapped[str] = mapped_column(String(255), nullable=False)
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    result: Mapped[str] = mapped_column(String(40), nullable=False)


class ThreadEntryRow(Base):
    """One step of a request's conversation: the shop's act (committed before it is sent) or the vendor's event.

    ``id`` is the act's UUID (its Idempotency-Key) or ``e<server event id>``; ``seq`` is the order this PC
    made or received it in (the shop's pending acts are delivered in that order); ``data`` holds the
    kind's own fields as JSON (solution_kind, response_due_at, close_after, visit, visit_id, stars).
    """

    __tablename__ = "thread_entries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("support_requests.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    server_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    author: Mapped[str] = mapped_column(String(10), nullable=False)
    author_name: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    state: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    notified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)


class ThreadFileRow(Base):
    """A file of a conversation entry: the shop's (copied into the outbox) or the vendor's (downloaded on demand)."""

    __tablename__ = "thread_files"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("thread_entries.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    server_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    local_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ThreadStateRow(Base):
    """A request's conversation state as the vendor's feed last stated it, and what this PC did about it.

    ``visit`` is the current visit proposal as JSON; ``reminders`` maps a visit id to the reminders
    already shown for it (so a visit proposed again gets its own).
    """

    __tablename__ = "thread_state"

    request_id: Mapped[str] = mapped_column(ForeignKey("support_requests.id"), primary_key=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ever_resolved: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    rated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    close_after: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    visit: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating_asked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminders: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    synced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class FleetOutboxRow(Base):
    """What waits to be told to the vendor about this till (app/fleet): heartbeats and update events.

    ``kind`` is ``heartbeat`` (at most one row waits: a newer report replaces it) or ``event`` (each kept until
    the server has it).  ``body`` is the JSON as it will be sent (pmv_protocol.fleet); ``id`` its UUID, which
    the server keys on, so a retry never counts twice.
    """

    __tablename__ = "fleet_outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
