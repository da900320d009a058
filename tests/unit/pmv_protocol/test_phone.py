from __future__ import annotations

import dataclasses

import pytest

from pmv_protocol.phone import (
    PhoneError,
    PhoneErrorCode,
    PhoneKind,
    PhoneNumber,
    find_phone_numbers,
    parse_phone,
    standalone,
)

MOBILE = PhoneKind.MOBILE
LANDLINE = PhoneKind.LANDLINE
SERVICE = PhoneKind.SERVICE

# The number each spelling must read as: one expected number, then every way a cashier may type it.
SPELLINGS: dict[PhoneNumber, tuple[str, ...]] = {
    PhoneNumber("+84912345678", "0912 345 678", MOBILE): (
        "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "  091 234 5678 ", "(091) 234-5678",
        "+84 912 345 678", "+84912345678", "84912345678", "0084 912 345 678", "+84 (0) 912 345 678",
        "(+84) 912 345 678", "(+84)912345678",  # the country code in brackets, as business cards write it
        "０９１２\u00a0３４５\u00a0６７８",  # full-width, NBSP
    ),
    # one per post-2018 range
    PhoneNumber("+84329123456", "0329 123 456", MOBILE): ("0329 123 456",),  # Viettel, ex-0169
    PhoneNumber("+84389000111", "0389 000 111", MOBILE): ("0389 000 111",),  # Viettel, ex-0168
    PhoneNumber("+84523456789", "0523 456 789", MOBILE): ("0523 456 789",),  # Vietnamobile
    PhoneNumber("+84559123456", "0559 123 456", MOBILE): ("0559 123 456",),  # Reddi
    PhoneNumber("+84563456789", "0563 456 789", MOBILE): ("0563 456 789",),  # Vietnamobile, ex-0186
    PhoneNumber("+84588555888", "0588 555 888", MOBILE): ("0588 555 888",),  # Vietnamobile, ex-0188
    PhoneNumber("+84595959999", "0595 959 999", MOBILE): ("0595 959 999",),  # Gmobile, ex-0199
    PhoneNumber("+84704567890", "0704 567 890", MOBILE): ("0704 567 890",),  # MobiFone, ex-0120
    PhoneNumber("+84767878888", "0767 878 888", MOBILE): ("0767 878 888",),  # MobiFone, ex-0126
    PhoneNumber("+84787878888", "0787 878 888", MOBILE): ("0787 878 888",),  # MobiFone, ex-0128
    PhoneNumber("+84812345678", "0812 345 678", MOBILE): ("0812 345 678",),  # VinaPhone, ex-0127
    PhoneNumber("+84828222888", "0828 222 888", MOBILE): ("0828 222 888",),  # VinaPhone, ex-0129
    PhoneNumber("+84868123456", "0868 123 456", MOBILE): ("0868 123 456",),  # Viettel
    PhoneNumber("+84877123456", "0877 123 456", MOBILE): ("0877 123 456",),  # iTel
    PhoneNumber("+84888123456", "0888 123 456", MOBILE): ("0888 123 456",),  # VinaPhone
    PhoneNumber("+84899123456", "0899 123 456", MOBILE): ("0899 123 456",),  # MobiFone
    PhoneNumber("+84903112233", "0903 112 233", MOBILE): ("0903 112 233",),
    PhoneNumber("+84922789789", "0922 789 789", MOBILE): ("0922 789 789",),  # Vietnamobile
    PhoneNumber("+84987654321", "0987 654 321", MOBILE): ("0987 654 321",),
    PhoneNumber("+84993123456", "0993 123 456", MOBILE): ("0993 123 456",),  # Gmobile
    # landlines: 2-digit area codes with 8-digit numbers, 3-digit ones with 7
    PhoneNumber("+842438221234", "024 3822 1234", LANDLINE): ("024 3822 1234", "02438221234"),  # Hà Nội
    PhoneNumber("+842838221234", "028 3822 1234", LANDLINE): (  # TP.HCM
        "(028) 3822 1234", "028.3822.1234", "+84 28 3822 1234"),
    PhoneNumber("+842363822123", "0236 3822 123", LANDLINE): ("0236 3822 123", "0236.3822123"),  # Đà Nẵng
    PhoneNumber("+842033825123", "0203 3825 123", LANDLINE): ("0203 3825 123",),  # Quảng Ninh
    PhoneNumber("+842923821234", "0292 3821 234", LANDLINE): ("0292 3821 234",),  # Cần Thơ
    PhoneNumber("+842993822111", "0299 3822 111", LANDLINE): ("0299 3822 111",),  # Sóc Trăng
    # service numbers, dialled without a prefix
    PhoneNumber("+8419006037", "1900 6037", SERVICE): ("1900 6037", "19006037", "+84 1900 6037"),
    PhoneNumber("+8418001091", "1800 1091", SERVICE): ("1800-1091",),
    PhoneNumber("+841800588822", "1800 588 822", SERVICE): ("1800 588 822",),
    PhoneNumber("+841900545413", "1900 545 413", SERVICE): ("1900 54 54 13",),
}
VALID = [(text, number) for number, texts in SPELLINGS.items() for text in texts]

# The refusal each text must get, with every text that gets it.
REFUSALS: dict[PhoneErrorCode, tuple[str, ...]] = {
    PhoneErrorCode.EMPTY: ("", "   ", " - "),
    PhoneErrorCode.BAD_CHARACTERS: (
        "0912 345 67a", "0912/345/678", "09+12345678", "++84912345678", "SĐT 0912345678", "0912345678 ext 12",
        "0912,345,678",
    ),
    PhoneErrorCode.WRONG_LENGTH: (  # known prefix, wrong number of digits
        "0", "+84", "09", "0912", "091 234 567", "0912 345 6789", "+84 91 234 567",
        "024 3822 123", "028 3822 12345", "0236 3822 1234", "0236 382 212",
        "1900 603", "1900 60371", "1800 588 8221",
    ),
    PhoneErrorCode.UNKNOWN_PREFIX: (
        # old 11-digit mobiles: gone since 2019, the customer has a new number
        "0162 912 3456", "01699333999", "0123 456 7890", "0128 787 8888", "0188 855 5888", "0199 888 0199",
        "+84 169 933 3999",
        # unallocated ranges
        "0301 234 567", "0312 345 678", "0412 345 678", "0512 345 678", "0532 345 678", "0612 345 678",
        "0712 345 678", "0752 345 678", "0802 345 678",
        "0200 3822 123", "0217 3822 123", "0230 3822 123", "0253 3822 123", "0295 3822 123", "1700 1234",
        # no prefix, another country, an invoice number
        "912 345 678", "+1 555 123 4567", "0033 1 23 45 67 89", "0000123",
    ),
}
INVALID = [(text, code) for code, texts in REFUSALS.items() for text in texts]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parse_valid(text: str, expected: PhoneNumber) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize("text", [text for text, _ in VALID])
def test_normalised_forms_parse_back_to_the_same_number(text: str) -> None:
    number = parse_phone(text)
    assert parse_phone(number.national) == number
    assert parse_phone(number.e164) == number


@pytest.mark.parametrize(("text", "code"), INVALID)
def test_parse_invalid(text: str, code: PhoneErrorCode) -> None:
    with pytest.raises(PhoneError) as caught:
        parse_phone(text)
    assert caught.value.code is code


def test_error_is_a_value_error_carrying_a_code_not_a_sentence() -> None:
    with pytest.raises(ValueError) as caught:
        parse_phone("0162 912 3456")
    assert isinstance(caught.value, PhoneError)
    assert str(caught.value) == "unknown_prefix"


def test_enum_values_are_stable_codes() -> None:
    assert [c.value for c in PhoneErrorCode] == ["empty", "bad_characters", "wrong_length", "unknown_prefix"]
    assert [k.value for k in PhoneKind] == ["mobile", "landline", "service"]


def test_phone_number_is_frozen() -> None:
    number = parse_phone("0912345678")
    with pytest.raises(dataclasses.FrozenInstanceError):
        number.e164 = "+84000"  # type: ignore[misc]


# --- find_phone_numbers -------------------------------------------------------


def found(text: str) -> list[tuple[str, str]]:
    """(slice of the text, national form) for each number found."""
    return [(text[start:end], number.national) for start, end, number in find_phone_numbers(text)]


def test_finds_a_number_in_a_pos_log_line_with_exact_span() -> None:
    line = "2026-11-24 10:12:44 INFO  Khách Nguyễn Thị Lan SĐT 0903 112 233, CCCD 079123456789 mua 2 chỉ"
    spans = find_phone_numbers(line)
    assert len(spans) == 1
    start, end, number = spans[0]
    assert (start, end) == (line.index("0903"), line.index(", CCCD"))
    assert number.e164 == "+84903112233"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gọi lại (028) 3822 1234 trước 17h", [("(028) 3822 1234", "028 3822 1234")]),
        ("SĐT:0912.345.678; Zalo +84 987 654 321.",
         [("0912.345.678", "0912 345 678"), ("+84 987 654 321", "0987 654 321")]),
        ("hotline 1900 6037 (24/7)", [("1900 6037", "1900 6037")]),
        ("liên hệ +84 (0) 912 345 678", [("+84 (0) 912 345 678", "0912 345 678")]),
        ("phone=0903112233&x=1", [("0903112233", "0903 112 233")]),
        ("mua 2 0912 345 678", [("0912 345 678", "0912 345 678")]),  # a quantity before it is not swallowed
        ("ĐT: 0903112233-0912345678", [("0903112233", "0903 112 233"), ("0912345678", "0912 345 678")]),
        ("chi nhánh 0236 3822 123, 0236 3822 124",
         [("0236 3822 123", "0236 3822 123"), ("0236 3822 124", "0236 3822 124")]),
    ],
)
def test_finds_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "CCCD 079123456789",  # 12 digits containing a valid mobile 0791234567
        "id=0912345678901",  # 13 digits
        "HĐ 1C26TVG-0000063",
        "HĐ số 0000123",
        "tổng 20.000.000 ₫",
        "tổng 19.000.000",  # reads as 1900 0000 if the dots are dropped
        "tổng 19000000 VND",
        "tổng 18000000đ",
        "tổng 19,000,000",
        "2026-11-25 08:30:00",
        "20261125083000",
        "host 127.0.0.1 port 8080, 192.168.100.200",
        "phiên bản 5.8.2, build 20261124.1",
        "vàng 9999, 3,750 g, 1 chỉ 2 phân",
        "ĐT0912345678",  # glued to letters
        "0912345678abc",
        "ref 0912.345.678.9",  # part of a longer dotted run
        "x-0912345678",
        "0162 912 3456",  # old 11-digit mobile
        "",
    ],
)
def test_finds_nothing_in_ordinary_tokens(text: str) -> None:
    assert find_phone_numbers(text) == []


def test_spans_are_in_order_and_do_not_overlap() -> None:
    text = "A 0903112233 B 0912 345 678 C 024 3822 1234 D 1800 1091"
    spans = find_phone_numbers(text)
    assert [n.kind for _, _, n in spans] == [MOBILE, MOBILE, LANDLINE, SERVICE]
    ends = [0] + [end for _, end, _ in spans]
    assert all(start >= previous for (start, _, _), previous in zip(spans, ends, strict=False))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("số 079123456789 ở đây", True),
        ("079123456789", True),
        ("(079123456789).", True),
        ("HĐ-079123456789", False),
        ("x079123456789", False),
        ("079123456789_a", False),
        ("1.079123456789", False),
        ("079123456789.5", False),
        ("12-079123456789", False),  # a short run: one code, not a list
        ("1234567-079123456789", True),  # two long runs: a list
    ],
)
def test_standalone(text: str, expected: bool) -> None:
    start = text.index("079123456789")
    assert standalone(text, start, start + 12) is expected
