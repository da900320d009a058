"""Raising a request: validate, compute the deadline, save to the outbox.

Everything the form needs below the UI: the UI calls :func:`raise_request`
in a worker, then asks the outbox to deliver.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from app.storage.repositories import ActivityRepository
from app.storage.support_requests import AttachmentSource, SupportRepository
from app.support.models import NewRequest, RequestDraft, SupportRequest
from pmv_protocol import wire
from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import CoverageStatus, coverage_on, deadline_class
from pmv_protocol.phone import PhoneError, parse_phone
from pmv_protocol.sla import response_due

# The limits the vendor server enforces, so the form refuses what the server would.
# The server's limits (pmv_protocol.wire): a request past one is refused with a 422 on every try, so the form
# holds the cashier to them while the text can still be changed.
TITLE_MAX, DESCRIPTION_MAX, CONTACT_NAME_MAX = wire.TITLE_MAX, wire.DESCRIPTION_MAX, wire.CONTACT_NAME_MAX
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class FormField(enum.StrEnum):
    TITLE = "title"
    DESCRIPTION = "description"
    CONTACT_NAME = "contact_name"
    CONTACT_PHONE = "contact_phone"
    ATTACHMENTS = "attachments"


class FormProblem(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    PHONE = "phone"  # see phone_error for which way
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class FormError:
    field: FormField
    problem: FormProblem
    detail: str = ""  # a PhoneError code, a file name


def validate(draft: RequestDraft,
             attachments: Sequence[AttachmentSource] = ()) -> tuple[NewRequest | None, list[FormError]]:
    errors: list[FormError] = []
    title, description, name = draft.title.strip(), draft.description.strip(), draft.contact_name.strip()
    if not title:
        errors.append(FormError(FormField.TITLE, FormProblem.REQUIRED))
    elif len(title) > TITLE_MAX:
        errors.append(FormError(FormField.TITLE, FormProblem.TOO_LONG, str(TITLE_MAX)))
    if len(description) > DESCRIPTION_MAX:
        errors.append(FormError(FormField.DESCRIPTION, FormProblem.TOO_LONG, str(DESCRIPTION_MAX)))
    if not name:
        errors.append(FormError(FormField.CONTACT_NAME, FormProblem.REQUIRED))
    elif len(name) > CONTACT_NAME_MAX:
        errors.append(FormError(FormField.CONTACT_NAME, FormProblem.TOO_LONG, str(CONTACT_NAME_MAX)))
    phone_e164 = ""
    try:
        phone_e164 = parse_phone(draft.contact_phone).e164
    except PhoneError as exc:
        errors.append(FormError(FormField.CONTACT_PHONE, FormProblem.PHONE, exc.code.value))
    for source in attachments:
        try:
            size = source.path.stat().st_size
        except OSError:
            errors.append(FormError(FormField.ATTACHMENTS, FormProblem.UNREADABLE, source.path.name))
            continue
        if size > MAX_ATTACHMENT_BYTES:
            errors.append(FormError(FormField.ATTACHMENTS, FormProblem.TOO_LARGE, source.path.name))
    if errors:
        return None, errors
    return NewRequest(draft.category, draft.severity, title, description, name, phone_e164, draft.channel), []


def coverage_status(contract: Contract | None, moment: dt.datetime, calendar: WorkingCalendar) -> CoverageStatus:
    if contract is None:
        return CoverageStatus.EXPIRED
    return coverage_on(contract, calendar.localize(moment).date()).status


def raise_request(
    repo: SupportRepository,
    new: NewRequest,
    *,
    contract: Contract | None,
    calendar: WorkingCalendar,
    opened_at: dt.datetime,
    attachments: Sequence[AttachmentSource] = (),
    activity: ActivityRepository | None = None,
    request_id: str | None = None,
) -> SupportRequest:
    """Save the request with its local deadline estimate (the server's answer replaces it); ``activity``: where
    the overview's recent activity is noted; ``request_id``: the same for every try of one form (saved once)."""
    coverage = coverage_status(contract, opened_at, calendar)
    # The deadline's row: a contract in force answers a shop as a priority customer, even inside its warranty.
    tier = deadline_class(coverage_on(contract, calendar.localize(opened_at).date())) if contract else coverage.value
    due = response_due(opened_at, new.severity.value, tier, calendar)
    request = repo.create(new, coverage=coverage.value, response_due_at=due, attachments=attachments,
                          opened_at=opened_at, request_id=request_id)
    if activity is not None:
        activity.note("support", "saved", title=request.title)
    return request
