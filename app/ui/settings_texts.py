"""The settings file's problems (:class:`~app.infra.settings.SettingsProblem`) as the window says them; banners.

The words are the core's (:mod:`app.infra.settings_words`), which the settings health check says too; here they
are said in the window's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.infra.settings import LoadedSettings, Reason, SettingsProblem, Source
from app.infra.settings_words import problem_phrase, reason_phrase
from app.ui.i18n import said
from app.ui.levels import Level
from app.ui.widgets.banner import Banner


def reason_text(code: Reason) -> str:
    """Why a value or the file was refused, as a phrase that follows "có lỗi ở dòng N (…)"."""
    return said(reason_phrase(code))


def settings_problem_text(problem: SettingsProblem, path: Path | None = None) -> str:
    """One problem in words; ``path`` as in :func:`app.infra.settings_words.problem_phrase`."""
    return said(problem_phrase(problem, path))


def settings_problem_list(problems: Sequence[SettingsProblem]) -> str:
    """Problems found in a text before it is saved, one bullet a line."""
    return "\n".join(f"• {settings_problem_text(problem)}" for problem in problems)


def settings_banners(loaded: LoadedSettings) -> list[Banner]:
    """One banner per problem; red when the app runs on defaults because the file could not be used."""
    banners = []
    for problem in loaded.problems:
        unwatched = problem.kind.whole_file and loaded.source is Source.DEFAULTS
        banners.append(Banner(settings_problem_text(problem, loaded.path),
                              Level.CRITICAL if unwatched else Level.WARNING))
    return banners
