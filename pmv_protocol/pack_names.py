"""What a pack's id and version look like: folder names on the till PC, so a portable, traversal-free alphabet.

Apart from :mod:`pmv_protocol.packs` (pydantic models) so that listing the
packs a till has installed loads no validation framework (issue 24).
"""

from __future__ import annotations

PACK_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
VERSION_PATTERN = r"^\d{1,6}(\.\d{1,6}){0,3}$"
