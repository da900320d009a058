"""The contract in force on this till: the cached document, verified again at each read.

Apart from :mod:`app.warranty.service` (which refreshes it from the vendor and
so loads the vendor API's client) because this read is what the window's
overview shows first, before the data layer has loaded (issue 24).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pmv_protocol.contract import Contract, ContractError, verify_document
from pmv_protocol.coverage import Coverage, coverage_on

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedContract:
    contract: Contract | None
    error: ContractError | None  # the cache exists but no longer verifies


def read_cached(cache_file: Path, trusted_keys: Mapping[str, Ed25519PublicKey], shop_id: str | None) -> CachedContract:
    """The cached contract if it still verifies for ``shop_id``; none if there is no cache or it cannot be read."""
    try:
        raw = cache_file.read_bytes()
    except FileNotFoundError:
        return CachedContract(None, None)
    except OSError as exc:
        log.error("cannot read cached contract: %s", exc)
        return CachedContract(None, None)
    try:
        return CachedContract(verify_document(raw, trusted_keys, shop_id or None), None)
    except ContractError as exc:
        log.error("cached contract %s no longer verifies: %s", cache_file, exc)
        return CachedContract(None, exc)


@dataclass(frozen=True)
class WarrantySnapshot:
    """The contract in force and what it covers on ``today`` (the shop's date): what the warranty page, its
    overview tile and the reminders read."""

    contract: Contract | None
    coverage: Coverage | None
    today: dt.date
    cache_error: ContractError | None = None


def snapshot_on(cached: CachedContract, today: dt.date) -> WarrantySnapshot:
    coverage = coverage_on(cached.contract, today) if cached.contract else None
    return WarrantySnapshot(cached.contract, coverage, today, cached.error)
