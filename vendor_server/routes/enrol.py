"""``POST /api/v1/enrol``: a new install trades a one-time enrolment code for the shop's token.

The API's only write without a shop token (a token in the request is neither needed nor looked at).  The
contract is :mod:`pmv_protocol.enrolment_wire`; the rules (codes, throttle, audit) are
:mod:`vendor_server.enrolment`'s.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response

from pmv_protocol.enrolment_wire import ENROL_PATH, REFUSAL_STATUS, EnrolAnswer, EnrolRefusal, EnrolRequest
from pmv_protocol.wire import canonical_uuid
from vendor_server import enrolment
from vendor_server.routes.deps import Context, address_of

router = APIRouter(tags=["enrolment"])

# The refusals by status, for the OpenAPI document: 400 format, 404 unknown, 410 expired or used, 429 throttled.
_REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"description": ", ".join(r.value for r in EnrolRefusal if REFUSAL_STATUS[r] == status)}
    for status in sorted(set(REFUSAL_STATUS.values()))}


@router.post(ENROL_PATH, responses=_REFUSALS)
def enrol(body: EnrolRequest, request: Request, response: Response, context: Context,
          idempotency_key: Annotated[str | None, Header()] = None) -> EnrolAnswer:
    # Optional: the install's key lets it ask again for an answer lost on the way (vendor_server.enrolment_replay).
    try:
        enrolled = enrolment.redeem(context.db, body.code, address=address_of(request), now=context.clock(),
                                    replay_key=canonical_uuid(idempotency_key))  # not a UUID: no replay
    except enrolment.EnrolRefused as refused:
        headers = None if refused.retry_after is None else {"Retry-After": str(refused.retry_after)}
        raise HTTPException(REFUSAL_STATUS[refused.refusal], headers=headers, detail={
            "refusal": refused.refusal.value, "message": refused.message, "position": refused.position,
            "retry_after": refused.retry_after}) from None
    # The answer carries the token: no cache on the way may keep it (as RFC 6749 asks of token answers).
    response.headers["Cache-Control"] = "no-store"
    return EnrolAnswer(shop_id=enrolled.shop_id, name=enrolled.name, address=enrolled.address,
                       phone=enrolled.phone, token=enrolled.token, contract=enrolled.contract)
