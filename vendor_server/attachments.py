"""Keeping attachments: a received upload becomes a ticket's file, at most once per (ticket, client_id).

The bytes live at ``<data>/attachments/<ticket id>/<client_id>``, a path
built from ids only, never from the client's file name; the row and the file
appear together or not at all.  Framework-free, like
:mod:`vendor_server.tickets`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmv_protocol.atomic import atomic_target
from vendor_server.db import Attachment, Ticket, VendorDatabase
from vendor_server.records import AttachmentRecord, attachment_record
from vendor_server.uploads import (
    MAX_TICKET_BYTES,
    MAX_TICKET_FILES,
    ReceivedUpload,
    TicketFull,
    UploadInvalid,
    sanitize_filename,
)


def find_attachment(db: VendorDatabase, ticket_id: int, client_id: str) -> AttachmentRecord | None:
    with db.sessions() as session:
        row = session.scalar(select(Attachment).where(Attachment.ticket_id == ticket_id,
                                                      Attachment.client_id == client_id))
        return None if row is None else attachment_record(row)


def ticket_attachment(db: VendorDatabase, ticket_id: int, attachment_id: int) -> AttachmentRecord | None:
    """The attachment ``attachment_id`` if it belongs to ``ticket_id`` (the shop's upload or the vendor's file)."""
    with db.sessions() as session:
        row = session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                      Attachment.ticket_id == ticket_id))
        return None if row is None else attachment_record(row)


def attachment_path(attachments_root: Path, ticket_id: int, client_id: str) -> Path:
    """Where an attachment's bytes live; built from ids only, never from the client's file name."""
    return attachments_root / str(int(ticket_id)) / str(uuid.UUID(client_id))


# All of one shop's tickets together, over a sliding month: far above what a busy shop sends (a 10 MB bundle a
# request), far below what a till opening tickets in a loop could pour onto the vendor's disk (each ticket alone
# stops at MAX_TICKET_BYTES).
MAX_SHOP_RECENT_BYTES = 2 * 1024**3
SHOP_WINDOW = dt.timedelta(days=30)


def _shop_recent_bytes(session: Session, ticket_id: int, since: dt.datetime) -> int:
    """The bytes of files stored since ``since`` on every ticket of the shop that owns ``ticket_id``."""
    shop = select(Ticket.shop_pk).where(Ticket.id == ticket_id).scalar_subquery()
    total = session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(Ticket.shop_pk == shop, Attachment.created_at >= since))
    return int(total or 0)


def store_attachment(db: VendorDatabase, ticket_id: int, upload: ReceivedUpload, attachments_root: Path,
                     *, now: dt.datetime | None = None) -> tuple[AttachmentRecord, bool]:
    """Keep a received upload for a ticket (checked by the caller to be the shop's); ``(record, created)``.

    A replay of a stored client_id (the same bytes) returns the stored record and drops the
    new bytes.  Raises UploadInvalid on a checksum mismatch, and when the client_id already
    names different bytes.  The upload's
    temp file is always gone afterwards (moved into place or deleted).
    """
    try:
        existing = find_attachment(db, ticket_id, upload.client_id)
        if existing is not None and existing.sha256 != upload.spool.sha256:
            # Not a replay: the client named another file by a used id; keeping the first silently lost this one.
            raise UploadInvalid(f"client_id {upload.client_id} already names another file of this ticket (sha256 "
                                f"{existing.sha256}); give a new file a new client_id")
        if existing is not None:
            return existing, False
        if upload.spool.sha256 != upload.claimed_sha256:
            raise UploadInvalid(f"checksum mismatch: sha256 of the {upload.spool.size} bytes received is "
                                f"{upload.spool.sha256}, not {upload.claimed_sha256}; send the file again")
        with db.sessions() as session:
            files, size = session.execute(
                select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size), 0))
                .where(Attachment.ticket_id == ticket_id)).one()
            if files >= MAX_TICKET_FILES or size + upload.spool.size > MAX_TICKET_BYTES:
                raise TicketFull(f"the ticket already holds {files} files ({size} bytes); at most "
                                 f"{MAX_TICKET_FILES} files and {MAX_TICKET_BYTES} bytes: call the hotline")
            recent = _shop_recent_bytes(session, ticket_id, (now or dt.datetime.now(dt.UTC)) - SHOP_WINDOW)
            if recent + upload.spool.size > MAX_SHOP_RECENT_BYTES:
                raise TicketFull(f"this shop sent {recent} bytes of files in the last {SHOP_WINDOW.days} days; at "
                                 f"most {MAX_SHOP_RECENT_BYTES}: call the hotline")
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
            return attachment_record(row), True
    finally:
        upload.discard()


def store_vendor_file(session: Session, ticket_id: int, source: Path, attachments_root: Path,
                      *, now: dt.datetime) -> tuple[Attachment, Path]:
    """Keep a file staff send to a shop as one of the ticket's attachments, in the caller's transaction.

    Stored like a shop's upload (under a server-made UUID as its client id), so the shop downloads either kind
    the same way.  Returns the flushed row and the stored path: the caller deletes the path if its transaction
    does not commit.  OSError when ``source`` cannot be read.
    """
    client_id = str(uuid.uuid4())
    target = attachment_path(attachments_root, ticket_id, client_id)
    digest, size = hashlib.sha256(), 0
    # Copied to a temp file first, synced and renamed: the shop never finds a half-written file at the final path,
    # and the row the caller commits never names a file a power cut could still take back.
    with atomic_target(target, suffix=".part") as part, part.open("wb") as out, source.open("rb") as data:
        while chunk := data.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    row = Attachment(ticket_id=ticket_id, client_id=client_id, filename=sanitize_filename(source.name), size=size,
                     sha256=digest.hexdigest(), created_at=now)
    session.add(row)
    session.flush()
    return row, target
