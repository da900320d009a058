"""Signed and security-relevant JSON: one reading only, and the one way to write it back.

``json.loads`` is lenient where leniency changes meaning.  It keeps the *last*
of two members with the same name, so ``{"end": "2035-12-31", "end":
"2028-01-15"}`` verifies as 2028 while a reader that keeps the first sees
2035.  It accepts ``NaN`` and ``Infinity``, which are not JSON, and strings
with lone surrogates, which cannot be written as UTF-8 and which other
readers replace, drop or refuse.  Every document whose content decides what
the app trusts or does (contracts, regulation packs, the reinstall profile,
the update pointer files) is read here instead, and refused when it could be
read two ways.  What "could be read two ways" means, and where each rule
comes from:

* a member name twice in one object, at any depth, compared after escapes
  are decoded (``"end"`` and ``"\\u0065nd"`` are the same name): RFC 8259
  section 4, "The names within an object SHOULD be unique", and RFC 7493
  (I-JSON) section 2.3, "Objects MUST NOT have members with duplicate names";
* ``NaN``, ``Infinity``, ``-Infinity``, and literals that overflow a double
  (``1e400``): RFC 8259 section 6, "Numeric values that cannot be represented
  in the grammar below (such as Infinity and NaN) are not permitted";
* integers beyond +-(2**53 - 1): RFC 7493 section 2.2; a reader that uses
  doubles (the POS reads exported packs) would see another number;
* a lone surrogate (``"\\ud800"``): RFC 8259 section 8.2 (such strings make
  "the behavior of software that receives" them "unpredictable") and RFC 7493
  section 2.1 ("MUST NOT include code points that identify Surrogates");
* bytes that are not UTF-8: RFC 8259 section 8.1 (UTF-8 is required;
  ``json.loads`` would also guess UTF-16 and UTF-32).  A leading byte order
  mark is skipped, as section 8.1 allows (Notepad adds one);
* a top level that is not an object (:func:`parse_object`): every document
  here is an object, and a list or a string would be "some other file";
* nesting deeper than :data:`MAX_DEPTH`: RFC 8259 section 9 lets a parser
  limit it, and without a limit a hostile file ends in a RecursionError
  traceback instead of a refusal.

What is *not* refused, because it cannot change meaning: insignificant
whitespace, member order, escapes that decode to the same text, number
spellings of the same double (``1.0``, ``1e0``), and Unicode noncharacters
(they round-trip through UTF-8 unchanged).

"Store what was verified": a document that passed is kept as
:func:`canonical_bytes` of the parsed value (sorted names, no spaces,
UTF-8), so whatever later reads the stored file, with whichever parser, sees
exactly the values that were checked.  The same function gives the bytes a
contract signature covers.

Domain code only: a refusal is a :class:`StrictJsonError` carrying a
:class:`JsonFault` (a :class:`JsonProblem` code, the member's path and name);
the UI words it.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64  # the deepest signed document (a profile manifest) nests 3 levels
MAX_SAFE_INTEGER = 2**53 - 1  # RFC 7493 section 2.2
_BOM = "\ufeff"
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_NAME_SHOWN = 80  # a fault's key is for a message: long names are cut


class JsonProblem(enum.StrEnum):
    """Why a signed or security-relevant JSON document was refused (the UI words each)."""

    NOT_UTF8 = "not_utf8"
    NOT_JSON = "not_json"  # a syntax error, or text after the value
    NOT_AN_OBJECT = "not_an_object"
    DUPLICATE_KEY = "duplicate_key"
    NON_FINITE_NUMBER = "non_finite_number"  # NaN, Infinity, -Infinity, 1e400
    NUMBER_OUT_OF_RANGE = "number_out_of_range"  # an integer a double cannot hold exactly
    LONE_SURROGATE = "lone_surrogate"
    TOO_DEEP = "too_deep"


@dataclass(frozen=True)
class JsonFault:
    """What is wrong and where: ``path`` like ``payload.maintenance[0].end`` ('' for the whole document).

    ``key`` is the member name at ``path`` (for DUPLICATE_KEY the name given
    twice), shortened and with lone surrogates escaped so it can be shown; None
    when the fault is not inside a member.
    """

    problem: JsonProblem
    path: str = ""
    key: str | None = None


class StrictJsonError(ValueError):
    """A document refused by :func:`parse`; ``fault`` says why (a ValueError, as json.loads raises)."""

    def __init__(self, fault: JsonFault, detail: str = "") -> None:
        where = f" at {fault.path}" if fault.path else ""
        super().__init__(f"{fault.problem.value}{where}" + (f": {detail}" if detail else ""))
        self.fault = fault
        self.detail = detail

    @property
    def problem(self) -> JsonProblem:
        return self.fault.problem


class _Members(dict[str, Any]):
    """An object as parsed, remembering the names that appeared more than once (in document order)."""

    duplicates: list[str]


class _NonFinite:
    def __init__(self, text: str) -> None:
        self.text = text


def _members(pairs: list[tuple[str, Any]]) -> _Members:
    obj = _Members()
    obj.duplicates = []
    for name, value in pairs:
        if name in obj:
            obj.duplicates.append(name)
        obj[name] = value
    return obj


def _float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if value not in (float("inf"), float("-inf")) else _NonFinite(text)


def _shown(name: str) -> str:
    if _SURROGATE.search(name):
        name = json.dumps(name)[1:-1]  # ASCII escapes: a lone surrogate cannot be shown or encoded
    return name if len(name) <= _NAME_SHOWN else name[: _NAME_SHOWN - 1] + "…"


def _child(path: str, name: str) -> str:
    if _PLAIN_NAME.match(name):
        return f"{path}.{name}" if path else name
    return f"{path}[{json.dumps(name)}]"


def _refuse(problem: JsonProblem, path: str, key: str | None, detail: str) -> StrictJsonError:
    return StrictJsonError(JsonFault(problem, path, _shown(key) if key is not None else None), detail)


def _clean(value: Any, path: str, key: str | None, depth: int) -> Any:
    """The value as plain dicts and lists, or StrictJsonError for the first fault in document order."""
    if depth > MAX_DEPTH:
        raise _refuse(JsonProblem.TOO_DEEP, path, key, f"nested more than {MAX_DEPTH} levels")
    if isinstance(value, _Members):
        if value.duplicates:
            name = value.duplicates[0]
            raise _refuse(JsonProblem.DUPLICATE_KEY, _child(path, name), name, f"the name {name!r} appears twice")
        out: dict[str, Any] = {}
        for name, item in value.items():
            where = _child(path, name)
            if _SURROGATE.search(name):
                raise _refuse(JsonProblem.LONE_SURROGATE, where, name, "a member name holds a lone surrogate")
            out[name] = _clean(item, where, name, depth + 1)
        return out
    if isinstance(value, list):
        return [_clean(item, f"{path}[{index}]", key, depth + 1) for index, item in enumerate(value)]
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise _refuse(JsonProblem.LONE_SURROGATE, path, key, "a string holds a lone surrogate")
        return value
    if isinstance(value, _NonFinite):
        raise _refuse(JsonProblem.NON_FINITE_NUMBER, path, key, f"{value.text} is not a JSON number")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        raise _refuse(JsonProblem.NUMBER_OUT_OF_RANGE, path, key, "an integer beyond 2**53 - 1")
    return value


def parse(data: bytes | str) -> Any:
    """The one reading of ``data``; raises StrictJsonError (a ValueError) for anything that has two."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StrictJsonError(JsonFault(JsonProblem.NOT_UTF8), str(exc)) from None
    else:
        text = data
    if text.startswith(_BOM):
        text = text[1:]
    try:
        raw = json.loads(text, object_pairs_hook=_members, parse_float=_float, parse_constant=_NonFinite)
    except RecursionError:
        raise StrictJsonError(JsonFault(JsonProblem.TOO_DEEP), "nested too deeply to parse") from None
    except ValueError as exc:  # JSONDecodeError, and int() refusing a 5000-digit literal
        raise StrictJsonError(JsonFault(JsonProblem.NOT_JSON), str(exc)) from None
    return _clean(raw, "", None, 0)


def parse_object(data: bytes | str) -> dict[str, Any]:
    """:func:`parse` for a document that must be a JSON object (every signed document here is one)."""
    value = parse(data)
    if not isinstance(value, dict):
        raise StrictJsonError(JsonFault(JsonProblem.NOT_AN_OBJECT), f"the top level is a {type(value).__name__}")
    return value


def canonical_bytes(value: Mapping[str, Any] | list[Any]) -> bytes:
    """Sorted names, no spaces, UTF-8: what a signature covers and what a verified document is stored as."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def canonical_form(data: bytes | str) -> bytes | None:
    """``data`` as it would be stored (the canonical bytes of its one reading), or None if it is refused.

    For comparing a stored document with an incoming one: the same content
    compares equal whichever way each was spelled.
    """
    try:
        return canonical_bytes(parse_object(data))
    except StrictJsonError:
        return None
