"""The enrolment the wizard got before its last page, kept so a cancelled setup resumes without a new code.

An enrolment code works once: the moment the server answered, the token is in the keyring (it is the
one write the issue allows before the last page) and the shop's details and contract wait here, in the
app's data folder, until :func:`app.setup.finish.finish_setup` writes them where they belong and
forgets this file.  The token itself never goes in this file.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from app.setup.enrolment import Enrolment
from app.support.token_store import TokenStore
from pmv_protocol.atomic import write_atomically
from pmv_protocol.wire import canonical_uuid

log = logging.getLogger(__name__)


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

    def keep(self, enrolment: Enrolment) -> None:
        self.tokens.set(enrolment.token)
        write_atomically(self.file, json.dumps(enrolment.without_token(), ensure_ascii=False, indent=2)
                         .encode("utf-8"))

    def load(self) -> Enrolment | None:
        """The kept enrolment with the stored token, or None (none kept, the token gone, or a damaged file)."""
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
        return Enrolment(doc["shop_id"], str(doc.get("name", "")), str(doc.get("address", "")),
                         str(doc.get("phone", "")), token,
                         contract.encode("utf-8") if isinstance(contract, str) else None)

    def forget(self) -> None:
        """Drop the kept answer once setup wrote it where it belongs; one that cannot be removed is only logged
        (setup is done: offered again at the next start, it would only set the same shop up once more)."""
        for path in (self.file, self.key_file):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("the kept enrolment %s could not be removed: %s", path, exc)
        self._key = None
