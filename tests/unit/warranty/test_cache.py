"""The contract in force read from the cache alone: what the service keeps, without the vendor API's client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.infra.keys import load_trusted_keys
from app.warranty.cache import read_cached
from app.warranty.service import ContractService
from tests.helpers import signed_contract, write_keys_file


def test_the_cache_read_alone_is_the_services_contract_and_loads_no_pydantic(
        tmp_path: Path, vendor_key: Ed25519PrivateKey) -> None:
    """The overview shows coverage first (issue 24), before pydantic and SQLAlchemy load: the same read, lighter."""
    keys_file = write_keys_file(vendor_key, tmp_path / "keys.json")
    keys = load_trusted_keys("contract", keys_file)
    cache = tmp_path / "data" / "contract.json"
    accepted = ContractService(cache, keys, "KP-0001").accept(signed_contract(vendor_key, "KP-0001"))
    assert read_cached(cache, keys, "KP-0001") == ContractService(cache, keys, "KP-0001").cached()

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.infra.keys import load_trusted_keys\n"
        "from app.warranty.cache import read_cached\n"
        f"cached = read_cached(Path({str(cache)!r}), load_trusted_keys('contract', Path({str(keys_file)!r})), "
        "'KP-0001')\n"
        "contract = cached.contract\n"
        "heavy = sorted(m for m in ('pydantic', 'sqlalchemy', 'requests') if m in sys.modules)\n"
        "print(contract.shop_id, contract.accepted_on, contract.warranty_months, heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"KP-0001 {accepted.accepted_on} {accepted.warranty_months} []"


def test_a_cache_for_another_shop_is_refused_with_its_reason(tmp_path: Path, vendor_key: Ed25519PrivateKey,
                                                             trusted: dict) -> None:
    cache = tmp_path / "contract.json"
    cache.write_bytes(signed_contract(vendor_key, "KP-0002"))
    cached = read_cached(cache, trusted, "KP-0001")
    assert cached.contract is None and cached.error is not None
