"""UniKey/EVKey Telex and VNI replayed on scanner keystrokes.

Every expected string below was worked out by hand from UniKey's rules (see
the module docstring of app.devices.ime) and written as precomposed (NFC)
Vietnamese; the comments give the reasoning for the non-obvious ones.
"""

from __future__ import annotations

import random
import unicodedata

import pytest

from app.devices.check_digits import complete_gtin
from app.devices.ime import CONFIGURATIONS, Mode, Options, telex, type_keys, vni

TELEX_CASES = [
    # Item and test-sheet codes.
    ("DD1234AA", "Đ1234Â"),  # dd -> đ; digits keep the word, A after them starts afresh
    ("PMV9999", "PMV9999"),  # no Telex key in it
    ("PMV75000123", "PMV75000123"),
    ("PMV999900001", "PMV999900001"),
    ("NHAN9999", "NHAN9999"),  # a real syllable, but no modifier key
    ("SJC-1L", "SJC-1L"),  # S and J at a word start have no vowel to mark: literal
    ("AW75", "Ă75"),
    ("DD-2026-AW", "Đ-2026-Ă"),  # "-" ends the word; AW is a new one
    ("DD2026AW6", "Đ2026Ă6"),
    ("PMV-TEST-39", "PMV-TÉT-39"),  # TES: s is the acute tone on E, then T is a final
    ("PMV-QR-2026-KIEMTRA", "PMV-QR-2026-KIEMTRA"),  # TR is a cluster, not a tone key
    ("]C1PMV123", "ưC1PMV123"),  # Telex "]" types ư: an AIM prefix gets mangled
    ("PMVAA", "PMVÂ"),  # PM, MV are no clusters: V starts a syllable, AA -> Â
    ("DAD", "ĐA"),  # free marking: the second d reaches back to the first
    ("9999AS", "9999Á"),
    # Single modifiers.
    ("OO", "Ô"), ("EE", "Ê"), ("AA", "Â"), ("UW", "Ư"), ("OW", "Ơ"), ("W", "Ư"),
    ("AS", "Á"), ("AF", "À"), ("AR", "Ả"), ("AX", "Ã"), ("AJ", "Ạ"),
    # Undo: the same key again removes the mark and types the key.
    ("ASS", "AS"), ("AAA", "AA"), ("DDD", "DD"), ("AWW", "AW"), ("WW", "W"), ("WWW", "WW"),
    ("ASZ", "A"), ("AZ", "AZ"),  # z removes a tone; with none it is a letter
    ("ACF", "ACF"),  # no huyền before a final c
    # Case is the key's own.
    ("Aa", "Â"), ("aA", "â"), ("dd", "đ"), ("Dd", "Đ"), ("Ww", "Uw"),
    # Words a cashier might scan from a QR or type by mistake.
    ("VANGF", "VÀNG"), ("NHAANX", "NHẪN"), ("BACJ", "BẠC"),
    ("DDUOWNGF", "ĐƯỜNG"), ("NGUOWIF", "NGƯỜI"), ("TRUOWNGF", "TRƯỜNG"),
    ("THUOWR", "THUỞ"),  # after th, uo + w hooks only the o
    ("kim cuwowng", "kim cương"), ("tieengs Vieetj", "tiếng Việt"),
]

VNI_CASES = [
    ("A6", "Â"), ("D9", "Đ"), ("E1", "É"), ("O7", "Ơ"), ("U7", "Ư"), ("A8", "Ă"), ("O6", "Ô"),
    ("A6B", "ÂB"),  # B cannot end "â": it starts a new syllable
    ("A11", "A1"),  # undo
    ("A1B", "ÁB"),
    ("DA9", "ĐA"),  # 9 reaches back to the d
    ("DD9", "DĐ"),
    ("NHAN1234", "NHÃN"),  # each tone digit replaces the last: sắc, huyền, hỏi, ngã
    ("LAC1234", "LÁC234"),  # no huyền/hỏi/ngã before final c: digits stay
    ("VANG24K", "VÃNGK"),
    ("NHAN18K", "NHẮNK"),  # 1: sắc, 8: breve on a
    ("TRUO72", "TRƯỜ"),
    # Codes VNI must leave alone: no digit follows a letter that can take it.
    ("PMV75000123", "PMV75000123"), ("PMV999900001", "PMV999900001"),
    ("NHAN9999", "NHAN9999"),  # 9 needs a d in the syllable
    ("SJC-1L", "SJC-1L"), ("DD-2026-AW", "DD-2026-AW"), ("PMV-TEST-39", "PMV-TEST-39"),
    ("DD2026AW6", "DD2026AW6"),  # W sits between A and 6
    ("8934567890120", "8934567890120"),
    ("va2ng", "vàng"), ("nha6n4", "nhẫn"), ("ba5c", "bạc"), ("cu7o7ng", "cương"),
]


@pytest.mark.parametrize(("keys", "expected"), TELEX_CASES)
def test_telex(keys: str, expected: str) -> None:
    assert unicodedata.is_normalized("NFC", expected)
    assert list(telex(keys)) == list(expected)


@pytest.mark.parametrize(("keys", "expected"), VNI_CASES)
def test_vni(keys: str, expected: str) -> None:
    assert unicodedata.is_normalized("NFC", expected)
    assert list(vni(keys)) == list(expected)


def test_code_points_are_precomposed() -> None:
    assert [unicodedata.name(c) for c in telex("DD1234AA")] == [
        "LATIN CAPITAL LETTER D WITH STROKE", "DIGIT ONE", "DIGIT TWO", "DIGIT THREE",
        "DIGIT FOUR", "LATIN CAPITAL LETTER A WITH CIRCUMFLEX"]
    assert telex("PMV-TEST-39")[5] == "\u00c9"  # É, one code point
    assert vni("NHAN1234") == "NH\u00c3N"


@pytest.mark.parametrize(("keys", "old", "new"), [
    ("HOAF", "HÒA", "HOÀ"), ("THUYS", "THÚY", "THUÝ"), ("HOEJ", "HỌE", "HOẸ"),
    ("HOANF", "HOÀN", "HOÀN"),  # a final consonant: second vowel in both styles
    ("MUAF", "MÙA", "MÙA"),  # ua is not one of oa/oe/uy
])
def test_tone_placement_old_by_default_modern_on_request(keys: str, old: str, new: str) -> None:
    assert telex(keys) == old
    assert telex(keys, modern=True) == new


def test_spell_check_leaves_letters_after_a_foreign_run() -> None:
    assert telex("PMVAA") == "PMVÂ"
    assert telex("PMVAA", spell_check=True) == "PMVAA"
    # ...except in a word begun with dd, which UniKey never spell-checks.
    assert telex("DD1234AA", spell_check=True) == "Đ1234Â"


def test_terminators_and_spaces_end_the_word() -> None:
    assert telex("A\rA") == "A\rA"  # no "AA" across Enter
    assert telex("A\tS") == "A\tS"
    assert telex("A S") == "A S"
    assert telex("AS\r") == "Á\r"


def test_type_keys_by_mode() -> None:
    assert type_keys("AW", Mode.TELEX) == "Ă"
    assert type_keys("A8", "vni") == "Ă"
    with pytest.raises(ValueError):
        type_keys("A", "viqr")


def _codes(seed: int, count: int, alphabet: str) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(4, 16))) for _ in range(count)]


def test_vni_never_touches_digit_strings() -> None:
    rng = random.Random(13)
    for _ in range(300):
        body = "".join(rng.choice("0123456789") for _ in range(12))
        ean = complete_gtin(body)
        assert vni(ean) == ean
        assert telex(ean) == ean


def test_codes_without_modifier_keys_pass_both_methods() -> None:
    # No Telex key (a e o d w s f r x j z [ ] { }) and no digit after a letter.
    for code in _codes(7, 300, "BCGHKLMNPQTUVY-./ "):
        assert telex(code) == code
        assert vni(code) == code


def test_output_is_always_nfc_and_never_longer_than_input() -> None:
    for code in _codes(11, 400, "ADEOWSFRXJZUY0123456789-"):
        for out in (telex(code), vni(code), telex(code, modern=True, spell_check=True)):
            assert unicodedata.is_normalized("NFC", out)
            assert len(out) <= len(code)


# Auto-restore ("Tự động khôi phục phím với từ sai"), worked out from UniKey's
# engine (fcitx5-unikey unikey/ukengine.cpp @ 909e0aed: processWordEnd,
# lastWordIsNonVn, lastWordHasVnMark, restoreKeyStrokes): at a word-break key,
# with spell check on, a word whose last cell is not Vietnamese and which
# carries a mark is replaced by the keys typed since the last word-break key.
RESTORE_CASES = [
    ("XAAB-", "XAAB-"),  # XÂB: "âb" is no syllable -> keys back
    ("AA12 ", "AA12 "),  # Â then digits: the last cell is foreign
    ("AW75-", "AW75-"),
    ("DD12-", "DD12-"),  # the break clears dd's single mode before the check
    ("DD-2026-AW", "Đ-2026-Ă"),  # Đ alone is a valid word; 2026 has no mark; AW is last (no break after it)
    ("XAAB-AW", "XAAB-Ă"),  # only the word before the break is restored
    ("PMV-TEST-39", "PMV-TÉT-39"),  # TÉT is Vietnamese: kept
    ("TAAS-", "TẤ-"),  # valid word with a mark: kept
    ("HOAF-1", "HÒA-1"),
    ("]C1PMV123-", "ưC1PMV123-"),  # "]" counts as a word-break keystroke, and no key after it changed anything
    ("XAAB.X", "XAAB.X"), ("AAC1,", "AAC1,"),  # any word-break symbol ends the word
]


@pytest.mark.parametrize(("keys", "expected"), RESTORE_CASES)
def test_auto_restore_at_word_breaks(keys: str, expected: str) -> None:
    assert telex(keys, spell_check=True, auto_restore=True) == expected


def test_auto_restore_needs_spell_check_and_changes_only_invalid_words() -> None:
    assert telex("XAAB-", auto_restore=True) == "XÂB-"  # spell check off: no restore
    assert telex("XAAB-", spell_check=True) == "XÂB-"  # restore off
    assert vni("XA6B-", spell_check=True, auto_restore=True) == "XA6B-"
    assert vni("A6B-", spell_check=True, auto_restore=True) == "A6B-"  # ÂB: B cannot end â
    assert vni("TA61-", spell_check=True, auto_restore=True) == "TẤ-"


def test_enter_restores_only_where_the_front_end_ends_the_word_there() -> None:
    # UniKey's engine: Enter is a reset key (no restore); fcitx5-unikey first
    # feeds key 0, a word break, so the last word comes back too.
    assert telex("XAAB\r", spell_check=True, auto_restore=True) == "XÂB\r"
    assert telex("XAAB\r", spell_check=True, auto_restore=True, restore_at_enter=True) == "XAAB\r"
    assert telex("XAAB\t", spell_check=True, auto_restore=True, restore_at_enter=True) == "XAAB\t"
    assert telex("XAAB\r", spell_check=True, restore_at_enter=True) == "XÂB\r"  # needs auto_restore


def test_configurations_cover_each_behaviour_once() -> None:
    assert len(set(CONFIGURATIONS)) == len(CONFIGURATIONS) == 8
    assert Options() in CONFIGURATIONS
    assert Options(spell_check=True, auto_restore=True) in CONFIGURATIONS
    assert Options(spell_check=True, auto_restore=True, restore_at_enter=True) in CONFIGURATIONS
    assert all(o.spell_check or not o.auto_restore for o in CONFIGURATIONS)
    assert type_keys("XAAB-", Mode.TELEX, Options(spell_check=True, auto_restore=True)) == "XAAB-"
