"""``GET /healthz``: the server is up (the shop's ``vendor.reachable`` check asks it, and reads its ``Date``)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The answer; no database is touched, so it stays fast under load."""

    status: Literal["ok"] = "ok"


@router.get("/healthz")
def healthz() -> Health:
    return Health()
