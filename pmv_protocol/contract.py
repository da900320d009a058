"""The contract document and its Ed25519 signature.

The vendor signs the contract payload (DESIGN.md's shape) as canonical JSON
(sorted keys, no spaces, UTF-8).  The signed document is::

    {"format": "pmv-contract/1", "key_id": "...", "payload": {...}, "signature": "<base64>"}

The client trusts only the public keys it ships (resources/keys), verifies
offline, and refuses anything unsigned, altered, signed by another key, or
issued for another shop.  The document is read with :mod:`pmv_protocol.signed_json`,
so one that could be read two ways (a name given twice, ``NaN``, a lone
surrogate) is refused as MALFORMED with the fault as its ``reason``; what
verified is kept as :attr:`VerifiedContract.stored_bytes`, never as received.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# canonical_bytes is re-exported: the technician unlock and the vendor's tools import it from here.
from pmv_protocol.signed_json import JsonFault, JsonProblem, StrictJsonError, parse_object
from pmv_protocol.signed_json import canonical_bytes as canonical_bytes
from pmv_protocol.vendor_identity import VendorIdentity, VendorIdentityError, contract_number_from_payload

DOCUMENT_FORMAT = "pmv-contract/1"
WARRANTY_MONTHS = (6, 12)


class ContractProblem(enum.Enum):
    MALFORMED = "malformed"  # not JSON, readable two ways (``ContractError.fault``), or not a contract at all
    UNSIGNED = "unsigned"  # no signature
    UNKNOWN_KEY = "unknown_key"  # signed by a key this app does not trust
    BAD_SIGNATURE = "bad_signature"  # altered after signing
    WRONG_SHOP = "wrong_shop"  # a valid contract, for another shop
    INVALID = "invalid"  # signed, but the content breaks the rules (dates, months)


class ContractError(Exception):
    """A contract document was refused; ``problem`` says why (the UI words it).

    For MALFORMED, ``fault`` is set when the file is JSON that could be read two
    ways or is not JSON at all: its ``problem`` (a :class:`JsonProblem`) and ``key``
    (the name given twice, e.g. ``end``) let the UI say exactly what is wrong.
    """

    def __init__(self, problem: ContractProblem, detail: str = "", *, fault: JsonFault | None = None) -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail
        self.fault = fault

    @property
    def reason(self) -> JsonProblem | None:
        return self.fault.problem if self.fault is not None else None


class MaintenanceTier(enum.StrEnum):
    """The tiers the vendor's console and CLI sign; an older contract may hold free text instead (shown as is)."""

    STANDARD = "standard"
    PRIORITY = "priority"

    @classmethod
    def of(cls, tier: str) -> MaintenanceTier | None:
        """``tier`` as a code the vendor signs, or None for an older contract's own words."""
        return cls(tier) if tier in cls._value2member_map_ else None


@dataclass(frozen=True)
class MaintenanceContract:
    """One yearly maintenance contract; ``start`` and ``end`` are both covered; ``tier``: a
    :class:`MaintenanceTier` value, or an older contract's own words."""

    start: dt.date
    end: dt.date
    tier: str


@dataclass(frozen=True)
class Contract:
    """A signed contract.  ``contract_number`` and ``vendor`` came later and are optional in the payload:
    a contract issued before them still verifies, and has ``None`` there."""

    shop_id: str
    shop_name: str
    package_code: str
    warranty_months: int
    accepted_on: dt.date
    maintenance: tuple[MaintenanceContract, ...]
    issued_at: dt.datetime
    contract_number: str | None = None
    vendor: VendorIdentity | None = None
    # Whether the shop agreed to send its health heartbeat (pmv_protocol.fleet); absent in the payload means
    # yes (the contracts signed before it said nothing); ``false`` leaves the heartbeat with the app version only.
    telemetry: bool = True

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Contract:
        """Build from the payload as signed; raises ContractError(INVALID) on bad content."""
        try:
            package = payload["package"]
            months = int(package["warranty_months"])
            maintenance = tuple(
                MaintenanceContract(
                    start=_date(item["start"]), end=_date(item["end"]), tier=str(item.get("tier", ""))
                )
                for item in payload.get("maintenance", [])
            )
            contract = cls(
                shop_id=str(payload["shop_id"]),
                shop_name=str(payload["shop_name"]),
                package_code=str(package["code"]),
                warranty_months=months,
                accepted_on=_date(payload["accepted_on"]),
                maintenance=tuple(sorted(maintenance, key=lambda m: (m.start, m.end))),
                issued_at=_datetime(payload["issued_at"]),
                contract_number=contract_number_from_payload(payload.get("contract_number")),
                vendor=VendorIdentity.from_payload(payload.get("vendor")),
                telemetry=_flag(payload.get("telemetry", True), "telemetry"),
            )
        except VendorIdentityError as exc:
            raise ContractError(ContractProblem.INVALID, str(exc)) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise ContractError(ContractProblem.INVALID, f"{type(exc).__name__}: {exc}") from None
        if months not in WARRANTY_MONTHS:
            raise ContractError(ContractProblem.INVALID, f"warranty_months must be 6 or 12, not {months}")
        if not contract.shop_id:
            raise ContractError(ContractProblem.INVALID, "empty shop_id")
        for item in contract.maintenance:
            if item.end < item.start:
                raise ContractError(ContractProblem.INVALID,
                                    f"maintenance ends {item.end} before it starts {item.start}")
        return contract

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "shop_id": self.shop_id,
            "shop_name": self.shop_name,
            "package": {"code": self.package_code, "warranty_months": self.warranty_months},
            "accepted_on": self.accepted_on.isoformat(),
            "maintenance": [
                {"start": m.start.isoformat(), "end": m.end.isoformat(), "tier": m.tier} for m in self.maintenance
            ],
            "issued_at": self.issued_at.isoformat(),
        }
        # Absent stays absent, so an old contract's payload reads back exactly as it was signed.
        if self.contract_number is not None:
            payload["contract_number"] = self.contract_number
        if self.vendor is not None:
            payload["vendor"] = self.vendor.to_payload()
        if not self.telemetry:
            payload["telemetry"] = False
        return payload


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false, got {value!r}")
    return value


def _date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"date must be a YYYY-MM-DD string, got {value!r}")
    return dt.date.fromisoformat(value)


def _datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"issued_at must be an ISO string, got {value!r}")
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class VerifiedContract:
    """A document that verified: the contract, and the bytes to store for it.

    ``stored_bytes`` is the canonical JSON of exactly the four members that
    were checked (format, key id, payload, signature), so a later reader of
    the stored file, with any parser, sees the values that were verified.
    """

    contract: Contract
    stored_bytes: bytes


def verify(
    document: bytes | str | Mapping[str, Any],
    trusted_keys: Mapping[str, Ed25519PublicKey],
    expected_shop_id: str | None,
) -> VerifiedContract:
    """Check a signed document; returns the contract with its bytes to store, or raises ContractError."""
    if isinstance(document, (bytes, str)):
        try:
            document = parse_object(document)
        except StrictJsonError as exc:
            raise ContractError(ContractProblem.MALFORMED, str(exc), fault=exc.fault) from None
    if not isinstance(document, Mapping) or not isinstance(document.get("payload"), Mapping):
        raise ContractError(ContractProblem.MALFORMED, "no payload")
    if document.get("format") != DOCUMENT_FORMAT:
        raise ContractError(ContractProblem.MALFORMED, f"unknown format {document.get('format')!r}")
    signature_text = document.get("signature")
    if not signature_text or not isinstance(signature_text, str):
        raise ContractError(ContractProblem.UNSIGNED)
    kid = document.get("key_id", "")
    public_key = trusted_keys.get(kid) if isinstance(kid, str) else None
    if public_key is None:
        raise ContractError(ContractProblem.UNKNOWN_KEY, str(kid))
    try:
        signature = base64.b64decode(signature_text, validate=True)
        public_key.verify(signature, canonical_bytes(document["payload"]))
    except (InvalidSignature, binascii.Error, ValueError):
        raise ContractError(ContractProblem.BAD_SIGNATURE) from None
    contract = Contract.from_payload(document["payload"])
    if expected_shop_id and contract.shop_id != expected_shop_id:
        raise ContractError(ContractProblem.WRONG_SHOP, f"{contract.shop_id} != {expected_shop_id}")
    verified = {"format": DOCUMENT_FORMAT, "key_id": kid, "payload": document["payload"], "signature": signature_text}
    return VerifiedContract(contract, canonical_bytes(verified))


def verify_document(
    document: bytes | str | Mapping[str, Any],
    trusted_keys: Mapping[str, Ed25519PublicKey],
    expected_shop_id: str | None,
) -> Contract:
    """Check a signed document; returns the contract or raises ContractError."""
    return verify(document, trusted_keys, expected_shop_id).contract
