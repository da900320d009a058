"""The server's release settings (``[releases]`` in the server's config): when a rollout stops itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReleaseSettings:
    """A new app build's rollout pauses itself when, among the shops that tried it (installed or rolled back),
    at least ``auto_stop_min_shops`` did and the share that rolled back reaches ``auto_stop_rollback_rate``."""

    auto_stop_rollback_rate: float = 0.05
    auto_stop_min_shops: int = 10

    def __post_init__(self) -> None:
        if not 0 < self.auto_stop_rollback_rate <= 1:
            raise ValueError(f"auto_stop_rollback_rate must be in (0, 1], got {self.auto_stop_rollback_rate}")
        if self.auto_stop_min_shops < 1:
            raise ValueError(f"auto_stop_min_shops must be at least 1, got {self.auto_stop_min_shops}")

    @classmethod
    def from_mapping(cls, block: Mapping[str, Any]) -> ReleaseSettings:
        """From the config's ``[releases]`` table; ValueError naming the bad key."""
        unknown = set(block) - {"auto_stop_rollback_rate", "auto_stop_min_shops"}
        if unknown:
            raise ValueError(f"[releases]: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            return cls(auto_stop_rollback_rate=float(block.get("auto_stop_rollback_rate", 0.05)),
                       auto_stop_min_shops=int(block.get("auto_stop_min_shops", 10)))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"[releases]: {exc}") from None
