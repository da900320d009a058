"""``POST /api/v1/enrol``: a new install trades a one-time enrolment code for its shop token (both sides).

The only write the API takes without a shop token.  The body is :class:`EnrolRequest`; a good code
gets 200 and an :class:`EnrolAnswer`.  Every refusal is ``{"detail": {"refusal": <EnrolRefusal>,
"message": str, "position": int | null, "retry_after": int | null}}`` with the status of its kind
(:data:`REFUSAL_STATUS`): 400 a code that fails its own check (the server reads it with
:func:`pmv_protocol.enrolment_codes.read_code` too, so ``position`` names the likely wrong character),
404 unknown, 410 expired or already used, 429 too many tries (``retry_after`` seconds, also in the
``Retry-After`` header).  Unknown, expired and used are told apart on purpose: the code is worthless
to an attacker once expired or used, and the technician needs to know whether to ask for a new one.
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ENROL_PATH = "/api/v1/enrol"
CODE_LIFETIME_HOURS = 72


class EnrolRefusal(enum.StrEnum):
    FORMAT = "format"  # fails the code's own check (length, a character, the check characters)
    UNKNOWN = "unknown"  # well formed, but no shop was given this code
    EXPIRED = "expired"  # older than CODE_LIFETIME_HOURS
    USED = "used"  # already traded for a token (audited on the server)
    THROTTLED = "throttled"  # too many tries from this address or on this code


REFUSAL_STATUS: dict[EnrolRefusal, int] = {
    EnrolRefusal.FORMAT: 400,
    EnrolRefusal.UNKNOWN: 404,
    EnrolRefusal.EXPIRED: 410,
    EnrolRefusal.USED: 410,
    EnrolRefusal.THROTTLED: 429,
}


class EnrolRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40)  # as typed: dashes, spaces and case are the server's to drop


class EnrolAnswer(BaseModel):
    """The shop as the vendor registered it, its new token (shown to nobody) and its signed contract."""

    model_config = ConfigDict(extra="ignore")  # a later server may add members

    shop_id: str
    name: str
    address: str = ""
    phone: str = ""
    token: str = Field(min_length=16)
    # The signed contract document exactly as ``GET /api/v1/contract`` serves it; None before one is issued.
    contract: dict[str, Any] | None = None
