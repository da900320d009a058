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

VALID = [
    # the same mobile, every way a cashier types it
    ("0912345678", "+84912345678", "0912 345 678", MOBILE),
    ("0912 345 678", "+84912345678", "0912 345 678", MOBILE),
    ("0912.345.678", "+84912345678", "0912 345 678", MOBILE),
    ("0912-345-678", "+84912345678", "0912 345 678", MOBILE),
    ("  091 234 5678 ", "+84912345678", "0912 345 678", MOBILE),
    ("(091) 234-5678", "+84912345678", "0912 345 678", MOBILE),
    ("+84 912 345 678", "+84912345678", "0912 345 678", MOBILE),
    ("+84912345678", "+84912345678", "0912 345 678", MOBILE),
    ("84912345678", "+84912345678", "0912 345 678", MOBILE),
    ("0084 912 345 678", "+84912345678", "0912 345 678", MOBILE),
    ("+84 (0) 912 345 678", "+84912345678", "0912 345 678", MOBILE),
    ("０９１２\u00a0３４５\u00a0６７８", "+84912345678", "0912 345 678", MOBILE),  # full-width, NBSP
    # one per post-2018 range
    ("0329 123 456", "+84329123456", "0329 123 456", MOBILE),  # Viettel, ex-0169
    ("0389 000 111", "+84389000111", "0389 000 111", MOBILE),  # Viettel, ex-0168
    ("0523 456 789", "+84523456789", "0523 456 789", MOBILE),  # Vietnamobile
    ("0559 123 456", "+84559123456", "0559 123 456", MOBILE),  # Reddi
    ("0563 456 789", "+84563456789", "0563 456 789", MOBILE),  # Vietnamobile, ex-0186
    ("0588 555 888", "+84588555888", "0588 555 888", MOBILE),  # Vietnamobile, ex-0188
    ("0595 959 999", "+84595959999", "0595 959 999", MOBILE),  # Gmobile, ex-0199
    ("0704 567 890", "+84704567890", "0704 567 890", MOBILE),  # MobiFone, ex-0120
    ("0767 878 888", "+84767878888", "0767 878 888", MOBILE),  # MobiFone, ex-0126
    ("0787 878 888", "+84787878888", "0787 878 888", MOBILE),  # MobiFone, ex-0128
    ("0812 345 678", "+84812345678", "0812 345 678", MOBILE),  # VinaPhone, ex-0127
    ("0828 222 888", "+84828222888", "0828 222 888", MOBILE),  # VinaPhone, ex-0129
    ("0868 123 456", "+84868123456", "0868 123 456", MOBILE),  # Viettel
    ("0877 123 456", "+84877123456", "0877 123 456", MOBILE),  # iTel
    ("0888 123 456", "+84888123456", "0888 123 456", MOBILE),  # VinaPhone
    ("0899 123 456", "+84899123456", "0899 123 456", MOBILE),  # MobiFone
    ("0903 112 233", "+84903112233", "0903 112 233", MOBILE),
    ("0922 789 789", "+84922789789", "0922 789 789", MOBILE),  # Vietnamobile
    ("0987 654 321", "+84987654321", "0987 654 321", MOBILE),
    ("0993 123 456", "+84993123456", "0993 123 456", MOBILE),  # Gmobile
    # landlines: 2-digit area codes with 8-digit numbers, 3-digit ones with 7
    ("024 3822 1234", "+842438221234", "024 3822 1234", LANDLINE),  # Hà Nội
    ("02438221234", "+842438221234", "024 3822 1234", LANDLINE),
    ("(028) 3822 1234", "+842838221234", "028 3822 1234", LANDLINE),  # TP.HCM
    ("028.3822.1234", "+842838221234", "028 3822 1234", LANDLINE),
    ("+84 28 3822 1234", "+842838221234", "028 3822 1234", LANDLINE),
    ("0236 3822 123", "+842363822123", "0236 3822 123", LANDLINE),  # Đà Nẵng
    ("0236.3822123", "+842363822123", "0236 3822 123", LANDLINE),
    ("0203 3825 123", "+842033825123", "0203 3825 123", LANDLINE),  # Quảng Ninh
    ("0292 3821 234", "+842923821234", "0292 3821 234", LANDLINE),  # Cần Thơ
    ("0299 3822 111", "+842993822111", "0299 3822 111", LANDLINE),  # Sóc Trăng
    # service numbers, dialled without a prefix
    ("1900 6037", "+8419006037", "1900 6037", SERVICE),
    ("19006037", "+8419006037", "1900 6037", SERVICE),
    ("1800-1091", "+8418001091", "1800 1091", SERVICE),
    ("1800 588 822", "+841800588822", "1800 588 822", SERVICE),
    ("1900 54 54 13", "+841900545413", "1900 545 413", SERVICE),
    ("+84 1900 6037", "+8419006037", "1900 6037", SERVICE),
]

INVALID = [
    ("", PhoneErrorCode.EMPTY),
    ("   ", PhoneErrorCode.EMPTY),
    (" - ", PhoneErrorCode.EMPTY),
    ("0912 345 67a", PhoneErrorCode.BAD_CHARACTERS),
    ("0912/345/678", PhoneErrorCode.BAD_CHARACTERS),
    ("09+12345678", PhoneErrorCode.BAD_CHARACTERS),
    ("++84912345678", PhoneErrorCode.BAD_CHARACTERS),
    ("SĐT 0912345678", PhoneErrorCode.BAD_CHARACTERS),
    ("0912345678 ext 12", PhoneErrorCode.BAD_CHARACTERS),
    ("0912,345,678", PhoneErrorCode.BAD_CHARACTERS),
    # known prefix, wrong number of digits
    ("0", PhoneErrorCode.WRONG_LENGTH),
    ("+84", PhoneErrorCode.WRONG_LENGTH),
    ("09", PhoneErrorCode.WRONG_LENGTH),
    ("0912", PhoneErrorCode.WRONG_LENGTH),
    ("091 234 567", PhoneErrorCode.WRONG_LENGTH),
    ("0912 345 6789", PhoneErrorCode.WRONG_LENGTH),
    ("+84 91 234 567", PhoneErrorCode.WRONG_LENGTH),
    ("024 3822 123", PhoneErrorCode.WRONG_LENGTH),
    ("028 3822 12345", PhoneErrorCode.WRONG_LENGTH),
    ("0236 3822 1234", PhoneErrorCode.WRONG_LENGTH),
    ("0236 382 212", PhoneErrorCode.WRONG_LENGTH),
    ("1900 603", PhoneErrorCode.WRONG_LENGTH),
    ("1900 60371", PhoneErrorCode.WRONG_LENGTH),
    ("1800 588 8221", PhoneErrorCode.WRONG_LENGTH),
    # old 11-digit mobiles: gone since 2019, the customer has a new number
    ("0162 912 3456", PhoneErrorCode.UNKNOWN_PREFIX),
    ("01699333999", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0123 456 7890", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0128 787 8888", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0188 855 5888", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0199 888 0199", PhoneErrorCode.UNKNOWN_PREFIX),
    ("+84 169 933 3999", PhoneErrorCode.UNKNOWN_PREFIX),
    # unallocated ranges
    ("0301 234 567", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0312 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0412 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0512 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0532 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0612 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0712 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0752 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0802 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0200 3822 123", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0217 3822 123", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0230 3822 123", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0253 3822 123", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0295 3822 123", PhoneErrorCode.UNKNOWN_PREFIX),
    ("1700 1234", PhoneErrorCode.UNKNOWN_PREFIX),
    # no prefix, another country, an invoice number
    ("912 345 678", PhoneErrorCode.UNKNOWN_PREFIX),
    ("+1 555 123 4567", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0033 1 23 45 67 89", PhoneErrorCode.UNKNOWN_PREFIX),
    ("0000123", PhoneErrorCode.UNKNOWN_PREFIX),
]


@pytest.mark.parametrize(("text", "e164", "national", "kind"), VALID)
def test_parse_valid(text: str, e164: str, national: str, kind: PhoneKind) -> None:
    assert parse_phone(text) == PhoneNumber(e164=e164, national=national, kind=kind)


@pytest.mark.parametrize(("text", "e164", "national", "kind"), VALID)
def test_normalised_forms_parse_back_to_the_same_number(
    text: str, e164: str, national: str, kind: PhoneKind
) -> None:
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
        ("SĐT:0912.345.678; Zalo +84 987 654 321.", [("0912.345.678", "0912 345 678"), ("+84 987 654 321", "0987 654 321")]),
        ("hotline 1900 6037 (24/7)", [("1900 6037", "1900 6037")]),
        ("liên hệ +84 (0) 912 345 678", [("+84 (0) 912 345 678", "0912 345 678")]),
        ("phone=0903112233&x=1", [("0903112233", "0903 112 233")]),
        ("mua 2 0912 345 678", [("0912 345 678", "0912 345 678")]),  # a quantity before it is not swallowed
        ("ĐT: 0903112233-0912345678", [("0903112233", "0903 112 233"), ("0912345678", "0912 345 678")]),
        ("chi nhánh 0236 3822 123, 0236 3822 124", [("0236 3822 123", "0236 3822 123"), ("0236 3822 124", "0236 3822 124")]),
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
