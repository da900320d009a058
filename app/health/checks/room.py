"""Room a check's temporary copy must leave on its drive (the integrity check's copy, the restore test's unpack).

Both copy the shop's database into the temp folder, on the till's system drive where the POS writes too: the copy
must leave the shop's own low-disk floor free (``[health] disk_min_free_gb``, the disk check's), and never less
than MIN_LEFT_AFTER_COPY, so that the POS can still save an invoice while a check runs.
"""

from __future__ import annotations

from app.health.context import CheckContext

GB = 1024**3
MIN_LEFT_AFTER_COPY = GB


def copy_margin(ctx: CheckContext) -> int:
    """Bytes that must stay free on the drive after the copy."""
    return max(int(ctx.settings.health.disk_min_free_gb * GB), MIN_LEFT_AFTER_COPY)
