"""The enrolment the wizard got before its last page, kept so a cancelled setup resumes without a new code.

An enrolment code works once: the moment the server answered, the token is in the keyring (it is the
one write the issue allows before the last page) and the shop's details and contract wait here, in the
app's data folder, until :func:`app.setup.finish.finish_setup` writes them where they belong and
forgets this file.  The token itself never goes in this file; the code's SHA-256 does, so the same code
given again (``pmv-support setup --enrol CODE`` run once more after the settings could not be written)
finishes with this enrolment instead of asking the server, which would answer "already used".
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from pathlib import Path

from app.setup.enrolment import Enrolment
from app.support.token_store import TokenStore
from pmv_protocol.atomic import write_atomically
from pmv_protocol.wire import canonical_uuid

log = logging.getLogger(__name__)

_CODE_HASH = "code_sha256"


def code_hash(code: str) -> str:
    """What is kept of the code an enrolment was traded for (spent, but still the shop's business)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


class PendingEnrolment:
    """``data_dir/setup/enrolment.json`` and the token store, read and written together."""

    def __init__(self, data_dir: Path, tokens: TokenStore) -> None:
        self.file = Path(data_dir) / "setup" / "enrolment.json"
        self.key_file = self.file.with_name("enrolment-key")
        self.tokens = tokens
        self._key: str | None = None

    def attempt_key(self) -> str:
        """This install's Idempotency-Key for ``POST /enrol``, the same for every try until setup ends.

        With it the vendor answers a code already spent by this install again, with the same token, when the
        first answer was lost on the way (vendor_server.enrolment_replay); without it that code is "already
        used".  Kept in a file so a restarted setup (or the CLI run again) asks with the same key; a key that
        cannot be written is still the same for every try of this process.
        """
        if self._key is None:
            try:
                kept = canonical_uuid(self.key_file.read_text(encoding="ascii").strip())
            except (OSError, UnicodeDecodeError):
                kept = None
            self._key = kept or str(uuid.uuid4())
            if kept is None:
                try:
                    write_atomically(self.key_file, self._key.encode("ascii"))
                except OSError as exc:
                    log.warning("the enrolment key could not be kept in %s: %s", self.key_file, exc)
        return self._key

    def keep(self, enrolment: Enrolment, code: str | None = None) -> None:
        """Keep ``enrolment`` (the token in the store, the rest in the file); ``code``: the canonical code it
        was traded for, recorded as its hash."""
        self.tokens.set(enrolment.token)
        doc = enrolment.without_token()
        if code is not None:
            doc[_CODE_HASH] = code_hash(code)
        write_atomically(self.file, json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"))

    def load(self) -> Enrolment | None:
        """The kept enrolment with the stored token, or None (none kept, the token gone, or a damaged file)."""
        kept = self._read()
        return None if kept is None else kept[0]

    def load_for(self, code: str) -> tuple[Enrolment, bool | None] | None:
        """The kept enrolment and whether it was traded for ``code`` (canonical); None when none is kept.

        Whether: True for ``code``, False for another code, None when not known (kept by an earlier version,
        which did not record the code)."""
        kept = self._read()
        if kept is None:
            return None
        enrolment, kept_hash = kept
        return enrolment, None if kept_hash is None else kept_hash == code_hash(code)

    def _read(self) -> tuple[Enrolment, str | None] | None:
        try:
            doc = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring the kept enrolment %s: %s", self.file, exc)
            return None
        token = self.tokens.get()
        if not isinstance(doc, dict) or not token or not isinstance(doc.get("shop_id"), str):
            return None
        contract = doc.get("contract")
        kept_hash = doc.get(_CODE_HASH)
        return (Enrolment(doc["shop_id"], str(doc.get("name", "")), str(doc.get("address", "")),
                          str(doc.get("phone", "")), token,
                          contract.encode("utf-8") if isinstance(contract, str) else None),
                kept_hash if isinstance(kept_hash, str) else None)

    def forget(self) -> None:
        """Drop the kept answer once setup wrote it where it belongs; one that cannot be removed is only logged
        (setup is done: offered again at the next start, it would only set the same shop up once more)."""
        for path in (self.file, self.key_file):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("the kept enrolment %s could not be removed: %s", path, exc)
        self._key = None
