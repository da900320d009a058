"""The strict reader of signed documents: every refusal comes from a written rule, and so does every acceptance.

Sources (each case names its own):
* RFC 8259, The JavaScript Object Notation (JSON) Data Interchange Format:
  section 4 "The names within an object SHOULD be unique" (and "When the names
  within an object are not unique, the behavior of software that receives such
  an object is unpredictable. Many implementations report the last name/value
  pair only."); section 6 "Numeric values that cannot be represented in the
  grammar below (such as Infinity and NaN) are not permitted"; section 7 (a
  name is a string, so its escapes decode before names are compared); section
  8.1 "JSON text exchanged between systems that are not part of a closed
  ecosystem MUST be encoded using UTF-8" and parsers "MAY ignore the presence
  of a byte order mark"; section 8.2 (unpaired surrogates: "unpredictable");
  section 9 "An implementation may set limits on the maximum depth of nesting".
* RFC 7493, The I-JSON Message Format: section 2.1 "MUST NOT include code
  points that identify Surrogates"; section 2.2 numbers beyond IEEE 754 double
  precision; section 2.3 "Objects in I-JSON messages MUST NOT have members
  with duplicate names".
* Python's ``json`` module documentation: ``json.loads`` accepts ``NaN``,
  ``Infinity`` and ``-Infinity`` and keeps the last duplicate, which is why
  the app needs this reader at all (test_json_loads_itself_is_lenient).
"""

from __future__ import annotations

import json

import pytest

from pmv_protocol.signed_json import (
    MAX_DEPTH,
    JsonFault,
    JsonProblem,
    StrictJsonError,
    canonical_bytes,
    canonical_form,
    parse,
    parse_object,
)

REFUSED: list[tuple[str, bytes, JsonFault]] = [
    # RFC 8259 s.4 / RFC 7493 s.2.3: the issue's own case, a contract end date given twice.
    ("duplicate at depth 3", b'{"payload": {"maintenance": [{"start": "2027-01-16", "end": "2035-12-31", '
     b'"end": "2028-01-15"}]}}', JsonFault(JsonProblem.DUPLICATE_KEY, "payload.maintenance[0].end", "end")),
    ("duplicate at the top", b'{"a": 1, "a": 1}', JsonFault(JsonProblem.DUPLICATE_KEY, "a", "a")),
    # RFC 8259 s.7: names are compared after escapes are decoded, so an escaped spelling is the same name.
    ("duplicate spelled with an escape", b'{"end": "2028-01-15", "\\u0065nd": "2035-12-31"}',
     JsonFault(JsonProblem.DUPLICATE_KEY, "end", "end")),
    ("duplicate inside a list's object", b'{"parts": [{"name": "a"}, {"name": "b", "name": "c"}]}',
     JsonFault(JsonProblem.DUPLICATE_KEY, "parts[1].name", "name")),
    ("duplicate under a name with a space", b'{"x y": {"k": 1, "k": 2}}',
     JsonFault(JsonProblem.DUPLICATE_KEY, '["x y"].k', "k")),
    # RFC 8259 s.6: not JSON numbers, though json.loads takes them.
    ("NaN", b'{"percent": NaN}', JsonFault(JsonProblem.NON_FINITE_NUMBER, "percent", "percent")),
    ("Infinity", b'{"amount": Infinity}', JsonFault(JsonProblem.NON_FINITE_NUMBER, "amount", "amount")),
    ("-Infinity in a list", b'{"xs": [1, -Infinity]}', JsonFault(JsonProblem.NON_FINITE_NUMBER, "xs[1]", "xs")),
    # RFC 8259 s.6 again: a number literal whose value no double holds becomes inf in json.loads.
    ("overflowing literal", b'{"amount": 1e400}', JsonFault(JsonProblem.NON_FINITE_NUMBER, "amount", "amount")),
    # RFC 7493 s.2.2: a double-based reader (the POS, a browser) would see 9007199254740992.
    ("integer beyond 2**53 - 1", b'{"amount_vnd": 9007199254740993}',
     JsonFault(JsonProblem.NUMBER_OUT_OF_RANGE, "amount_vnd", "amount_vnd")),
    # RFC 8259 s.8.2 / RFC 7493 s.2.1: unpaired surrogates, in a value and in a name.
    ("lone surrogate in a value", b'{"shop_name": "Kim \\ud800 Ph\\u00e1t"}',
     JsonFault(JsonProblem.LONE_SURROGATE, "shop_name", "shop_name")),
    ("lone low surrogate in a name", b'{"\\udc00": 1}',
     JsonFault(JsonProblem.LONE_SURROGATE, '["\\udc00"]', "\\udc00")),
    # RFC 8259 s.8.1: UTF-8 only (json.loads would also take UTF-16), and not Latin-1 either.
    ("UTF-16", '{"a": 1}'.encode("utf-16"), JsonFault(JsonProblem.NOT_UTF8)),
    ("Latin-1 byte", b'{"shop_name": "Ti\xe9m"}', JsonFault(JsonProblem.NOT_UTF8)),
    # RFC 8259 s.2: one value, nothing after it; and the grammar itself.
    ("text after the value", b'{"a": 1} {"a": 2}', JsonFault(JsonProblem.NOT_JSON)),
    ("not JSON", b"{not json", JsonFault(JsonProblem.NOT_JSON)),
    ("empty", b"", JsonFault(JsonProblem.NOT_JSON)),
    # Our documents are objects: a list or a scalar is some other file.
    ("a list", b"[1, 2]", JsonFault(JsonProblem.NOT_AN_OBJECT)),
    ("null", b"null", JsonFault(JsonProblem.NOT_AN_OBJECT)),
    # RFC 8259 s.9: a depth limit, so a hostile file is a refusal, not a RecursionError traceback.
    ("deeper than the limit", b'{"a": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
     JsonFault(JsonProblem.TOO_DEEP, "a" + "[0]" * MAX_DEPTH, "a")),
    ("deeper than Python's stack", b"[" * 100_000 + b"]" * 100_000, JsonFault(JsonProblem.TOO_DEEP)),
]


@pytest.mark.parametrize(("data", "fault"), [(d, f) for _, d, f in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_with_the_fault_and_where(data: bytes, fault: JsonFault) -> None:
    with pytest.raises(StrictJsonError) as caught:
        parse_object(data)
    assert caught.value.fault == fault
    assert isinstance(caught.value, ValueError)  # callers that caught json.loads' ValueError still catch it
    assert canonical_form(data) is None


ACCEPTED: list[tuple[str, bytes, object]] = [
    # RFC 8259 s.8.1: a parser MAY ignore a BOM (Notepad writes one).
    ("a UTF-8 byte order mark", b'\xef\xbb\xbf{"a": 1}', {"a": 1}),
    # RFC 8259 s.7: a surrogate *pair* is one character (U+1F600), not a lone surrogate.
    ("a surrogate pair", b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001F600"}),
    # RFC 8259 s.4: the same name in two *different* objects is not a duplicate.
    ("one name in sibling objects", b'{"m": [{"end": "a"}, {"end": "b"}], "end": "c"}',
     {"m": [{"end": "a"}, {"end": "b"}], "end": "c"}),
    # RFC 7493 s.2.2: 2**53 - 1 is the largest integer a double holds exactly.
    ("the largest safe integer", b'{"n": -9007199254740991}', {"n": -9007199254740991}),
    ("Vietnamese text", '{"shop_name": "Tiệm vàng Kim Phát"}'.encode(), {"shop_name": "Tiệm vàng Kim Phát"}),
    # RFC 7493 s.2.1 names noncharacters too, but they round-trip through UTF-8 unchanged: no second reading.
    ("a noncharacter", b'{"a": "\\uffff"}', {"a": "\uffff"}),
    ("exactly the depth limit", b'{"a": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}", None),
]


@pytest.mark.parametrize(("data", "value"), [(d, v) for _, d, v in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted(data: bytes, value: object) -> None:
    parsed = parse_object(data)
    if value is not None:
        assert parsed == value
    assert type(parsed) is dict  # plain dicts, not the parser's bookkeeping type


def test_json_loads_itself_is_lenient() -> None:
    """Why this module exists: the standard parser reads the issue's contract as 2028 and takes NaN."""
    doc = b'{"end": "2035-12-31", "end": "2028-01-15", "percent": NaN}'
    loaded = json.loads(doc)
    assert loaded["end"] == "2028-01-15" and loaded["percent"] != loaded["percent"]
    with pytest.raises(StrictJsonError):
        parse(doc)


def test_parse_takes_text_and_other_top_levels() -> None:
    assert parse('["0.2.0", "0.3.0"]') == ["0.2.0", "0.3.0"]
    assert parse_object('\ufeff{"a": [1, 2.5, true, null]}') == {"a": [1, 2.5, True, None]}
    with pytest.raises(StrictJsonError) as caught:
        parse('["a", {"k": 1, "k": 1}]')
    assert caught.value.fault == JsonFault(JsonProblem.DUPLICATE_KEY, "[1].k", "k")


def test_canonical_bytes_are_one_spelling_for_one_reading() -> None:
    spellings = [
        b'{"b": [1.0, "\\u0054i\\u1ec7m"], "a": {"y": 2, "x": 1}}',
        '\ufeff{ "a":{"x":1,"y":2},\n  "b":[1e0,"Tiệm"] }'.encode(),
    ]
    forms = {canonical_form(s) for s in spellings}
    assert forms == {'{"a":{"x":1,"y":2},"b":[1.0,"Tiệm"]}'.encode()}
    assert canonical_bytes({"s": "Tiệm"}) == '{"s":"Tiệm"}'.encode()  # UTF-8, not \\u escapes
    with pytest.raises(ValueError):
        canonical_bytes({"n": float("nan")})  # what it writes is always JSON


def test_a_refusal_is_loggable_and_names_the_place() -> None:
    with pytest.raises(StrictJsonError) as caught:
        parse_object(b'{"\\ud800": 1, "\\ud800": 2}')
    text = str(caught.value)
    assert text.encode("utf-8")  # no lone surrogate in the message: a log file can take it
    assert caught.value.fault == JsonFault(JsonProblem.DUPLICATE_KEY, '["\\ud800"]', "\\ud800")
    assert caught.value.fault.key is not None and caught.value.fault.key.encode("utf-8")  # and so can a UI label
    long_name = "k" * 500
    with pytest.raises(StrictJsonError) as caught:
        parse_object(json.dumps({long_name: 1}).replace("1}", f'1, "{long_name}": 2}}'))
    assert caught.value.fault.key is not None and len(caught.value.fault.key) <= 80
