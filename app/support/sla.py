"""``app.support.sla.response_due``: a stable entry point (DESIGN.md, "Stable entry points").

The rule lives in :mod:`pmv_protocol.sla`, which the vendor's server counts by too; the CLI, other features and
outside tests reach it by this name, so the name stays.
"""

from pmv_protocol.sla import response_due

__all__ = ["response_due"]
