"""Phrases: the core's Vietnamese, kept with how it was made so the window can say it in English."""

from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

import pytest

from app.infra.phrase import Number, Phrase, joined, number, phrase_from_json, say

ROOT = Path(__file__).resolve().parents[2]


def test_a_phrase_is_its_vietnamese_text_and_keeps_its_source_and_values() -> None:
    free = say("HealthCheck", "Ổ đĩa %1 còn trống %2 GB").fill(say("HealthCheck", "thư mục dữ liệu"), number(79.53))

    assert free == "Ổ đĩa thư mục dữ liệu còn trống 79,5 GB"
    assert isinstance(free, str) and "còn trống" in free  # every str consumer (CLI, history, PDF) reads it as before
    assert (free.context, free.source) == ("HealthCheck", "Ổ đĩa %1 còn trống %2 GB")
    assert isinstance(free.args[0], Phrase) and isinstance(free.args[1], Number)
    assert json.dumps({"summary": free}, ensure_ascii=False) == '{"summary": "Ổ đĩa thư mục dữ liệu còn trống 79,5 GB"}'


def test_values_are_filled_in_one_pass() -> None:
    # A value holding "%2" (a path, a mistyped key) is never filled again; a bare "%" stays.
    assert say("C", "%1 và %2 (100%)").fill("C:\\%2", "x") == "C:\\%2 và x (100%)"
    assert say("C", "thiếu %2").fill("a") == "thiếu %2"


def test_numbers_are_vietnamese_here_and_keep_their_value_for_english() -> None:
    # Vietnamese writes a decimal comma and groups thousands with a point (Vietnamese standard TCVN 6909 usage).
    assert number(1234.56) == "1.234,6"
    assert number(1234.56).written(".") == "1,234.6"
    assert number(12.0, None) == "12" and number(12.5, None) == "12,5"


def test_concatenation_gives_plain_text_not_a_half_translated_phrase() -> None:
    text = say("C", "Bỏ qua") + ": lý do"
    assert type(text) is str


def test_a_phrase_survives_pickling_as_a_phrase() -> None:
    # Check results cross into the label batch / job processes by pickle; a str subclass would lose its source.
    original = say("C", "%1 đang chạy (%2 tiến trình)").fill("PMV.exe", 2)
    copy = pickle.loads(pickle.dumps(original))
    assert isinstance(copy, Phrase) and copy == original and copy.source == original.source
    assert pickle.loads(pickle.dumps(number(3.25, 2))).written(".") == "3.25"


def test_a_stored_phrase_reads_back_whole() -> None:
    original = say("C", "Quá ngưỡng: %1").fill(joined([say("C", "bộ nhớ trên %1%").fill(number(90, None)), "CPU"]))
    back = phrase_from_json(original.to_json(), str(original))

    assert back == original == "Quá ngưỡng: bộ nhớ trên 90%, CPU"
    assert isinstance(back, Phrase) and back.source == "Quá ngưỡng: %1"
    inner = back.args[0]
    assert isinstance(inner, Phrase) and isinstance(inner.args[0], Phrase) and isinstance(inner.args[0].args[0], Number)


def test_english_singular_is_kept_through_filling_pickling_and_storing() -> None:
    one = say("C", "%1 ngày qua", "one").fill(1)
    assert one == "1 ngày qua" and one.disambiguation == "one"
    back = phrase_from_json(one.to_json(), str(one))
    assert isinstance(back, Phrase) and back.disambiguation == "one"
    copy = pickle.loads(pickle.dumps(one))
    assert isinstance(copy, Phrase) and copy.disambiguation == "one"


@pytest.mark.parametrize("stored", [
    None, "", "not json", "[]", '{"c": 1, "s": "x"}', '{"n": true}', '{"n": 1, "d": 99}', "[" * 5000,
    # A row another version wrote whose words no longer match the summary beside it: the summary wins.
    json.dumps({"c": "C", "s": "khác hẳn", "a": []}),
])
def test_a_stored_phrase_that_does_not_read_back_to_the_stored_words_is_ignored(stored: str | None) -> None:
    assert type(phrase_from_json(stored, "Ổ đĩa còn trống")) is str
    assert phrase_from_json(stored, "Ổ đĩa còn trống") == "Ổ đĩa còn trống"


# The modules whose visible words are phrases: every Vietnamese literal in them must reach lupdate through say().
PHRASE_MODULES = [
    "app/health/runner.py",
    "app/health/report_pdf.py",
    "app/health/context.py",
    "app/health/registry.py",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "app" / "health" / "checks").glob("*.py")),
    "app/updates/compliance.py",
    "app/support/check.py",
    "app/warranty/check.py",
    "app/devices/diagnosis.py",
]
_VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)


def _unsaid_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    said = set()
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say":
            assert len(node.args) in (2, 3) and all(isinstance(a, ast.Constant) for a in node.args), (
                f"{path}:{node.lineno}: say() takes literals (lupdate reads them), values go through fill()")
            said.add(id(node.args[1]))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Check":
            said.add(id(node.args[1]))  # a check's title: the window's words for it are filed by check id
        if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["TITLE"]
                and isinstance(node.value, ast.Constant)):
            said.add(id(node.value))  # the same, named once for a feature's check (compliance.TITLE)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:50]!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _VIETNAMESE.search(node.value)
            and id(node) not in said and id(node) not in docstrings]


@pytest.mark.parametrize("module", PHRASE_MODULES)
def test_every_vietnamese_word_a_check_says_is_a_phrase(module: str) -> None:
    """Vietnamese written outside say() would reach an English window untranslated."""
    assert _unsaid_literals(ROOT / module) == []


def test_every_check_title_is_a_source_the_window_translates_under_the_title_context() -> None:
    """The runner names a failed dependency by its title in a phrase (TITLE_CONTEXT): it must be in the catalogue."""
    import xml.etree.ElementTree as ET

    from app.health.model import TITLE_CONTEXT
    from app.health.registry import default_checks

    ts = ROOT / "resources" / "translations" / "pmv_support_en.ts"
    sources = {message.findtext("source") for context in ET.parse(ts).getroot().iter("context")
               if context.findtext("name") == TITLE_CONTEXT for message in context.iter("message")}
    assert [check.title for check in default_checks() if check.title not in sources] == []


def test_an_exception_raised_with_a_phrase_gives_the_phrase_back() -> None:
    from app.infra.phrase import raised_with

    reason = say("HealthCheck", "chưa khai báo máy in nào")
    assert raised_with(ValueError(reason)) is reason  # str(exc) would be plain Vietnamese
    assert raised_with(ValueError("a", "b")) == "('a', 'b')" and raised_with(ValueError()) == ""
