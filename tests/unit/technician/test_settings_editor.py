"""The technician's settings editor: only a clean text replaces the file, and the old one is kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.infra.settings import ProblemKind, load_settings
from app.technician.settings_editor import SettingsRejected, check_settings_text, save_settings_text

GOOD = ('[shop]\nname = "Tiệm vàng Kim Phát"\nshop_id = "KP-0001"\n\n'
        '[[devices.printers]]\nname = "Máy in tem"\nhost = "192.168.1.50"\nport = 9100\n')


def test_a_clean_text_replaces_the_file_and_the_old_one_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "settings.toml"
    target.write_text('[shop]\nname = "Cũ"\n', encoding="utf-8")
    saved = save_settings_text(GOOD, target, now=dt.datetime(2026, 11, 30, 9, 15))
    assert target.read_text(encoding="utf-8") == GOOD
    assert saved.backup is not None and saved.backup.name == "settings.toml.bak-20261130-091500"
    assert saved.backup.read_text(encoding="utf-8") == '[shop]\nname = "Cũ"\n'
    loaded = load_settings(target)
    assert loaded.ok and loaded.settings.devices.printers[0].host == "192.168.1.50"


@pytest.mark.parametrize("text, kind", [
    ('[shop\nname = "x"\n', ProblemKind.SYNTAX),
    ('[updates]\ninterval_hours = 0\n', ProblemKind.INVALID_VALUE),
    ('[shop]\nnmae = "typo"\n', ProblemKind.UNKNOWN_KEY),
])
def test_a_text_with_problems_is_refused_and_the_file_untouched(tmp_path: Path, text: str, kind: ProblemKind) -> None:
    target = tmp_path / "settings.toml"
    target.write_text(GOOD, encoding="utf-8")
    assert [p.kind for p in check_settings_text(text, target).problems] == [kind]
    with pytest.raises(SettingsRejected) as caught:
        save_settings_text(text, target)
    assert [p.kind for p in caught.value.problems] == [kind]
    assert target.read_text(encoding="utf-8") == GOOD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.toml"]  # no backup, no probe left
