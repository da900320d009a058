"""Checks run against a real demo shop, broken in one way per test, with a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.health.context import CheckContext
from app.health.model import Check, CheckResult
from app.health.runner import _execute
from app.infra.settings import Settings
from app.shop.demo import DemoShop
from tests.helpers import SHOP_NOW, check_contexts, shop_settings_of


@pytest.fixture
def shop_settings(demo_shop: DemoShop) -> Settings:
    return shop_settings_of(demo_shop)


@pytest.fixture
def make_ctx(shop_settings: Settings) -> Iterator[Callable[..., CheckContext]]:
    with check_contexts(shop_settings, SHOP_NOW) as make:
        yield make


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
