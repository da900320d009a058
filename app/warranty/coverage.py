"""``app.warranty.coverage.coverage_on``: a stable entry point (DESIGN.md, "Stable entry points").

The coverage rules live in :mod:`pmv_protocol.coverage`, shared with the vendor's server; the name the shop's
side has always offered stays.
"""

from pmv_protocol.coverage import Coverage, CoverageStatus, coverage_on

__all__ = ["Coverage", "CoverageStatus", "coverage_on"]
