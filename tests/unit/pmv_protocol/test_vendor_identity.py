"""The vendor block of the signed contract: tax code shape, hotline, blanks, and the contract number."""

from __future__ import annotations

import pytest

from pmv_protocol.vendor_identity import VendorIdentity, VendorIdentityError, contract_number_from_payload, is_tax_code

# The tax code's structure, from the law (not from our data):
#   Luật Quản lý thuế 38/2019/QH14, art. 3(5): 10 digits, or 13 digits and other characters.
#   Thông tư 105/2020/TT-BTC, art. 5(1) (structure kept by Thông tư 86/2024/TT-BTC):
#   N1N2 N3..N9 N10 - N11N12N13; N3..N9 from 0000001 to 9999999; N11..N13 from 001 to 999;
#   the hyphen separates the 10-digit group from the 3-digit group.
TAX_CODES = [
    ("0399999999", True, "10 digits: an organisation (art. 5(1))"),
    ("0100000019", True, "N3..N9 = 0000001, the lowest sequence number"),
    ("0399999999-001", True, "10-3 digits: a dependent unit, N11..N13 = 001"),
    ("0399999999-999", True, "N11..N13 = 999, the highest"),
    ("0100000009", False, "N3..N9 = 0000000 is below the range 0000001-9999999"),
    ("0399999999-000", False, "N11..N13 = 000 is below the range 001-999"),
    ("039999999", False, "9 digits"),
    ("03999999991", False, "11 digits"),
    ("0399999999001", False, "13 digits without the hyphen that separates the groups"),
    ("0399999999-01", False, "the dependent unit's group has 3 digits"),
    ("0399999999-0011", False, "the dependent unit's group has 3 digits"),
    ("0399 999 999", False, "spaces are not part of a tax code"),
    ("039999999A", False, "digits only"),
    ("０３９９９９９９９９", False, "full-width digits are not ASCII digits"),
    ("039999999912", False, "12 digits: an individual's ID number used as tax code, not an organisation's"),
    ("", False, "empty"),
]


@pytest.mark.parametrize("code, valid, why", TAX_CODES, ids=[c[0] or "empty" for c in TAX_CODES])
def test_tax_code_shape_follows_the_circular(code: str, valid: bool, why: str) -> None:
    assert is_tax_code(code) is valid, why


def test_a_full_block_reads_as_signed() -> None:
    block = {"name": "Công ty TNHH Phần Mềm Vàng", "address": "123 Nguyễn Thị Minh Khai, TP.HCM",
             "tax_code": "0399999999-001", "hotline": "19006037"}
    identity = VendorIdentity.from_payload(block)
    assert identity == VendorIdentity("Công ty TNHH Phần Mềm Vàng", "123 Nguyễn Thị Minh Khai, TP.HCM",
                                      "0399999999-001", "19006037")
    assert identity.to_payload() == block  # as signed, so a round trip keeps the signature valid
    assert identity.hotline_display == "1900 6037"  # written the Vietnamese way, whatever was signed


@pytest.mark.parametrize("block", [None, {}, {"name": "", "address": "  ", "tax_code": None}])
def test_absent_or_blank_means_no_vendor(block) -> None:
    assert VendorIdentity.from_payload(block) is None


def test_blank_fields_are_absent_not_empty_labels() -> None:
    identity = VendorIdentity.from_payload({"name": "Công ty TNHH Phần Mềm Vàng", "address": " ", "hotline": ""})
    assert identity == VendorIdentity(name="Công ty TNHH Phần Mềm Vàng")
    assert identity.to_payload() == {"name": "Công ty TNHH Phần Mềm Vàng"}
    assert identity.hotline_display is None


@pytest.mark.parametrize(
    "block, field",
    [
        ({"tax_code": "12345"}, "tax_code"),
        ({"tax_code": 399999999}, "tax_code"),  # a number loses the leading zero: must be text
        ({"hotline": "gọi tổng đài"}, "hotline"),
        ({"name": ["Công ty"]}, "name"),
        ({"address": "Tầng 5\n123 Lê Lợi"}, "address"),  # one line: a control character would break the layout
        ("Công ty TNHH Phần Mềm Vàng", "vendor"),
    ],
)
def test_a_bad_field_is_refused_naming_it(block, field: str) -> None:
    with pytest.raises(VendorIdentityError, match=field):
        VendorIdentity.from_payload(block)


@pytest.mark.parametrize(
    "value, expected",
    [(None, None), ("", None), ("   ", None), ("HD-KP-0001-001", "HD-KP-0001-001"),
     ("012/2027/HĐBT-PMV", "012/2027/HĐBT-PMV"), ("x" * 64, "x" * 64)],
)
def test_contract_number(value, expected) -> None:
    assert contract_number_from_payload(value) == expected


@pytest.mark.parametrize("value", [12, "x" * 65, "HD-1\nHD-2"])
def test_a_bad_contract_number_is_refused(value) -> None:
    with pytest.raises(VendorIdentityError, match="contract_number"):
        contract_number_from_payload(value)


def test_a_hand_built_identity_with_an_odd_hotline_still_prints_it() -> None:
    assert VendorIdentity(hotline="tổng đài 24/7").hotline_display == "tổng đài 24/7"  # never an exception on paper
