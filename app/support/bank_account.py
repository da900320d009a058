"""Bank account numbers in free text (POS logs, notes), found for redaction.

Decree 232/2025/NĐ-CP moves a customer's gold payments of 20 million đồng a
day or more to bank transfer, so POS logs now carry customers' account
numbers ("Chuyển khoản STK: 0071000123456 Vietcombank").  A number is taken
for an account in two cases:

* **after a label** (STK, số TK, số tài khoản, tài khoản, TK, account (no), A/C):
  any run of 6 to 19 digits.  The label makes it certain, so short numbers
  (some banks issue 6- to 8-digit accounts) and card numbers (16–19) go too;
  fewer than 6 digits is a ledger account ("TK 1111 – Tiền mặt"), not a bank's.
* **beside a bank's name** (Vietcombank, VCB, BIDV, MB, "ngân hàng", ...), only
  separators or a word like "tại"/"số" between: a run of 9 to 16 digits, the
  lengths Vietnamese banks use.

Digits may be grouped by single spaces, dots or hyphens, one kind per number
("0071 000 123456", "0071.0001.23456").  What a technician needs stays:
amounts (thousands-grouped like 20.000.000, or followed by đ/₫/VND), dates,
invoice numbers glued to letters (HD-2026-000123), numbers shorter than 9
digits beside a bank's name (the hotline 1900 6037).  The caller decides about
phone-shaped numbers beside a bank's name (see :mod:`app.support.redaction`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AccountMatch", "find_bank_accounts"]

LABELLED_DIGITS = (6, 19)
BESIDE_BANK_DIGITS = (9, 16)
_MAX_GROUP = 6  # a written group ("0071 000 123456") is at most this long; longer runs stand alone

_LABEL = re.compile(
    r"(?<!\w)(?i:s[ốo][ \t]*t[àa]i[ \t]*kho[ảa]n|t[àa]i[ \t]*kho[ảa]n(?:[ \t]+s[ốo])?|s[ốo][ \t]*tk|stk|tk"
    r"|so_tai_khoan|tai_khoan|bank[ _-]?account(?:[ _-]?(?:no|number))?|account(?:[ _-]?(?:no|number|num))?"
    r"|acc(?:t)?[ _-]?no|a/c)"
    r"(?!\w)[\"']?[ \t]*[:=#.\-–]?[ \t]*(?i:(?:s[ốo]|no)\.?[ \t]*[:.]?[ \t]*)?[\"']?"
)
# Short acronyms are matched as written (upper case), so "mb"/"acb" inside prose or "5 MB"
# written as "5 mb" are not banks; full names in any case.
_BANK = (
    r"(?:(?i:vietcombank|techcombank|agribank|vietinbank|sacombank|tpbank|vpbank|hdbank|seabank|eximbank"
    r"|lpbank|lienvietpostbank|pvcombank|kienlongbank|baovietbank|vietabank|vietbank|saigonbank|oceanbank"
    r"|abbank|mbbank|mb[ \t]bank|nam[ \t]a[ \t]bank|bac[ \t]a[ \t]bank|bvbank|shinhan(?:[ \t]bank)?|hsbc"
    r"|standard[ \t]chartered|woori(?:[ \t]bank)?|public[ \t]bank|ng[âa]n[ \t]h[àa]ng)"
    r"|VCB|BIDV|MB|ACB|TCB|VIB|SHB|OCB|MSB|NCB|SCB|VAB|KLB|PGBank|GPBank|NH)"
)
# What may sit between a bank's name and the number.
_GAP = r"(?:[ \t:,;/|()\[\]#.\-–—]|(?i:tại|tai|số|so|no)(?=[ \t:.]))*"
_BANK_BEFORE = re.compile(rf"(?<!\w){_BANK}{_GAP}\Z")
_BANK_AFTER = re.compile(rf"{_GAP}{_BANK}(?!\w)")
_LOOK = 48  # characters scanned on each side for a bank's name

_DIGITS = re.compile(r"[0-9]+")
_CURRENCY_AFTER = re.compile(r"[ \t]?(?i:đồng|đ|₫|vnđ|vnd|dong|d)(?!\w)")
_AMOUNT = re.compile(r"[1-9][0-9]{0,2}(?P<sep>[., ])[0-9]{3}(?:(?P=sep)[0-9]{3})*")
# Shapes that are never accounts: dates and IPv4 addresses ("máy chủ ngân hàng 192.168.1.10").
_NOT_ACCOUNT = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}([.\-])[0-9]{1,2}\1[0-9]{4}|[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
)


@dataclass(frozen=True)
class AccountMatch:
    start: int
    end: int
    digits: str  # the number without its separators
    labelled: bool  # found after a label (else beside a bank's name)


def find_bank_accounts(text: str) -> list[AccountMatch]:
    """Account numbers in ``text``, in order and not overlapping."""
    found: list[AccountMatch] = []
    labelled_starts = {m.end() for m in _LABEL.finditer(text)}
    position = 0
    for m in _DIGITS.finditer(text):
        if m.start() < position:
            continue  # a group of the number just found
        if len(m.group()) < LABELLED_DIGITS[0] and text[m.end() : m.end() + 1] not in (" ", ".", "-"):
            continue  # too short and nothing to join: most of a log's numbers (times, counts), skipped cheaply
        end, digits = _number_at(text, m.start())
        match = _judge(text, m.start(), end, digits, m.start() in labelled_starts)
        if match is not None:
            found.append(match)
            position = end
    return found


def _number_at(text: str, start: int) -> tuple[int, str]:
    """The end and digits of the number starting at ``start``: one run, or short groups joined by one separator."""
    first = _DIGITS.match(text, start)
    assert first is not None
    end, digits, separator = first.end(), first.group(), ""
    if len(digits) > _MAX_GROUP:
        return end, digits
    while end + 1 < len(text) and text[end] in " .-" and (separator in ("", text[end])):
        group = _DIGITS.match(text, end + 1)
        if group is None or len(group.group()) > _MAX_GROUP or len(digits) + len(group.group()) > 19:
            break
        after = group.end()
        if after + 1 < len(text) and text[after] in " .-" and text[after] != text[end] and text[after + 1].isdigit():
            break  # that group heads another number ("... 123456 20.000.000")
        separator, digits, end = text[end], digits + group.group(), after
    return end, digits


def _judge(text: str, start: int, end: int, digits: str, labelled: bool) -> AccountMatch | None:
    written = text[start:end]
    if _CURRENCY_AFTER.match(text, end) or _NOT_ACCOUNT.fullmatch(written):
        return None
    if labelled:
        low, high = LABELLED_DIGITS
        ok = low <= len(digits) <= high and not _glued_after(text, end)
        return AccountMatch(start, end, digits, True) if ok else None
    low, high = BESIDE_BANK_DIGITS
    if not low <= len(digits) <= high or _AMOUNT.fullmatch(written):
        return None
    # Glued to the bank's name is still beside it ("VCB0071000123456"); glued to anything else
    # it is part of a longer code ("HD-2026-0001234567").
    before = _BANK_BEFORE.search(text, max(0, start - _LOOK), start) is not None
    after = _BANK_AFTER.match(text, end, end + _LOOK) is not None
    if not (before or after) or (_glued_before(text, start) and not before) or (_glued_after(text, end) and not after):
        return None
    return AccountMatch(start, end, digits, False)


def _glued_before(text: str, start: int) -> bool:
    """Part of a longer token: a letter or digit right before, or '.'/'-' after one ("HD-2026-000123")."""
    if start == 0:
        return False
    if text[start - 1].isalnum() or text[start - 1] == "_":
        return True
    return text[start - 1] in ".-" and start >= 2 and text[start - 2].isalnum()


def _glued_after(text: str, end: int) -> bool:
    if end >= len(text):
        return False
    if text[end].isalnum() or text[end] == "_":
        return True
    return text[end] in ".-," and end + 1 < len(text) and text[end + 1].isdigit()
