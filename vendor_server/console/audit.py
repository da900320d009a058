"""The staff console's audit log: who did what, from where, and what was refused.

An act and its audit row are written in one transaction (:func:`record` takes the caller's session), so there
is never an act without its row or a row for an act that rolled back.  A refusal has no act to go with, so
:func:`record_alone` commits its row by itself.  Rows are only added: nothing here updates or deletes one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendor_server.console.tables import AuditRow

if TYPE_CHECKING:
    from vendor_server.db import VendorDatabase

__all__ = ["DETAIL_MAX", "ENTRIES_MAX", "REFUSALS_KEPT", "REFUSALS_WINDOW", "Action", "AuditEntry", "Outcome",
           "entries", "record", "record_alone", "record_refusal"]

ENTRIES_MAX = 1000  # one page of entries at most, whatever the caller asks
# The widths of console_audit's columns: a login typed by an attacker may be any length, its row must still fit.
_LOGIN = 64
_ADDRESS = 64
_TICKET = 32
_SHOP = 64
DETAIL_MAX = 500  # a refused request's path is the attacker's to choose: its row must stay small
# Refusals without a signed-in staff member (a stale cookie, a shop's token, a wrong password) are anyone's to
# send, and the log is append-only: from one address, the first few of a kind in a window are kept (they show the
# attempt), the rest is not written.  The sign-in throttle counts its failures elsewhere, whatever is kept here.
REFUSALS_KEPT = 20
REFUSALS_WINDOW = dt.timedelta(minutes=10)


class Action(enum.StrEnum):
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    SECOND_FACTOR = "second_factor"
    PASSWORD_CHANGED = "password_changed"
    REPLY = "reply"
    NOTE = "note"
    PROPOSE = "propose"
    VISIT = "visit"
    STATUS = "status"
    CLOSE = "close"
    ASSIGN = "assign"
    CODE_SIGNED = "code_signed"
    CONTRACT_ISSUED = "contract_issued"
    STAFF_ADDED = "staff_added"
    STAFF_CHANGED = "staff_changed"
    CSRF_REFUSED = "csrf_refused"
    ROLE_REFUSED = "role_refused"
    SESSION_REFUSED = "session_refused"
    SHOP_TOKEN_REFUSED = "shop_token_refused"
    SHOP_ADDED = "shop_added"
    # Enrolment (vendor_server/enrolment.py): a code made, a new install enrolled, a spent code tried again.
    ENROL_CODE = "enrol_code"
    ENROL = "enrol"
    ENROL_REFUSED = "enrol_refused"
    # Rollouts (vendor_server/releases/rollouts.py): a release paused, resumed or given a new percentage by a
    # manager, or stopped by the system when too many shops rolled it back (login "system").
    ROLLOUT_PAUSED = "rollout_paused"
    ROLLOUT_RESUMED = "rollout_resumed"
    ROLLOUT_PERCENT = "rollout_percent"
    ROLLOUT_AUTO_STOPPED = "rollout_auto_stopped"


class Outcome(enum.StrEnum):
    OK = "ok"
    REFUSED = "refused"


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One audit row.  ``action`` and ``outcome`` are plain strings for values this version does not know
    (a row written by a newer server stays readable)."""

    id: int
    at: dt.datetime
    staff_id: int | None
    login: str
    action: Action | str
    outcome: Outcome | str
    address: str
    ticket_number: str | None
    shop_id: str | None
    detail: str | None


def _action(value: str) -> Action | str:
    try:
        return Action(value)
    except ValueError:
        return value


def _outcome(value: str) -> Outcome | str:
    try:
        return Outcome(value)
    except ValueError:
        return value


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(id=row.id, at=row.at, staff_id=row.staff_id, login=row.login, action=_action(row.action),
                      outcome=_outcome(row.outcome), address=row.address, ticket_number=row.ticket_number,
                      shop_id=row.shop_id, detail=row.detail)


def _cut(value: str | None, width: int) -> str | None:
    return None if value is None else value[:width]


def record(session: Session, *, at: dt.datetime, action: Action | str, outcome: Outcome | str = Outcome.OK,
           login: str, address: str, staff_id: int | None = None, ticket_number: str | None = None,
           shop_id: str | None = None, detail: str | None = None) -> None:
    """Add an audit row inside the caller's transaction: it commits, or rolls back, with the act it records."""
    session.add(AuditRow(at=at, action=str(action), outcome=str(outcome), login=login[:_LOGIN],
                         address=address[:_ADDRESS], staff_id=staff_id,
                         ticket_number=_cut(ticket_number, _TICKET), shop_id=_cut(shop_id, _SHOP),
                         detail=_cut(detail, DETAIL_MAX)))


def record_alone(db: VendorDatabase, *, at: dt.datetime, action: Action | str, outcome: Outcome | str = Outcome.OK,
                 login: str, address: str, staff_id: int | None = None, ticket_number: str | None = None,
                 shop_id: str | None = None, detail: str | None = None) -> None:
    """Add an audit row in a transaction of its own: for a refusal, which has no act to commit with."""
    with db.sessions.begin() as session:
        record(session, at=at, action=action, outcome=outcome, login=login, address=address, staff_id=staff_id,
               ticket_number=ticket_number, shop_id=shop_id, detail=detail)


def record_refusal(db: VendorDatabase, *, at: dt.datetime, action: Action | str, address: str, login: str = "-",
                   shop_id: str | None = None, detail: str | None = None) -> None:
    """A refusal no staff member's session stands behind, kept unless ``address`` already has
    :data:`REFUSALS_KEPT` of its kind in the last :data:`REFUSALS_WINDOW`."""
    with db.sessions.begin() as session:
        recent = session.scalar(select(func.count()).select_from(AuditRow).where(
            AuditRow.action == str(action), AuditRow.address == address[:_ADDRESS],
            AuditRow.at > at - REFUSALS_WINDOW, AuditRow.at <= at,
            AuditRow.outcome == str(Outcome.REFUSED)))  # a staff office's sign-ins do not silence a refusal
        if (recent or 0) >= REFUSALS_KEPT:
            return
        record(session, at=at, action=action, outcome=Outcome.REFUSED, login=login, address=address,
               shop_id=shop_id, detail=detail)


def entries(db: VendorDatabase, *, action: Action | str | None = None, login: str | None = None,
            ticket_number: str | None = None, outcome: Outcome | str | None = None, since: dt.datetime | None = None,
            until: dt.datetime | None = None, limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
    """The rows that match every filter given, newest first (by id, the order they were written in).

    ``since`` is inclusive and ``until`` exclusive, so consecutive periods do not overlap; the next page is
    asked with ``before_id`` = the last entry's id (a page stays right while new rows are being added).
    """
    if limit < 1:
        raise ValueError("the limit must be at least 1")
    query = select(AuditRow)
    if action is not None:
        query = query.where(AuditRow.action == str(action))
    if login is not None:
        query = query.where(AuditRow.login == login)
    if ticket_number is not None:
        query = query.where(AuditRow.ticket_number == ticket_number)
    if outcome is not None:
        query = query.where(AuditRow.outcome == str(outcome))
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if until is not None:
        query = query.where(AuditRow.at < until)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    query = query.order_by(AuditRow.id.desc()).limit(min(limit, ENTRIES_MAX))
    with db.sessions() as session:
        return [_entry(row) for row in session.scalars(query)]
