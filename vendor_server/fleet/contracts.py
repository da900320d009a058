"""Each shop's latest contract as the fleet reads it: whether it is in force, and whether it lets the shop's
telemetry in.

The documents are the server's own (signed by it, stored by :mod:`vendor_server.contract_issue`), so they are
read, not verified again.  One that cannot be read counts as no contract (logged): the silent alarm and the
proactive tickets are owed to shops under contract, and a broken document must not make a shop look owed.
Reading a contract is cached by the document's text (documents are never changed, only added), so a heartbeat
costs one indexed query for it, not a parse.

A contract that turns the shop's telemetry off takes effect when it is stored (:func:`follow_telemetry`), not at
the shop's next heartbeat: a till switched off would otherwise leave its health on the vendor's pages, and its
checks opening tickets, for good.
"""

from __future__ import annotations

import functools
import logging

from pydantic import ValidationError
from sqlalchemy import Connection, delete
from sqlalchemy.orm import Session

from pmv_protocol.contract import Contract, ContractError
from pmv_protocol.fleet import Heartbeat
from pmv_protocol.signed_json import parse_object
from vendor_server.db import latest_contract_document, latest_contract_documents
from vendor_server.fleet.tables import ShopCheckState, ShopContact

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=8192)
def read_contract(document: str) -> Contract | None:
    """The contract a stored document carries, or None when it cannot be read (logged once per document)."""
    try:
        return Contract.from_payload(parse_object(document)["payload"])
    except (ValueError, KeyError, TypeError, ContractError) as exc:
        log.error("a stored contract document cannot be read (%s): its shop counts as without a contract", exc)
        return None


def latest_contract(session: Session | Connection, shop_pk: int) -> Contract | None:
    """The shop's newest contract (as :func:`vendor_server.db.latest_contract_document` picks it)."""
    document = latest_contract_document(session, shop_pk)
    return None if document is None else read_contract(document)


def latest_contracts(session: Session) -> dict[int, Contract | None]:
    """Every shop's newest contract, by shop primary key, in one query (shops without one are left out)."""
    return {shop_pk: read_contract(document) for shop_pk, document in latest_contract_documents(session).items()}


def follow_telemetry(session: Session, shop_pk: int) -> bool:
    """When the shop's latest contract says ``telemetry: false``: keep of its last report only what a heartbeat of
    such a shop is kept to (:mod:`.ingest`: the last contact and the app version) and forget its check states,
    but those a system ticket hangs on; returns whether the contract said so.  Written in the caller's session,
    so it is one transaction with the contract stored (:func:`vendor_server.contract_issue.store_contract`)."""
    contract = latest_contract(session, shop_pk)
    if contract is None or contract.telemetry:
        return False
    contact = session.get(ShopContact, shop_pk)
    if contact is not None:
        try:
            report = Heartbeat.model_validate_json(contact.report).app_version_only()
        except ValidationError:  # unreadable: rebuilt from the columns kept beside it
            report = Heartbeat(id=contact.last_heartbeat_id, made_at=contact.last_seen_at,
                               app_version=contact.app_version, telemetry=False)
        contact.report = report.model_dump_json(exclude_defaults=True)
        contact.telemetry = False
        contact.verdict = contact.pos_version = None
        contact.last_backup_age_hours = None
        contact.outbox_depth = None
    session.execute(delete(ShopCheckState).where(ShopCheckState.shop_pk == shop_pk,
                                                 ShopCheckState.ticket_id.is_(None)))
    return True
