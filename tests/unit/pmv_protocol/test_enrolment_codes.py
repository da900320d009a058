"""Enrolment codes: the alphabet and reading rules from Crockford's base 32 (https://www.crockford.com/base32.html),
the check from Reed–Solomon's properties (two check symbols over GF(32): distance 3, so every single wrong
symbol is located and every pair detected); what a chat, an e-mail or a Vietnamese input method does to a
code on its way into the field (Unicode's categories: Zs spaces, Pd dashes, Cf invisible formatting)."""

from __future__ import annotations

import itertools
import random

import pytest

from pmv_protocol.enrolment_codes import ALPHABET, CodeProblem, display, new_code, read_code, with_check

CODE = with_check("7KQ3MZ4P")


def test_the_alphabet_is_crockfords() -> None:
    # Crockford: "0123456789ABCDEFGHJKMNPQRSTVWXYZ", I L O U excluded.
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert not set("ILOU") & set(ALPHABET)


@pytest.mark.parametrize("typed", [
    CODE.lower(),                       # Crockford: "accept both upper and lower case"
    display(CODE),                      # hyphens "are ignored during decoding"
    " " + display(CODE).replace("-", " ") + " ",
])
def test_reading_ignores_case_and_grouping(typed: str) -> None:
    assert read_code(typed).code == CODE


@pytest.mark.parametrize("typed", [
    # Pasted from a chat or an e-mail, whose editors swap the plain characters for typographic ones.
    display(CODE).replace("-", "\u00a0"),  # a non-breaking space between the groups
    display(CODE).replace("-", "\u202f"),  # a narrow one (French-style typography)
    display(CODE).replace("-", "\u3000"),  # an ideographic one (a CJK input method)
    display(CODE).replace("-", "\t"),
    display(CODE).replace("-", "\r\n"),  # the code broken over two lines of an e-mail
    display(CODE).replace("-", "\u2013"),  # an en dash (autocorrect's hyphen between words)
    display(CODE).replace("-", "\u2014"),  # an em dash
    display(CODE).replace("-", "\u2011"),  # a non-breaking hyphen
    display(CODE).replace("-", "\u2012"),  # a figure dash
    display(CODE).replace("-", "\u2212"),  # a minus sign (a word processor's)
    display(CODE).replace("-", "\u200b"),  # an invisible zero-width space
    display(CODE).replace("-", "\u00ad"),  # a soft hyphen
    display(CODE) + ".",  # the end of the sentence that gave it
    display(CODE) + ",",
    display(CODE) + "!",
    "\u201c" + display(CODE) + "\u201d.",  # in quotes
    "(" + display(CODE) + ")",
    "**" + display(CODE) + "**",  # a chat's bold
])
def test_spaces_dashes_and_punctuation_pasted_around_a_code_are_ignored(typed: str) -> None:
    assert read_code(typed).code == CODE


def test_look_alikes_are_read_as_crockford_says() -> None:
    code = with_check("10A0B1C1")
    typed = "IOA" + "o" + "B" + "l" + "C" + "i" + code[8:]  # I→1, O/o→0, l/i→1
    assert read_code(typed).code == code


@pytest.mark.parametrize(("typed", "problem", "position"), [
    ("", CodeProblem.EMPTY, None),
    ("---", CodeProblem.EMPTY, None),
    ("7KQ3MZ4PU", CodeProblem.CHARACTER, 9),  # U is not in the alphabet (Crockford keeps it out)
    ("7KQ3M#4PAB", CodeProblem.CHARACTER, 6),
    ("7KQ3M!4PAB", CodeProblem.CHARACTER, 6),  # punctuation inside the code is no grouping
    ("7KQ3MД4PAB", CodeProblem.CHARACTER, 6),  # a Cyrillic letter: no Vietnamese input method makes it
])
def test_bad_characters_are_named_by_position(typed: str, problem: CodeProblem, position: int | None) -> None:
    reading = read_code(typed)
    assert (reading.code, reading.problem, reading.position) == (None, problem, position)


@pytest.mark.parametrize(("typed", "position"), [
    # What Unikey/EVKey make of a code's keys: Telex dd → đ, aa → â, aw → ă, ow → ơ, w → ư and s f r x j the
    # tones; VNI d9 → đ, a6 → â, a8 → ă, o7 → ơ and 1-5 the tones.  Not "check character N": the code is not
    # mistyped, the input method is on.
    ("Đ4KM-7NPQC", 1),  # Telex DD4KM-7NPQC
    ("TĂ3B-C9KFA", 2),  # Telex TAW3B-C9KFA
    ("7KQ3MƯ4PAB", 6),  # Telex W
    ("BÁKC-ÈMRY", 2),  # VNI BA1KC-E2MRY
    ("HÂBK-7MP49", 2),  # VNI HA6BK-7MP49
    ("BƠHK-3NPGK", 2),  # VNI BO7HK-3NPGK
    ("ba\u0301kc-e\u0300mry", 2),  # the same, lower case and decomposed (a Mac's or a web form's NFD)
])
def test_vietnamese_letters_are_an_input_method_problem(typed: str, position: int) -> None:
    reading = read_code(typed)
    assert (reading.code, reading.problem, reading.position) == (None, CodeProblem.INPUT_METHOD, position)


def test_a_wrong_length_says_how_many_characters_were_typed() -> None:
    reading = read_code(CODE[:9])
    assert reading.problem is CodeProblem.LENGTH and reading.found == 9
    assert read_code(CODE + "0").found == 11


def test_new_codes_are_valid_and_different() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(read_code(code).code == code and len(code) == 10 for code in codes)


def _replace(code: str, index: int, symbol: str) -> str:
    return code[:index] + symbol + code[index + 1:]


@pytest.mark.parametrize("code", [CODE, with_check("00000000"), with_check("ZZZZZZZZ"), new_code()])
def test_every_single_wrong_character_is_found_where_it_is(code: str) -> None:
    for index, symbol in itertools.product(range(10), ALPHABET):
        if code[index] == symbol:
            continue
        reading = read_code(_replace(code, index, symbol))
        assert reading.problem is CodeProblem.CHECK and reading.position == index + 1, (code, index, symbol)


def test_every_two_wrong_characters_are_detected() -> None:
    for first, second in itertools.combinations(range(10), 2):
        for a, b in itertools.product(ALPHABET, ALPHABET):
            if a == CODE[first] or b == CODE[second]:
                continue
            typed = _replace(_replace(CODE, first, a), second, b)
            assert read_code(typed).problem is CodeProblem.CHECK


def test_swapped_neighbours_are_detected() -> None:
    # The commonest slip after a wrong symbol (Crockford's reason for a check symbol at all).
    rng = random.Random(7)
    for _ in range(200):
        code = with_check("".join(rng.choice(ALPHABET) for _ in range(8)))
        for index in range(9):
            if code[index] != code[index + 1]:
                swapped = code[:index] + code[index + 1] + code[index] + code[index + 2:]
                assert not read_code(swapped).ok


def test_with_check_refuses_the_wrong_number_of_data_characters() -> None:
    with pytest.raises(ValueError):
        with_check("ABC")
