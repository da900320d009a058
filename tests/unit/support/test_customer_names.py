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
        # Words joined by one space, or two: a POS joining "họ", an empty middle name and "tên" writes two.
        ("Khách Nguyễn  Thị Lan", ["Nguyễn  Thị Lan"]),
        ("Người mua: Phạm  Văn Đồng", ["Phạm  Văn Đồng"]),
        ("Khách Nguyễn Thị Lan   Quầy 2", ["Nguyễn Thị Lan"]),  # a wider gap is a fixed-width log's next column
        ("Khách Nguyễn\tThị Lan", []),  # so is a tab; one word is not a name
        # a lowercase honorific before the name is no part of it (a capitalised one is kept with the name)
        ("Khách hàng: bà Nguyễn Thị Lan mua 1 lượng", ["Nguyễn Thị Lan"]),
        ("KH0002 anh Trần Văn Hùng", ["Trần Văn Hùng"]),
        ("Khách hàng: Bà Nguyễn Thị Lan", ["Bà Nguyễn Thị Lan"]),
        ("Khách Nguyễn Thị L*** và Khách Lê Văn Tám", ["Lê Văn Tám"]),
    ],
)
def test_names_after_a_label(text: str, expected: list[str]) -> None:
    assert names(text) == expected



@pytest.mark.parametrize(("text", "name"), [
    # A fixed-width POS log puts two spaces between columns; the next column's first word may be capitalised.
    ("Khách hàng Nguyễn Văn An  Thanh toán  20.000.000", "Nguyễn Văn An"),
    ("KH0002 Phạm Minh Tuấn  Đặt cọc  5.000.000", "Phạm Minh Tuấn"),
    # A double space inside a name (an empty middle-name field) still joins it.
    ("Người mua: Phạm  Văn Đồng", "Phạm  Văn Đồng"),
])
def test_a_double_space_joins_a_name_only_inside_it(text: str, name: str) -> None:
    [(start, end)] = find_customer_names(text)
    assert text[start:end] == name
