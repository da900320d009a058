"""Pack factories, and the health fixtures (demo shop context) for the compliance check."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.infra.resources import resources_dir

# The health tests' fixtures, so the compliance check runs exactly as the other checks do.
from tests.unit.health.conftest import make_ctx, shop_settings  # noqa: F401

ND232 = resources_dir() / "regulation" / "nd-232-2025.json"


@pytest.fixture
def nd232_bytes() -> bytes:
    # The real pack's content, labelled 1.0.0: the install tests' version chains (1.0.0 -> 1.1.0 -> ...) start there.
    return ND232.read_bytes().replace(b'"version": "1.1.0"', b'"version": "1.0.0"', 1)


@pytest.fixture
def make_pack() -> Callable[..., bytes]:
    """The real ND 232 pack with some top-level fields (or its first rule's) changed, as bytes."""

    def make(version: str = "1.0.0", *, rule: dict[str, Any] | None = None, **fields: Any) -> bytes:
        doc = json.loads(ND232.read_text(encoding="utf-8"))
        doc["version"] = version
        doc.update(fields)
        if rule:
            doc["rules"][0].update(rule)
        return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")

    return make


__all__ = ["ND232", "Path"]
