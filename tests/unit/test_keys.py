"""Trusted vendor keys: a key file is a trust anchor, so it is read with the strict reader (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.infra.keys import load_trusted_keys
from pmv_protocol.keys import key_id, public_key_to_b64


def test_a_key_file_with_a_purpose_given_twice_trusts_nothing_from_it(tmp_path: Path) -> None:
    # RFC 8259 s.4 / RFC 7493 s.2.3: which "contract" entry holds the trusted keys must not depend on the parser.
    public = Ed25519PrivateKey.generate().public_key()
    kid = key_id(public)
    entries = json.dumps({kid: public_key_to_b64(public)})
    good = tmp_path / "good.json"
    good.write_text(f'{{"contract": {entries}}}', encoding="utf-8")
    assert kid in load_trusted_keys("contract", good)
    twice = tmp_path / "twice.json"
    twice.write_text(f'{{"contract": {{}}, "contract": {entries}}}', encoding="utf-8")
    assert json.loads(twice.read_text(encoding="utf-8"))["contract"] == {kid: public_key_to_b64(public)}
    assert kid not in load_trusted_keys("contract", twice)
