"""Who the vendor is, as the signed contract says: company name, address, tax code, hotline.

The certificate a manager files must name the company that owes the warranty.
That identity is part of the signed payload (``vendor``), never hard-coded in
the shop app, so a vendor that moves office or changes its name re-issues the
contract and every shop's certificate follows.

The block and each of its fields are optional: contracts issued before the
block existed still verify, and the certificate leaves out what is missing
rather than printing an empty label.  A present value is checked, so a
contract the vendor's own tool signs never carries a malformed tax code.

Tax code (mã số thuế) shape, from the law rather than from our data:

* Luật Quản lý thuế 38/2019/QH14, art. 3(5): a tax code is a string of 10
  digits, or of 13 digits and other characters.
* Thông tư 105/2020/TT-BTC, art. 5(1) (structure kept by Thông tư 86/2024/TT-BTC,
  which replaced it in 2025): ``N1N2N3N4N5N6N7N8N9N10 - N11N12N13``; N1N2 the
  range, N3..N9 a number from 0000001 to 9999999, N10 a check digit, N11..N13
  a dependent unit's number from 001 to 999, and a hyphen between the two
  groups.  An organisation, which a software vendor is, has the 10-digit code;
  a branch has the 13-digit one.

We check the shape and the two ranges, not the check digit: the circulars
say N10 is a check digit but do not publish how it is computed, and refusing
a real vendor's real tax code over a third-party guess would be worse than
letting a typo through to a document a person reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pmv_protocol.phone import PhoneError, parse_phone

_TAX_CODE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?")
CONTRACT_NUMBER_MAX = 64


class VendorIdentityError(ValueError):
    """A present vendor field breaks its rule; the message names the field."""


def is_tax_code(text: str) -> bool:
    """True for ``0123456789`` or ``0123456789-001`` with N3..N9 and N11..N13 in their legal ranges."""
    if not _TAX_CODE.fullmatch(text):
        return False
    if text[2:9] == "0000000":
        return False
    return not (len(text) == 14 and text[11:] == "000")


@dataclass(frozen=True)
class VendorIdentity:
    """The vendor's details as signed; ``None`` where the contract does not say."""

    name: str | None = None
    address: str | None = None
    tax_code: str | None = None
    hotline: str | None = None

    @property
    def hotline_display(self) -> str | None:
        """The hotline the way Vietnamese numbers are written (``1900 6037``), whatever separators were signed."""
        if not self.hotline:
            return None
        try:
            return parse_phone(self.hotline).national
        except PhoneError:  # only when built by hand: from_payload refuses such a hotline
            return self.hotline

    @classmethod
    def from_payload(cls, block: Any) -> VendorIdentity | None:
        """The ``vendor`` block; None when absent or empty.  Raises VendorIdentityError on a bad field."""
        if block is None:
            return None
        if not isinstance(block, Mapping):
            raise VendorIdentityError(f"vendor must be an object, got {type(block).__name__}")
        identity = cls(
            name=_text(block, "name"),
            address=_text(block, "address"),
            tax_code=_text(block, "tax_code"),
            hotline=_text(block, "hotline"),
        )
        if identity.tax_code is not None and not is_tax_code(identity.tax_code):
            raise VendorIdentityError(
                f"vendor.tax_code must be 10 digits or 10 digits-3 digits, got {identity.tax_code!r}")
        if identity.hotline is not None:
            try:
                parse_phone(identity.hotline)
            except PhoneError as exc:
                raise VendorIdentityError(
                    f"vendor.hotline is not a phone number ({exc}): {identity.hotline!r}") from None
        return identity if identity != cls() else None

    def to_payload(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value is not None}


def contract_number_from_payload(value: Any) -> str | None:
    """The optional ``contract_number``: None when absent or blank; refused when not one printable line."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise VendorIdentityError(f"contract_number must be a string, got {type(value).__name__}")
    if not value.strip():
        return None
    if len(value) > CONTRACT_NUMBER_MAX or _has_control(value):
        raise VendorIdentityError(f"contract_number must be one line of at most {CONTRACT_NUMBER_MAX} characters")
    return value


def _text(block: Mapping[str, Any], key: str) -> str | None:
    """A field as signed; a blank one counts as absent (the certificate never prints an empty label)."""
    value = block.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise VendorIdentityError(f"vendor.{key} must be a string, got {type(value).__name__}")
    if _has_control(value):
        raise VendorIdentityError(f"vendor.{key} has a control character")
    return value if value.strip() else None


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)
