"""Tickets (the shops' support requests) on the vendor side.

Framework-free on purpose: the FastAPI routes in :mod:`vendor_server.app`, the
``pmv-vendor ticket`` commands and the tests all call these functions, and
they return dataclasses, never ORM rows.

Two promises the shop client builds on:

* a ticket is created at most once per (shop, Idempotency-Key), even when the
  outbox retries or two deliveries race: the unique constraint decides, and
  the loser returns the winner's row;
* an attachment is stored at most once per (ticket, client_id), streamed to
  disk with a size cap and a checksum, and nothing stays on disk when it is
  refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo

import anyio.to_thread
from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmv_protocol.signed_json import parse_object
from pmv_protocol.calendar import DEFAULT_TZ, WorkingCalendar
from pmv_protocol.sla import response_due
from pmv_protocol.contract import Contract, ContractError
from pmv_protocol.coverage import coverage_on
from vendor_server.db import Attachment, Shop, Ticket, VendorDatabase

log = logging.getLogger(__name__)

Category = Literal["incident", "how_to", "regulation_update", "reinstall", "barcode_device"]
Severity = Literal["critical", "high", "normal"]
Channel = Literal["phone", "email", "remote", "on_site"]
Status = Literal["received", "in_progress", "solution_proposed", "on_site_scheduled", "resolved", "closed"]
SolutionKind = Literal["phone", "email", "remote", "on_site"]

CATEGORIES: tuple[str, ...] = get_args(Category)
STATUSES: tuple[str, ...] = get_args(Status)
SOLUTION_KINDS: tuple[str, ...] = get_args(SolutionKind)

VENDOR_TZ = ZoneInfo(DEFAULT_TZ)  # ticket numbers and coverage days follow the vendor's calendar
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Room for the multipart framing and the two small fields around the file,
# so a Content-Length check can refuse a hopeless upload before reading it.
MULTIPART_SLACK = 64 * 1024
MAX_FORM_FIELDS = 8
MAX_FIELD_BYTES = 1024
INCOMING_DIR = ".incoming"  # under the attachments root: same filesystem, so the final move is a rename

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


class NewTicket(BaseModel):
    """The body of ``POST /api/v1/tickets``; unknown fields are refused so typos surface."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category
    severity: Severity
    title: Annotated[str, _text(1, 200)]
    # Not stripped: pasted logs keep their indentation.
    description: Annotated[str, StringConstraints(max_length=10_000)]
    contact_name: Annotated[str, _text(1, 100)]
    contact_phone: Annotated[str, _text(1, 20)]
    channel: Channel
    opened_at: AwareDatetime
    app_version: Annotated[str, _text(0, 40)] | None = None


@dataclass(frozen=True)
class TicketRecord:
    id: int
    number: str
    shop_id: str
    idempotency_key: str
    category: str
    severity: str
    title: str
    description: str
    contact_name: str
    contact_phone: str
    channel: str
    app_version: str | None
    coverage: str
    opened_at: dt.datetime
    response_due_at: dt.datetime | None
    status: str
    solution_kind: str | None
    solution_text: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class AttachmentRecord:
    id: int
    ticket_id: int
    client_id: str
    filename: str
    size: int
    sha256: str
    created_at: dt.datetime


def _ticket_record(ticket: Ticket) -> TicketRecord:
    """Call inside the session (reads ``ticket.shop``)."""
    assert ticket.number is not None, "number is set before commit"
    return TicketRecord(
        id=ticket.id, number=ticket.number, shop_id=ticket.shop.shop_id, idempotency_key=ticket.idempotency_key,
        category=ticket.category, severity=ticket.severity, title=ticket.title, description=ticket.description,
        contact_name=ticket.contact_name, contact_phone=ticket.contact_phone, channel=ticket.channel,
        app_version=ticket.app_version, coverage=ticket.coverage, opened_at=ticket.opened_at,
        response_due_at=ticket.response_due_at, status=ticket.status, solution_kind=ticket.solution_kind,
        solution_text=ticket.solution_text, created_at=ticket.created_at, updated_at=ticket.updated_at,
    )


def _attachment_record(row: Attachment) -> AttachmentRecord:
    return AttachmentRecord(id=row.id, ticket_id=row.ticket_id, client_id=row.client_id, filename=row.filename,
                            size=row.size, sha256=row.sha256, created_at=row.created_at)


def canonical_uuid(text: str | None) -> str | None:
    """The lowercase hyphenated form of a UUID, or None if ``text`` is not one.

    Canonical so "ABC…" and "abc…" cannot become two tickets, and safe to use
    as a file name (only hex digits and hyphens).
    """
    if not text:
        return None
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


def ticket_number(ticket_id: int, opened_at: dt.datetime) -> str:
    """``YC-<year>-<id>``: YC = yêu cầu; the year is the vendor's local year of opening."""
    return f"YC-{opened_at.astimezone(VENDOR_TZ).year}-{ticket_id:06d}"


def coverage_for(db: VendorDatabase, shop: Shop, opened_at: dt.datetime) -> str:
    """The shop's coverage code on the vendor-local day of ``opened_at``, from its latest contract.

    The day of *opening* counts, not of delivery: a shop that was offline
    when its warranty ended must still get the deadline it was promised.
    """
    with db.sessions() as session:
        document = db.latest_contract(session, shop)
    if document is None:
        return "expired"
    try:
        contract = Contract.from_payload(parse_object(document)["payload"])  # one reading: no key twice
    except (ValueError, KeyError, TypeError, ContractError) as exc:
        # Our own stored document is broken: still take the ticket (the shop
        # needs help), just without a deadline, and leave a trace for staff.
        log.error("contract of shop %s is unreadable (%s); ticket gets no deadline", shop.shop_id, exc)
        return "expired"
    return coverage_on(contract, opened_at.astimezone(VENDOR_TZ).date()).status.value


def create_ticket(db: VendorDatabase, shop: Shop, idempotency_key: str, new: NewTicket,
                  *, now: dt.datetime | None = None,
                  calendar: WorkingCalendar | None = None) -> tuple[TicketRecord, bool]:
    """Create the shop's ticket, or return the one already made for this key; ``(record, created)``.

    ``calendar``: the working calendar the deadline counts on (the server passes the calendar packs it
    publishes, :mod:`vendor_server.calendars`); None is the default calendar with the holidays estimate.
    """
    existing = find_by_key(db, shop.id, idempotency_key)
    if existing is not None:
        return existing, False
    coverage = coverage_for(db, shop, new.opened_at)
    due = response_due(new.opened_at, new.severity, coverage, calendar)
    now = now or dt.datetime.now(dt.UTC)
    with db.sessions() as session:
        ticket = Ticket(
            shop_pk=shop.id, idempotency_key=idempotency_key, category=new.category, severity=new.severity,
            title=new.title, description=new.description, contact_name=new.contact_name,
            contact_phone=new.contact_phone, channel=new.channel, app_version=new.app_version or None,
            coverage=coverage, opened_at=new.opened_at, response_due_at=due, status="received",
            created_at=now, updated_at=now,
        )
        session.add(ticket)
        try:
            session.flush()
        except IntegrityError:
            # A concurrent delivery of the same request won the insert.
            session.rollback()
            winner = find_by_key(db, shop.id, idempotency_key)
            if winner is None:
                raise
            return winner, False
        ticket.number = ticket_number(ticket.id, new.opened_at)
        session.commit()
        return _ticket_record(ticket), True


def find_by_key(db: VendorDatabase, shop_pk: int, idempotency_key: str) -> TicketRecord | None:
    with db.sessions() as session:
        ticket = session.scalar(
            select(Ticket).where(Ticket.shop_pk == shop_pk, Ticket.idempotency_key == idempotency_key))
        return None if ticket is None else _ticket_record(ticket)


def shop_ticket(db: VendorDatabase, shop_pk: int, ticket_id: int) -> TicketRecord | None:
    """The ticket if it belongs to this shop; another shop's ticket looks exactly like a missing one."""
    with db.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.id == ticket_id, Ticket.shop_pk == shop_pk))
        return None if ticket is None else _ticket_record(ticket)


def tickets_updated_since(db: VendorDatabase, shop_pk: int,
                          updated_since: dt.datetime | None = None) -> list[TicketRecord]:
    """The shop's tickets changed strictly after ``updated_since`` (all when None), oldest change first."""
    query = select(Ticket).where(Ticket.shop_pk == shop_pk)
    if updated_since is not None:
        query = query.where(Ticket.updated_at > updated_since)
    with db.sessions() as session:
        return [_ticket_record(t) for t in session.scalars(query.order_by(Ticket.updated_at, Ticket.id))]


def list_tickets(db: VendorDatabase, shop_id: str | None = None) -> list[TicketRecord]:
    """Staff view: every ticket (or one shop's), newest first; LookupError for an unknown shop."""
    query = select(Ticket)
    with db.sessions() as session:
        if shop_id is not None:
            shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
            if shop is None:
                raise LookupError(f"unknown shop {shop_id}")
            query = query.where(Ticket.shop_pk == shop.id)
        return [_ticket_record(t) for t in session.scalars(query.order_by(Ticket.id.desc()))]


def update_ticket(db: VendorDatabase, number: str, *, status: str, solution_kind: str | None = None,
                  solution_text: str | None = None, now: dt.datetime | None = None) -> TicketRecord:
    """Staff move a ticket along; ``updated_at`` becomes now so the shop's poller picks it up.

    ``solution_kind`` / ``solution_text`` are left as they were when None.
    Raises ValueError for an unknown status or kind, LookupError for an unknown ticket.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}: expected one of {', '.join(STATUSES)}")
    if solution_kind is not None and solution_kind not in SOLUTION_KINDS:
        raise ValueError(f"unknown solution kind {solution_kind!r}: expected one of {', '.join(SOLUTION_KINDS)}")
    with db.sessions.begin() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number.strip().upper()))
        if ticket is None:
            raise LookupError(f"unknown ticket {number}")
        ticket.status = status
        if solution_kind is not None:
            ticket.solution_kind = solution_kind
        if solution_text is not None:
            ticket.solution_text = solution_text
        ticket.updated_at = now or dt.datetime.now(dt.UTC)
        session.flush()
        return _ticket_record(ticket)


# --- attachments -------------------------------------------------------------


class UploadError(Exception):
    """An upload was refused; ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UploadTooLarge(UploadError):
    status = 413


class UploadInvalid(UploadError):
    status = 422


class UnsupportedUpload(UploadError):
    status = 415


def sanitize_filename(name: str | None) -> str:
    """A display-only file name: last path component, no control or bidi characters.

    Never used as a path (files are stored under their client_id), but staff
    see it, so a name like ``invoice\u202efdp.exe`` must not spoof them.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C")).strip()
    if text in ("", ".", ".."):
        return "attachment"
    if len(text) > 200:
        stem, dot, ext = text.rpartition(".")
        text = stem[: 200 - len(ext) - 1] + dot + ext if dot and len(ext) <= 16 else text[:200]
    return text


class _Spool:
    """One upload's bytes in a temp file, hashed and counted as they arrive."""

    def __init__(self, incoming: Path, max_bytes: int) -> None:
        incoming.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=incoming)
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._max_bytes = max_bytes
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._max_bytes:
            raise UploadTooLarge(f"attachment too large: the limit is {self._max_bytes} bytes")
        self._hash.update(data)
        self._file.write(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


@dataclass
class ReceivedUpload:
    """A fully received, not yet stored upload; ``discard()`` it unless it is stored."""

    client_id: str
    claimed_sha256: str
    filename: str
    spool: _Spool

    def discard(self) -> None:
        self.spool.discard()


class _FormReader:
    """Callbacks for python-multipart: small fields into memory, the one ``file`` part into a spool."""

    def __init__(self, incoming: Path, max_bytes: int) -> None:
        self._incoming, self._max_bytes = incoming, max_bytes
        self.fields: dict[str, str] = {}
        self.spool: _Spool | None = None
        self.filename: str | None = None
        self.file_complete = self.complete = False
        self._header_name = self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._buffer = bytearray()
        self._in_file = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value_data, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end, "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._disposition, self._name, self._in_file = b"", "", False
        self._buffer.clear()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.fields) >= MAX_FORM_FIELDS:
                raise UploadInvalid("too many form fields")
            return
        if self._name != "file" or self.spool is not None:
            raise UploadInvalid("send exactly one file, in the form field 'file'")
        self.filename = options[b"filename"].decode("utf-8", "replace")
        self.spool = _Spool(self._incoming, self._max_bytes)
        self._in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            assert self.spool is not None
            self.spool.write(data[start:end])
            return
        self._buffer += data[start:end]
        if len(self._buffer) > MAX_FIELD_BYTES:
            raise UploadInvalid(f"form field {self._name!r} is too long")

    def _part_end(self) -> None:
        if self._in_file:
            self.file_complete = True
        else:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")

    def _end(self) -> None:
        self.complete = True

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.discard()


async def _drain(stream: AsyncIterator[bytes], limit: int) -> None:
    """Read and drop up to ``limit`` more bytes of a refused body.

    Answering before the client has finished sending makes many clients see
    a connection reset instead of our 413; reading (not storing) the rest of
    a moderately oversized body lets them read the real answer.
    """
    seen = 0
    try:
        async for chunk in stream:
            seen += len(chunk)
            if seen > limit:
                return
    except Exception:  # the client went away: nothing left to answer
        return


async def receive_upload(content_type: str | None, content_length: str | None, stream: AsyncIterator[bytes],
                         attachments_root: Path, max_bytes: int = MAX_ATTACHMENT_BYTES) -> ReceivedUpload:
    """Stream a ``multipart/form-data`` body (``file``, ``client_id``, ``sha256``) into a temp file.

    The bytes go straight to disk while being hashed and counted: memory
    stays flat and an oversized upload stops at the limit.  Raises an
    :class:`UploadError` subclass, leaving nothing on disk.
    """
    ctype, params = parse_options_header(content_type)
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UnsupportedUpload("expected a multipart/form-data body with file, client_id and sha256")
    drain_limit = max(4 * max_bytes, 1024 * 1024)
    if content_length and content_length.isdigit() and int(content_length) > max_bytes + MULTIPART_SLACK:
        if int(content_length) <= drain_limit:
            await _drain(stream, drain_limit)
        raise UploadTooLarge(f"attachment too large: the limit is {max_bytes} bytes")
    form = _FormReader(attachments_root / INCOMING_DIR, max_bytes)
    try:
        parser = MultipartParser(params[b"boundary"], form.callbacks())  # type: ignore[arg-type]
        async for chunk in stream:
            # File writes happen inside the callbacks: keep them off the event loop.
            await anyio.to_thread.run_sync(parser.write, chunk)
        parser.finalize()
    except UploadError:
        form.discard()
        await _drain(stream, drain_limit)
        raise
    except FormParserError:
        form.discard()
        raise UploadError("malformed multipart body") from None
    except BaseException:
        form.discard()
        raise
    return _checked(form)


def _checked(form: _FormReader) -> ReceivedUpload:
    """Validate the received form; discards the spool when refusing it."""
    try:
        if not form.complete or (form.spool is not None and not form.file_complete):
            raise UploadError("incomplete multipart body")
        if form.spool is None:
            raise UploadInvalid("missing form field 'file'")
        client_id = canonical_uuid(form.fields.get("client_id"))
        if client_id is None:
            raise UploadInvalid("form field 'client_id' must be a UUID")
        claimed = form.fields.get("sha256", "").strip()
        if not _HEX64.match(claimed):
            raise UploadInvalid("form field 'sha256' must be 64 hex digits (SHA-256 of the file)")
    except UploadError:
        form.discard()
        raise
    form.spool.close()
    return ReceivedUpload(client_id, claimed.lower(), sanitize_filename(form.filename), form.spool)


def find_attachment(db: VendorDatabase, ticket_id: int, client_id: str) -> AttachmentRecord | None:
    with db.sessions() as session:
        row = session.scalar(select(Attachment).where(Attachment.ticket_id == ticket_id,
                                                      Attachment.client_id == client_id))
        return None if row is None else _attachment_record(row)


def attachment_path(attachments_root: Path, ticket_id: int, client_id: str) -> Path:
    """Where an attachment's bytes live; built from ids only, never from the client's file name."""
    return attachments_root / str(int(ticket_id)) / str(uuid.UUID(client_id))


def store_attachment(db: VendorDatabase, ticket_id: int, upload: ReceivedUpload, attachments_root: Path,
                     *, now: dt.datetime | None = None) -> tuple[AttachmentRecord, bool]:
    """Keep a received upload for a ticket (checked by the caller to be the shop's); ``(record, created)``.

    A replay of a stored client_id returns the stored record and drops the
    new bytes.  Raises UploadInvalid on a checksum mismatch.  The upload's
    temp file is always gone afterwards (moved into place or deleted).
    """
    try:
        existing = find_attachment(db, ticket_id, upload.client_id)
        if existing is not None:
            return existing, False
        if upload.spool.sha256 != upload.claimed_sha256:
            raise UploadInvalid(f"checksum mismatch: sha256 of the {upload.spool.size} bytes received is "
                                f"{upload.spool.sha256}, not {upload.claimed_sha256}; send the file again")
        with db.sessions() as session:
            row = Attachment(ticket_id=ticket_id, client_id=upload.client_id, filename=upload.filename,
                             size=upload.spool.size, sha256=upload.spool.sha256,
                             created_at=now or dt.datetime.now(dt.UTC))
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()  # a concurrent upload of the same client_id won
                winner = find_attachment(db, ticket_id, upload.client_id)
                if winner is None:
                    raise
                return winner, False
            # Move while the insert still holds the row: a racing duplicate
            # waits on the constraint and never touches the final file.
            target = attachment_path(attachments_root, ticket_id, upload.client_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(upload.spool.path, target)
            try:
                session.commit()
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            return _attachment_record(row), True
    finally:
        upload.discard()
