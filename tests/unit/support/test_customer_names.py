"""Where customers' names are found; how they are masked is tested in test_redaction."""

from __future__ import annotations

import pytest

from app.support.customer_names import find_customer_names


def names(text: str) -> list[str]:
    return [text[start:end] for start, end in find_customer_names(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Khách Nguyễn Thị Lan SĐT [SĐT]", ["Nguyễn Thị Lan"]),  # stops at a word in capitals
        ("Khách hàng: Trần Văn Hùng, Khách hàng: Lê Văn Tám", ["Trần Văn Hùng", "Lê Văn Tám"]),
        ("KH0001 Tôn Nữ Thị Minh Khai Tâm Anh", ["Tôn Nữ Thị Minh Khai Tâm"]),  # at most 6 words
        ("Người mua: NGUYỄN THỊ LAN Mua", ["NGUYỄN THỊ LAN"]),  # one style per name
        ("Khách\t Nguyễn Thị Lan", ["Nguyễn Thị Lan"]),  # any blanks after the label
        ("Khách Nguyễn  Thị Lan", []),  # words joined by one space; one word is not a name
        ("Khách Nguyễn Thị L*** và Khách Lê Văn Tám", ["Lê Văn Tám"]),
    ],
)
def test_names_after_a_label(text: str, expected: list[str]) -> None:
    assert names(text) == expected
