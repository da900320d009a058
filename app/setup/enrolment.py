"""Enrol this install with the vendor: trade a one-time code for the shop token, details and contract.

:func:`enrol` reads the code locally first (:func:`app.setup.typed_code.read_typed_code`: the protocol's
reading, and a Vietnamese input method's letters read back as the keys typed), so a mistyped character
is named before anything is sent, then calls ``POST /api/v1/enrol``
(:mod:`pmv_protocol.enrolment_wire`).  The contract in the answer is verified with the vendor's
trusted keys before the answer is handed back: a shop must never keep a token that came with a
contract it cannot trust.  :func:`keep_enrolment` is the one write the wizard makes before its last
page (the code is spent once the server answered): the token into the keyring, the rest beside it
(:mod:`app.setup.pending`).
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from app import APP_ID, __version__
from app.setup.typed_code import read_typed_code
from pmv_protocol.coded_error import CodeAlias, CodedError
from pmv_protocol.contract import ContractError, verify
from pmv_protocol.digits import natural
from pmv_protocol.enrolment_codes import CodeProblem
from pmv_protocol.enrolment_wire import ENROL_PATH, EnrolAnswer, EnrolRefusal

if TYPE_CHECKING:
    import requests
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

log = logging.getLogger(__name__)


class EnrolFailure(enum.Enum):
    """Why enrolment did not happen; the UI and the CLI word each one."""

    FORMAT = "format"  # the code fails its own check (``position``/``problem`` say where and what)
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    THROTTLED = "throttled"  # ``retry_after`` seconds
    OFFLINE = "offline"
    TIMEOUT = "timeout"
    SERVER = "server"  # 5xx
    BAD_ANSWER = "bad_answer"  # not what the API promises
    CONTRACT_REFUSED = "contract_refused"  # the contract sent with the token does not verify


_FROM_REFUSAL = {
    EnrolRefusal.FORMAT: EnrolFailure.FORMAT,
    EnrolRefusal.UNKNOWN: EnrolFailure.UNKNOWN,
    EnrolRefusal.EXPIRED: EnrolFailure.EXPIRED,
    EnrolRefusal.USED: EnrolFailure.USED,
    EnrolRefusal.THROTTLED: EnrolFailure.THROTTLED,
}


class EnrolmentError(CodedError[EnrolFailure]):
    failure = CodeAlias[EnrolFailure]()

    def __init__(self, failure: EnrolFailure, detail: str = "", *, position: int | None = None,
                 problem: CodeProblem | None = None, retry_after: int | None = None, found: int = 0) -> None:
        super().__init__(failure, detail)
        self.position = position
        self.problem = problem
        self.retry_after = retry_after
        self.found = found


@dataclass(frozen=True)
class Enrolment:
    """A good answer: the shop as the vendor registered it, its token and its verified contract (raw bytes)."""

    shop_id: str
    name: str
    address: str
    phone: str
    token: str
    contract: bytes | None  # the signed document as served, verified for this shop; None before one is issued

    def without_token(self) -> dict[str, Any]:
        """What is kept beside the keyring until the wizard's last page (never the token)."""
        return {"shop_id": self.shop_id, "name": self.name, "address": self.address, "phone": self.phone,
                "contract": self.contract.decode("utf-8") if self.contract is not None else None}


def enrol(base_url: str, typed_code: str, trusted_keys: Mapping[str, Ed25519PublicKey], *, timeout: float = 15.0,
          session: requests.Session | None = None, key: str | None = None) -> Enrolment:
    """Trade ``typed_code`` for the shop's enrolment; raises :class:`EnrolmentError`.

    ``key``: the install's Idempotency-Key (:meth:`app.setup.pending.PendingEnrolment.attempt_key`): asked
    again with it, the vendor sends an answer lost on the way once more instead of "already used".
    """
    import requests

    reading = read_typed_code(typed_code)
    if not reading.ok:
        raise EnrolmentError(EnrolFailure.FORMAT, reading.problem.value if reading.problem else "",
                             position=reading.position, problem=reading.problem, found=reading.found)
    http = session or requests.Session()
    url = base_url.rstrip("/") + ENROL_PATH
    try:
        headers = {"User-Agent": f"{APP_ID}/{__version__}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        response = http.post(url, json={"code": reading.code}, timeout=timeout, headers=headers)
    except requests.Timeout as exc:
        raise EnrolmentError(EnrolFailure.TIMEOUT, str(exc)) from None
    except requests.RequestException as exc:
        raise EnrolmentError(EnrolFailure.OFFLINE, str(exc)) from None
    if response.status_code >= 500:
        raise EnrolmentError(EnrolFailure.SERVER, response.text[:300])
    if response.status_code != 200:
        raise _refusal(response)
    try:
        answer = EnrolAnswer.model_validate(response.json())
    except (ValueError, ValidationError) as exc:
        raise EnrolmentError(EnrolFailure.BAD_ANSWER, str(exc)[:300]) from None
    contract = None
    if answer.contract is not None:
        raw = json.dumps(answer.contract, ensure_ascii=False).encode("utf-8")
        try:
            contract = verify(raw, trusted_keys, answer.shop_id).stored_bytes
        except ContractError as exc:
            log.error("the contract sent at enrolment does not verify: %s", exc)
            raise EnrolmentError(EnrolFailure.CONTRACT_REFUSED, str(exc)) from None
    return Enrolment(answer.shop_id, answer.name, answer.address, answer.phone, answer.token, contract)


def _refusal(response: requests.Response) -> EnrolmentError:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if not isinstance(detail, dict):
        return EnrolmentError(EnrolFailure.BAD_ANSWER, f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        refusal = EnrolRefusal(str(detail.get("refusal")))
    except ValueError:
        return EnrolmentError(EnrolFailure.BAD_ANSWER, f"HTTP {response.status_code}: {detail}")
    position = detail.get("position")
    retry_after = detail.get("retry_after")
    if retry_after is None:
        retry_after = natural(response.headers.get("Retry-After", ""))
    return EnrolmentError(_FROM_REFUSAL[refusal], str(detail.get("message", ""))[:300],
                          position=position if isinstance(position, int) else None,
                          problem=CodeProblem.CHECK if refusal is EnrolRefusal.FORMAT else None,
                          retry_after=retry_after if isinstance(retry_after, int) else None)
