"""How the program starts itself again."""

from __future__ import annotations

import sys

from app.infra.program import app_command, relaunch_args


def test_from_source_it_is_this_interpreter_with_the_package_and_frozen_the_bundle_itself() -> None:
    assert app_command(frozen=False) == [sys.executable, "-m", "app"]
    assert app_command(frozen=True) == [sys.executable]


def test_a_restart_keeps_the_arguments_and_says_once_whether_to_start_in_the_tray() -> None:
    argv = ["--config", "/shop/settings.toml", "--minimized", "--lang", "en"]
    assert relaunch_args(argv, minimized=True) == ["--config", "/shop/settings.toml", "--lang", "en", "--minimized"]
    assert relaunch_args(argv, minimized=False) == ["--config", "/shop/settings.toml", "--lang", "en"]
