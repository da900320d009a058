"""The Vietnamese sort key (vendor_server/console/vietnamese_order.py): the alphabet's order, tones as the
tie-breaker, case-blind, whatever Unicode form the text was typed in.

The tables below are built from the Vietnamese alphabet in its order (a ă â b c d đ e ê g h i k l m n o ô ơ p q r
s t u ư v x y, as Vietnamese schools teach it and dictionaries print it; the borrowed f j w z where Latin puts
them) and from the tones in the dictionaries' order (ngang, huyền, hỏi, ngã, sắc, nặng), never from the code's
own tables: the test says what the order is, the code must agree.
"""

from __future__ import annotations

import random
import unicodedata

import pytest

from vendor_server.console.vietnamese_order import vietnamese_key

VIETNAMESE_ALPHABET = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
WITH_BORROWED = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()


def _shuffled(items: list[str], seed: int) -> list[str]:
    copy = list(items)
    random.Random(seed).shuffle(copy)
    return copy


def test_names_follow_the_alphabets_letters_in_any_case() -> None:
    # One name per letter, starting with it, its case alternating: the order must be the alphabet's.
    names = [(letter.upper() if index % 2 else letter) + "nh Vàng" for index, letter in enumerate(WITH_BORROWED)]
    for seed in range(5):
        assert sorted(_shuffled(names, seed), key=vietnamese_key) == names


def test_each_letter_sorts_after_its_base_within_a_word() -> None:
    words = ["t" + letter + "n" for letter in VIETNAMESE_ALPHABET]  # "tan", "tăn", "tân", "tbn"…
    assert sorted(_shuffled(words, 1), key=vietnamese_key) == words


def test_tones_break_ties_in_the_dictionaries_order() -> None:
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]  # ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted(_shuffled(tones, 2), key=vietnamese_key) == tones
    # A tone decides only between names equal letter for letter: "mạ" before "mai", "Ánh" after "anh", before "anhx".
    assert sorted(["mai", "mạ", "anhx", "Ánh", "anh"], key=vietnamese_key) == ["anh", "Ánh", "anhx", "mạ", "mai"]
    stacked = ["ân", "ẩn", "ấn", "ận"]  # a letter with its mark and a tone: â, then the tone
    assert sorted(_shuffled(stacked, 3), key=vietnamese_key) == stacked


def test_the_reviews_names_in_vietnamese_order() -> None:
    """Found by a review: sorted by code point, "Ánh Kim", "Ông Bảy", "Đức Hạnh" and lower-case names came after Z."""
    names = ["Vàng bạc Yến Nhi", "Đức Hạnh", "Ánh Kim", "Bảo Tín", "Ông Bảy", "an khang", "Kim Phát", "Ơn Trời",
             "Dũng Tiến", "Ưng Hòa"]
    assert sorted(names, key=vietnamese_key) == ["an khang", "Ánh Kim", "Bảo Tín", "Dũng Tiến", "Đức Hạnh",
                                                  "Kim Phát", "Ông Bảy", "Ơn Trời", "Ưng Hòa", "Vàng bạc Yến Nhi"]


@pytest.mark.parametrize("name", ["Đức Hạnh", "Nguyễn Thị Ậu", "ƯỚC"])
def test_precomposed_and_decomposed_text_sort_alike(name: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)
    assert vietnamese_key(nfc)[:2] == vietnamese_key(nfd)[:2]


def test_words_digits_and_case() -> None:
    # Word by word (a space before any letter), digits before letters, case only the last tie-breaker.
    assert sorted(["Anh Đào", "An Khang", "Tiệm 2", "Tiệm 10", "Tiệm A"], key=vietnamese_key) == [
        "An Khang", "Anh Đào", "Tiệm 10", "Tiệm 2", "Tiệm A"]
    assert sorted(["bảo tín", "Bảo Tín"], key=vietnamese_key) == sorted(["Bảo Tín", "bảo tín"], key=vietnamese_key)
