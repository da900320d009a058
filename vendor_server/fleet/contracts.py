"""Each shop's latest contract as the fleet reads it: whether it is in force, and whether it lets the shop's
telemetry in.

The documents are the server's own (signed by it, stored by :mod:`vendor_server.contract_issue`), so they are
read, not verified again.  One that cannot be read counts as no contract (logged): the silent alarm and the
proactive tickets are owed to shops under contract, and a broken document must not make a shop look owed.
Reading a contract is cached by the document's text (documents are never changed, only added), so a heartbeat
costs one indexed query for it, not a parse.
"""

from __future__ import annotations

import functools
import logging

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pmv_protocol.contract import Contract, ContractError
from pmv_protocol.signed_json import parse_object
from vendor_server.db import latest_contract_document, latest_contract_documents

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
