"""Vietnamese phone numbers: validate what a cashier types, and find numbers in free text.

The support-request form asks for a call-back number.  Cashiers type it every
way Vietnamese people write numbers (``0912.345.678``, ``(028) 3822 1234``,
``+84 912 345 678``), so :func:`parse_phone` accepts the usual separators and
prefixes and returns one canonical form; the vendor's technicians then see the
same ``national`` text whatever was typed, and ``e164`` is what gets compared
(e.g. by the diagnostics redaction, which keeps the contact's own number).

Errors are codes (:class:`PhoneErrorCode`), not sentences: the UI maps each
code to a translated hint.

Numbering plan (as of 2025), sources:

* Mobile: the 2018 conversion of 11-digit ``01xx`` numbers to 10 digits
  (Bộ TT&TT, Quyết định 798/QĐ-BTTTT, 2018-05-25; done 15/09/2018-30/06/2019):
  MobiFone 0120/0121/0122/0126/0128 -> 070/079/077/076/078, VinaPhone
  0123/0124/0125/0127/0129 -> 083/084/085/081/082, Viettel 0162-0169 ->
  032-039, Vietnamobile 0186/0188 -> 056/058, Gmobile 0199 -> 059.  Pre-2018
  10-digit ranges kept: 086, 088, 089, 090-099.  Later allocations: 052
  (Vietnamobile), 055 (Reddi/Mobicast), 087 (iTel).  Cross-checked against
  Google libphonenumber's VN metadata (``region_VN.py`` in python-phonenumbers),
  which lists the same three-digit ranges, in places split to four digits.
  We deliberately accept whole three-digit ranges: operators open new
  four-digit blocks without notice, and refusing a real customer's number at
  the till is worse than accepting an unallocated one.
* Landlines: the 2017 area-code change (Thông tư 15/2017/TT-BTTTT): every
  area code starts with 2; Hà Nội (24) and TP.HCM (28) have 8-digit
  subscriber numbers, the other provinces 3-digit codes with 7 digits, so a
  national landline is always 11 digits with the leading 0.  The area-code
  list below matches libphonenumber's VN ``fixedLine`` pattern.  The 2025
  merger of provinces did not renumber area codes.
* Service (``1800`` free-call, ``1900`` premium): 8 or 10 digits, dialled
  without a leading 0 (the vendor's own hotline is 1900 6037).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "PhoneError",
    "PhoneErrorCode",
    "PhoneKind",
    "PhoneNumber",
    "find_phone_numbers",
    "parse_phone",
    "standalone",
]

COUNTRY_CODE = "84"


class PhoneKind(enum.StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    SERVICE = "service"


class PhoneErrorCode(enum.StrEnum):
    EMPTY = "empty"
    BAD_CHARACTERS = "bad_characters"  # letters, '/', a '+' not at the start, ...
    WRONG_LENGTH = "wrong_length"  # known prefix, too few or too many digits
    UNKNOWN_PREFIX = "unknown_prefix"  # no such range in Vietnam (old 01xx mobiles included)


class PhoneError(ValueError):
    """Raised by :func:`parse_phone`; ``code`` says why, for the UI to translate."""

    def __init__(self, code: PhoneErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


@dataclass(frozen=True)
class PhoneNumber:
    """A valid Vietnamese number. Compare numbers by ``e164``."""

    e164: str  # "+84912345678"
    national: str  # "0912 345 678", "028 3822 1234", "1900 6037"
    kind: PhoneKind


# Mobile ranges, as the national significant number's first two digits (i.e. 0xx without the 0).
MOBILE_PREFIXES: frozenset[str] = frozenset(
    [f"3{d}" for d in "23456789"]  # Viettel (ex-016x)
    + ["52", "55", "56", "58", "59"]  # Vietnamobile, Reddi, Vietnamobile (ex-0186/0188), Gmobile (ex-0199)
    + ["70", "76", "77", "78", "79"]  # MobiFone (ex-012x)
    + [f"8{d}" for d in "123456789"]  # VinaPhone 081-085/088, Viettel 086, iTel 087, MobiFone 089
    + [f"9{d}" for d in "0123456789"]  # the original 10-digit ranges
)

# Landline area codes after the 2017 change, without the leading 0, with the
# pre-2025 province each was assigned to (kept after the 2025 mergers).
AREA_CODES: Mapping[str, str] = MappingProxyType(
    {
        "24": "Hà Nội",
        "28": "TP. Hồ Chí Minh",
        "203": "Quảng Ninh",
        "204": "Bắc Giang",
        "205": "Lạng Sơn",
        "206": "Cao Bằng",
        "207": "Tuyên Quang",
        "208": "Thái Nguyên",
        "209": "Bắc Kạn",
        "210": "Phú Thọ",
        "211": "Vĩnh Phúc",
        "212": "Sơn La",
        "213": "Lai Châu",
        "214": "Lào Cai",
        "215": "Điện Biên",
        "216": "Yên Bái",
        "218": "Hòa Bình",
        "219": "Hà Giang",
        "220": "Hải Dương",
        "221": "Hưng Yên",
        "222": "Bắc Ninh",
        "225": "Hải Phòng",
        "226": "Hà Nam",
        "227": "Thái Bình",
        "228": "Nam Định",
        "229": "Ninh Bình",
        "232": "Quảng Bình",
        "233": "Quảng Trị",
        "234": "Huế",
        "235": "Quảng Nam",
        "236": "Đà Nẵng",
        "237": "Thanh Hóa",
        "238": "Nghệ An",
        "239": "Hà Tĩnh",
        "251": "Đồng Nai",
        "252": "Bình Thuận",
        "254": "Bà Rịa - Vũng Tàu",
        "255": "Quảng Ngãi",
        "256": "Bình Định",
        "257": "Phú Yên",
        "258": "Khánh Hòa",
        "259": "Ninh Thuận",
        "260": "Kon Tum",
        "261": "Đắk Nông",
        "262": "Đắk Lắk",
        "263": "Lâm Đồng",
        "269": "Gia Lai",
        "270": "Vĩnh Long",
        "271": "Bình Phước",
        "272": "Long An",
        "273": "Tiền Giang",
        "274": "Bình Dương",
        "275": "Bến Tre",
        "276": "Tây Ninh",
        "277": "Đồng Tháp",
        "290": "Cà Mau",
        "291": "Bạc Liêu",
        "292": "Cần Thơ",
        "293": "Hậu Giang",
        "294": "Trà Vinh",
        "296": "An Giang",
        "297": "Kiên Giang",
        "299": "Sóc Trăng",
    }
)
TWO_DIGIT_AREA_CODES: frozenset[str] = frozenset(code for code in AREA_CODES if len(code) == 2)
SERVICE_PREFIXES: tuple[str, ...] = ("1800", "1900")

MOBILE_LENGTH = 9  # national significant number, without the 0
LANDLINE_LENGTH = 10
SERVICE_LENGTHS = (8, 10)

_ALLOWED = re.compile(r"\+?[0-9 .\-()]*")


def parse_phone(text: str) -> PhoneNumber:
    """Validate and normalise a number typed by a cashier.

    Accepts spaces, dots, dashes and parentheses anywhere, and a leading
    ``+84``, ``84``, ``0084`` or ``0`` (also ``+84 (0) ...`` and ``(+84) ...``).  Service
    numbers (1800/1900) are written without a prefix.  Raises
    :class:`PhoneError` with the first problem a cashier can fix.
    """
    # NFKC turns full-width digits and no-break spaces (pasted from Zalo or a
    # web page) into their plain forms.
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    # "(+84) 912 345 678": the country code in brackets, as business cards and web pages write it.
    cleaned = re.sub(r"^\(\s*\+", "+", cleaned)
    if not _ALLOWED.fullmatch(cleaned):
        raise PhoneError(PhoneErrorCode.BAD_CHARACTERS)
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    if not digits:
        raise PhoneError(PhoneErrorCode.EMPTY)
    nsn = _national_significant(digits, international=cleaned.startswith("+"))
    kind = _classify(nsn)
    return PhoneNumber(e164=f"+{COUNTRY_CODE}{nsn}", national=_format(nsn, kind), kind=kind)


def _national_significant(digits: str, *, international: bool) -> str:
    """Strip the country code or trunk prefix; the result never starts with 0."""
    if international:
        if not digits.startswith(COUNTRY_CODE):
            if COUNTRY_CODE.startswith(digits):
                raise PhoneError(PhoneErrorCode.WRONG_LENGTH)  # "+8" while typing
            raise PhoneError(PhoneErrorCode.UNKNOWN_PREFIX)  # a foreign number
        nsn = digits[len(COUNTRY_CODE) :]
        return nsn[1:] if nsn.startswith("0") else nsn  # "+84 (0) 912 ..."
    if digits.startswith("00"):
        if digits.startswith("00" + COUNTRY_CODE):
            nsn = digits[4:]
            return nsn[1:] if nsn.startswith("0") else nsn
        raise PhoneError(PhoneErrorCode.UNKNOWN_PREFIX)  # another country, or an invoice number
    if digits.startswith("0"):
        return digits[1:]
    if digits.startswith(COUNTRY_CODE) and len(digits) >= len(COUNTRY_CODE) + min(SERVICE_LENGTHS):
        return digits[len(COUNTRY_CODE) :]
    if digits.startswith(SERVICE_PREFIXES) or any(p.startswith(digits) for p in SERVICE_PREFIXES):
        return digits
    # A mobile typed without its 0 ("912345678") is refused rather than
    # guessed: in free text that reading would turn 9-digit IDs into phones.
    raise PhoneError(PhoneErrorCode.UNKNOWN_PREFIX)


def _classify(nsn: str) -> PhoneKind:
    """Decide the kind from the leading digits, then check the length for that kind.

    The prefix is judged first so an old 11-digit ``01xx`` mobile reports
    UNKNOWN_PREFIX (the cashier must ask for the new number), not a length.
    """
    if not nsn:
        raise PhoneError(PhoneErrorCode.WRONG_LENGTH)
    if nsn[0] == "1":
        if nsn.startswith(SERVICE_PREFIXES):
            _check_length(len(nsn) in SERVICE_LENGTHS)
            return PhoneKind.SERVICE
        if any(p.startswith(nsn) for p in SERVICE_PREFIXES):
            raise PhoneError(PhoneErrorCode.WRONG_LENGTH)
        raise PhoneError(PhoneErrorCode.UNKNOWN_PREFIX)  # 012x/016x/018x/019x mobiles died in 2019
    if nsn[0] == "2":
        if nsn[:2] in TWO_DIGIT_AREA_CODES or nsn[:3] in AREA_CODES:
            _check_length(len(nsn) == LANDLINE_LENGTH)
            return PhoneKind.LANDLINE
        if len(nsn) < 3 and any(code.startswith(nsn) for code in AREA_CODES):
            raise PhoneError(PhoneErrorCode.WRONG_LENGTH)
        raise PhoneError(PhoneErrorCode.UNKNOWN_PREFIX)
    if nsn[:2] in MOBILE_PREFIXES:
        _check_length(len(nsn) == MOBILE_LENGTH)
        return PhoneKind.MOBILE
    if len(nsn) == 1 and any(prefix.startswith(nsn) for prefix in MOBILE_PREFIXES):
        raise PhoneError(PhoneErrorCode.WRONG_LENGTH)
    raise PhoneError(PhoneErrorCode.UNKNOWN_PREFIX)


def _check_length(ok: bool) -> None:
    if not ok:
        raise PhoneError(PhoneErrorCode.WRONG_LENGTH)


def _format(nsn: str, kind: PhoneKind) -> str:
    """Group digits the way Vietnamese print them (what the technician reads aloud)."""
    if kind is PhoneKind.SERVICE:  # 1900 6037, 1800 588 822
        return f"{nsn[:4]} {nsn[4:]}" if len(nsn) == 8 else f"{nsn[:4]} {nsn[4:7]} {nsn[7:]}"
    national = "0" + nsn
    if kind is PhoneKind.MOBILE:  # 0912 345 678
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if nsn[:2] in TWO_DIGIT_AREA_CODES:  # 028 3822 1234
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return f"{national[:4]} {national[4:8]} {national[8:]}"  # 0236 3822 123


# --- finding numbers in free text -------------------------------------------------

_DIGIT_GROUP = re.compile(r"[0-9]+")
# What may join two digit groups of one number: "0912 345 678", "0912.345.678",
# "0912-345-678", "(028) 3822 1234", "(028)3822-1234".
_JOINER = re.compile(r"[ .\-]|\)[ .\-]?|[ .\-]?\(|\)[ .\-]?\(")
_MAX_GROUPS = 6
_MIN_DIGITS = 8  # "1900 6037"
_MAX_DIGITS = 14  # "0084" + a 10-digit landline
# A number followed by a currency is an amount ("19000000 ₫" is not 1900 0000).
_CURRENCY_AFTER = re.compile(r"\s*(?:₫|đ\b|vn[dđ]\b|đồng\b|dong\b)", re.IGNORECASE)
# Thousands grouping: "19.000.000" is 19 million đồng, never a phone number.
_AMOUNT = re.compile(r"[1-9][0-9]{0,2}(?:[.,][0-9]{3})+")


def find_phone_numbers(text: str) -> list[tuple[int, int, PhoneNumber]]:
    """Return ``(start, end, number)`` for each Vietnamese phone number in ``text``.

    Used on log lines and free-text notes, so it is conservative: a number is
    made of whole digit groups joined by a single separator, and is not found
    inside a longer run (a 12-digit CCCD, ``1C26TVG-0000063``,
    ``20.000.000``, ``127.0.0.1``), next to letters, or before a currency.
    Spans are non-overlapping and in text order; when several readings start
    at the same place the longest valid one wins.
    """
    groups = [(m.start(), m.end()) for m in _DIGIT_GROUP.finditer(text)]
    found: list[tuple[int, int, PhoneNumber]] = []
    i = 0
    while i < len(groups):
        match = _longest_number_at(text, groups, i)
        if match is None:
            i += 1
            continue
        start, end, number, last = match
        found.append((start, end, number))
        i = last + 1
    return found


def _longest_number_at(
    text: str, groups: list[tuple[int, int]], first: int
) -> tuple[int, int, PhoneNumber, int] | None:
    start = _extend_start(text, groups[first][0])
    # Every written form starts with 0, 84, 1800/1900 or '+': skip the rest
    # (timestamps, amounts) cheaply, logs can be large.
    if text[groups[first][0]] not in "018" and "+" not in text[start : groups[first][0]]:
        return None
    if not _free_side(text, start, -1):
        return None
    best: tuple[int, int, PhoneNumber, int] | None = None
    digit_count = 0
    for last in range(first, min(first + _MAX_GROUPS, len(groups))):
        if last > first and not _JOINER.fullmatch(text[groups[last - 1][1] : groups[last][0]]):
            break
        digit_count += groups[last][1] - groups[last][0]
        if digit_count > _MAX_DIGITS:
            break
        if digit_count < _MIN_DIGITS:
            continue
        end = groups[last][1]
        if text[start:end].count("(") > text[start:end].count(")") and text[end : end + 1] == ")":
            end += 1
        candidate = text[start:end]
        if not _clean_after(text, end) or _AMOUNT.fullmatch(candidate) or not _parens_ok(candidate):
            continue
        try:
            number = parse_phone(candidate)
        except PhoneError:
            continue
        best = (start, end, number, last)
    return best


_PAREN_GROUP = re.compile(r"\(\+?[0-9]+\)")


def _parens_ok(candidate: str) -> bool:
    """Parentheses only close around the area code or the "(0)" after +84.

    Without this "hotline 1900 6037 (24/7)" would read as 1900 603 724.
    """
    for m in _PAREN_GROUP.finditer(candidate):
        if len(_DIGIT_GROUP.findall(candidate, 0, m.start())) > 1:
            return False
    rest = _PAREN_GROUP.sub("", candidate)
    return "(" not in rest and ")" not in rest


def _extend_start(text: str, start: int) -> int:
    """Take in a leading '+', '(' or '(+' that belongs to the number."""
    for prefix in ("(+", "+", "("):
        if start >= len(prefix) and text.startswith(prefix, start - len(prefix)):
            return start - len(prefix)
    return start


def _clean_after(text: str, end: int) -> bool:
    """Nothing glued on the right, and no currency after it."""
    return _free_side(text, end, +1) and not _CURRENCY_AFTER.match(text, end)


# A '-' between two long digit runs separates two numbers ("0903112233-0912345678").
_LONG_RUN = 7


def standalone(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a token of its own, not part of a longer one.

    Glued means a letter, digit or '_' right next to it, or '.'/'-' followed
    by one ("20.000.000", "1C26TVG-0000063", "127.0.0.1"), except a '-'
    between two runs of 7+ digits, which lists two numbers.  Shared with
    the CCCD rule of :mod:`app.support.redaction`.
    """
    return _free_side(text, start, -1) and _free_side(text, end, +1)


def _free_side(text: str, edge: int, step: int) -> bool:
    """Check one side: ``edge`` is ``start`` (step -1) or ``end`` (step +1)."""
    first = edge - 1 if step < 0 else edge
    if not 0 <= first < len(text):
        return True
    if _wordish(text[first]):
        return False
    second = first + step
    if text[first] not in ".-" or not 0 <= second < len(text) or not _wordish(text[second]):
        return True
    if text[first] == "-" and text[second].isdigit():
        run = 0
        while 0 <= second < len(text) and text[second].isdigit():
            run += 1
            second += step
        return run >= _LONG_RUN
    return False


def _wordish(char: str) -> bool:
    return char.isalnum() or char == "_"
