"""Keeping the shop's contract: verify, cache, refresh from the vendor, import a file.

The cache is the last document that verified, stored as what was verified
(:attr:`VerifiedContract.stored_bytes`: canonical JSON of the checked members,
not the bytes as received, so no reader of the file can see another value) and
re-verified at every start.  A refused document never replaces it: the last
good contract stays in force.  Network failures fall back to the cache.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.support.vendor_api import VendorApiError
from app.warranty.cache import CachedContract, read_cached
from pmv_protocol.atomic import write_atomically
from pmv_protocol.contract import Contract, ContractError, ContractProblem, verify

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 256 * 1024


class RefreshOutcome(enum.Enum):
    UPDATED = "updated"  # a newer (or first) contract was accepted
    UNCHANGED = "unchanged"  # the server sent what we already had
    OFFLINE = "offline"  # the server could not be used; the cached contract stays
    REFUSED = "refused"  # the server sent something that did not verify; the cached one stays


@dataclass(frozen=True)
class RefreshResult:
    outcome: RefreshOutcome
    contract: Contract | None
    contract_error: ContractError | None = None
    api_error: VendorApiError | None = None


class ContractService:
    def __init__(
        self,
        cache_file: Path,
        trusted_keys: Mapping[str, Ed25519PublicKey],
        shop_id: str | None,
        fetch: Callable[[], bytes] | None = None,
    ) -> None:
        self.cache_file = Path(cache_file)
        self._keys = trusted_keys
        self._shop_id = shop_id or None
        self._fetch = fetch

    def cached(self) -> CachedContract:
        return read_cached(self.cache_file, self._keys, self._shop_id)

    def current(self) -> Contract | None:
        return self.cached().contract

    def accept(self, raw: bytes) -> Contract:
        """Verify ``raw`` and make it the contract in force; raises ContractError, keeping the old one."""
        verified = verify(raw, self._keys, self._shop_id)
        contract = verified.contract
        previous = self.current()
        if previous is not None and contract.issued_at < previous.issued_at:
            # An older document must not roll back a renewal the shop already has.
            log.warning("ignoring contract issued %s, older than the one in force (%s)",
                        contract.issued_at, previous.issued_at)
            return previous
        self._write(verified.stored_bytes)
        return contract

    def import_file(self, path: Path) -> Contract:
        path = Path(path)
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ContractError(ContractProblem.MALFORMED, f"file larger than {MAX_DOCUMENT_BYTES} bytes")
        return self.accept(path.read_bytes())

    def refresh(self) -> RefreshResult:
        before = self.current()
        if self._fetch is None:
            return RefreshResult(RefreshOutcome.OFFLINE, before)
        try:
            raw = self._fetch()
        except VendorApiError as exc:
            log.warning("contract refresh failed: %s", exc)
            return RefreshResult(RefreshOutcome.OFFLINE, before, api_error=exc)
        try:
            contract = self.accept(raw)
        except ContractError as exc:
            log.error("vendor server sent a contract that was refused: %s", exc)
            return RefreshResult(RefreshOutcome.REFUSED, before, contract_error=exc)
        outcome = RefreshOutcome.UNCHANGED if contract == before else RefreshOutcome.UPDATED
        return RefreshResult(outcome, contract)

    def _write(self, stored_bytes: bytes) -> None:
        write_atomically(self.cache_file, stored_bytes)
