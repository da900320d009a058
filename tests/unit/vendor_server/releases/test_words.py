"""The releases page's words from its routes have their English (the template's are checked by the console's
own test, tests/unit/vendor_server/console/test_words.py, which scans every template)."""

from __future__ import annotations

import pytest

from vendor_server.console import words
from vendor_server.console.audit import Action
from vendor_server.releases.console_routes import DONE, KIND_NAMES, RELEASE_ERRORS
from vendor_server.releases.rollouts import RolloutError


@pytest.mark.parametrize("text", sorted({*RELEASE_ERRORS.values(), *DONE.values(), *KIND_NAMES.values()}))
def test_every_text_the_routes_show_has_its_english(text: str) -> None:
    english = words.ENGLISH.get(text)
    assert english and english.strip() and english != text, f"no English for {text!r}"


def test_every_refusal_has_its_words() -> None:
    codes = {value for name, value in vars(RolloutError).items() if name.isupper()}
    assert codes and codes <= set(RELEASE_ERRORS)


def test_the_rollout_actions_have_both_languages() -> None:
    for action in (Action.ROLLOUT_PAUSED, Action.ROLLOUT_RESUMED, Action.ROLLOUT_PERCENT, Action.ROLLOUT_AUTO_STOPPED):
        assert words.action_name(action, "vi") != words.action_name(action, "en")
    assert words.action_name(Action.ROLLOUT_AUTO_STOPPED, "vi") == "Phát hành tự dừng"


def test_the_automatic_stops_sentence_keeps_its_placeholders_in_english() -> None:
    text = "Tự dừng: {rolled}/{tried} cửa hàng ({rate} %) đã quay lại bản cũ"
    assert words.translator("en")(text).format(rolled=2, tried=10, rate="20") == \
        "Stopped automatically: 2/10 shops (20 %) rolled back"
    assert words.translator("vi")(text).format(rolled=2, tried=10, rate="20") == \
        "Tự dừng: 2/10 cửa hàng (20 %) đã quay lại bản cũ"
