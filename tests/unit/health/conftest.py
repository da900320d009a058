"""Checks run against a real demo shop, broken in one way per test, with a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.health.context import CheckContext
from app.health.model import Check, CheckResult
from app.health.runner import _execute
from app.infra.settings import Settings, load_settings
from app.shop.demo import DemoShop

# 25/11/2026 10:00 in Hồ Chí Minh City: a Wednesday, inside trading hours, the
# demo shop's "today" (its price board was updated at 08:30 that morning).
SHOP_NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def shop_settings(demo_shop: DemoShop) -> Settings:
    loaded = load_settings(demo_shop.settings_file)
    assert loaded.ok
    return loaded.settings


@pytest.fixture
def make_ctx(shop_settings: Settings) -> Iterator[Callable[..., CheckContext]]:
    made: list[CheckContext] = []

    def make(settings: Settings | None = None, now: dt.datetime = SHOP_NOW, **kwargs: object) -> CheckContext:
        ctx = CheckContext(settings or shop_settings, clock=lambda: now, **kwargs)  # type: ignore[arg-type]
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def run_one(check: Check, ctx: CheckContext) -> CheckResult:
    """Run a single check the way the runner does (NotConfigured -> skipped, crash -> unknown)."""
    return _execute(check, ctx)


def settings_with(settings: Settings, section: str, **changes: object) -> Settings:
    """A copy of ``settings`` with fields of one section changed."""
    part = getattr(settings, section)
    return settings.model_copy(update={section: part.model_copy(update=changes)})


def find(checks: list[Check], check_id: str) -> Check:
    return next(check for check in checks if check.id == check_id)


__all__ = ["SHOP_NOW", "run_one", "settings_with", "find", "Path"]
