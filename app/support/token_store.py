"""The shop token: kept with ``keyring``, falling back to a file only the user can read.

Till PCs run Windows, where keyring uses the Credential Manager; on a Linux
box without a Secret Service the file fallback is used.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pmv_protocol.atomic import write_atomically

log = logging.getLogger(__name__)

SERVICE = "pmv-support"
USERNAME = "shop-token"


class TokenStore:
    def __init__(self, fallback_file: Path, *, use_keyring: bool = True) -> None:
        self.fallback_file = Path(fallback_file)
        self._use_keyring = use_keyring

    def get(self) -> str | None:
        if self._use_keyring:
            try:
                import keyring

                value = keyring.get_password(SERVICE, USERNAME)
                if value:
                    return value
            except Exception as exc:  # keyring backends raise many kinds of errors
                log.info("keyring unavailable (%s); using the token file", exc)
        try:
            value = self.fallback_file.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return value or None

    def set(self, token: str) -> str:
        """Store the token; returns where it went ('keyring' or the file path)."""
        token = token.strip()
        if not token:
            raise ValueError("empty token")
        if self._use_keyring:
            try:
                import keyring

                keyring.set_password(SERVICE, USERNAME, token)
                self.fallback_file.unlink(missing_ok=True)
                return "keyring"
            except Exception as exc:
                log.info("keyring unavailable (%s); writing the token file", exc)
        # Whole or not at all (owner-only, as mkstemp makes it): a write that fails keeps the token there was.
        write_atomically(self.fallback_file, (token + "\n").encode("utf-8"), mode=0o600)
        return str(self.fallback_file)
