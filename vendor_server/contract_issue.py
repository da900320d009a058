"""Issuing a shop's contract: the next number, the signed document, stored for the shop's app to fetch.

One function for ``pmv-vendor issue-contract`` and the console's contracts page, so a contract made in
either is the same document, signed with the same key, numbered in the same series ``HD-<shop>-NNN``.
Storing it (:func:`store_contract`, the demo's embedded server too) applies its telemetry choice at once: a
contract with ``telemetry: false`` drops what the shop reported before in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from vendor_server.db import ContractDocument, Shop, VendorDatabase
from vendor_server.fleet.contracts import follow_telemetry
from vendor_server.keys import VendorKeys
from vendor_server.signing import sign_payload


@dataclass(frozen=True)
class IssuedContract:
    number: str
    text: str  # the signed document as stored and served (JSON)
    issued_at: dt.datetime


def issue_contract(db: VendorDatabase, keys_dir: Path, *, shop_id: str, package: str, warranty_months: int,
                   accepted_on: dt.date, maintenance: Sequence[Mapping[str, str]] = (),
                   vendor: Mapping[str, str] | None = None, contract_number: str | None = None,
                   shop_name: str | None = None, telemetry: bool = True, now: dt.datetime) -> IssuedContract:
    """Sign and store a contract (``telemetry`` False: the shop sends the app version only in its heartbeat);
    LookupError for an unknown shop, ValueError for a payload the contract
    rules refuse (:meth:`pmv_protocol.contract.Contract.from_payload`)."""
    with db.sessions() as session:
        shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
        if shop is None:
            raise LookupError(f"unknown shop {shop_id}; run pmv-vendor add-shop first")
        issued_before = session.scalar(
            select(func.count()).select_from(ContractDocument).where(ContractDocument.shop_pk == shop.id)) or 0
        name = shop.name
    issued_at = now.astimezone(dt.UTC).replace(microsecond=0)
    payload = {
        "contract_number": contract_number or f"HD-{shop_id}-{issued_before + 1:03d}",
        **({"vendor": dict(vendor)} if vendor else {}),
        "shop_id": shop_id,
        "shop_name": shop_name or name,
        "package": {"code": package, "warranty_months": warranty_months},
        "accepted_on": accepted_on.isoformat(),
        "maintenance": [dict(period) for period in maintenance],
        "issued_at": issued_at.isoformat(),
        **({} if telemetry else {"telemetry": False}),
    }
    document = sign_payload(payload, VendorKeys(keys_dir).private("contract"))
    text = json.dumps(document, ensure_ascii=False, indent=2)
    store_contract(db, shop_id, text, issued_at)
    return IssuedContract(str(payload["contract_number"]), text, issued_at)


def store_contract(db: VendorDatabase, shop_id: str, document: str, issued_at: dt.datetime) -> None:
    """Store a signed contract document for the shop (LookupError for an unknown shop) and, when the shop's
    latest contract now says ``telemetry: false``, drop its health data with it
    (:func:`vendor_server.fleet.contracts.follow_telemetry`)."""
    with db.sessions.begin() as session:
        shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
        if shop is None:
            raise LookupError(f"unknown shop {shop_id}; run pmv-vendor add-shop first")
        session.add(ContractDocument(shop_pk=shop.id, document=document, issued_at=issued_at))
        session.flush()
        follow_telemetry(session, shop.id)
