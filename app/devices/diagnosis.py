"""Name the fault from one scan of a known code (stable entry point).

``diagnose(expected, received)`` compares what the test sheet says with what
the scanner typed (terminator included) and returns the faults that explain
the difference; ``[]`` means the scan is correct.  The UI shows the matching
:data:`REMEDIES` text (Vietnamese, numbered steps).

How it decides -- each modelled corruption is replayed on ``expected``, not
guessed from symptoms:

* the terminator (``\\r``, ``\\n``, ``\\t`` or ``\\r\\n``) is split off first;
  without one: ``missing_terminator``, alongside whatever else is found;
* body equal to ``expected``: nothing else (a correct scan is always ``[]``);
* nothing but a terminator (or nothing at all) arrived: ``symbology_disabled``
  (the scanner does not decode that symbology) -- unless ``expected`` is a GS1
  code with a wrong check digit, which no scanner decodes: ``check_digit``;
* otherwise the body is matched against ``expected`` passed through each
  corruption: Caps Lock (case swapped), UniKey/EVKey Telex and VNI
  (:mod:`app.devices.ime`: both tone styles; spell check off, on, and on
  with auto-restore of invalid words, at word breaks or also at Enter), a
  non-US Windows layout (:mod:`app.devices.keyboard_layouts`), and Caps Lock
  followed by an input method or layout.  Each candidate explains the body
  exactly, or with extra characters around it (``prefix_suffix``), or with
  characters missing (``dropped_chars``: the body is a subsequence);
* GS1 codes: same body but another last digit, or an ``expected`` whose own
  check digit is wrong: ``check_digit`` (the label is wrong, reprint it).
  With ``symbology`` given, only EAN/UPC/ITF-14/GTIN codes are GS1 codes
  (an 8-digit Code 128 item code is not an EAN-8); without it, any code of
  a GS1 key's length and all digits is taken for one;
* the explanation with the fewest faults wins; on a tie an exact replay beats
  extra characters, which beat missing ones; then the order above.
* Nothing explains it exactly: ``diagnose`` never answers ``[]`` for a wrong
  scan.  It takes the candidate nearest by edit distance and adds
  ``dropped_chars`` -- garbled transmission (lost, doubled or wrong
  characters) has the same cure: slower keystrokes, another USB port.

Faults are returned in :class:`Fault` declaration order.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterator

from app import HOTLINE
from app.devices.check_digits import checks_gs1_digit, gtin_check_digit, has_gs1_shape, is_valid_gtin
from app.devices.ime import CONFIGURATIONS, Mode, type_keys
from app.devices.keyboard_layouts import LAYOUTS, retype
from app.infra.phrase import say


class Fault(enum.StrEnum):
    IME_TELEX = "ime_telex"
    IME_VNI = "ime_vni"
    CAPS_LOCK = "caps_lock"
    MISSING_TERMINATOR = "missing_terminator"
    KEYBOARD_LAYOUT = "keyboard_layout"
    PREFIX_SUFFIX = "prefix_suffix"
    DROPPED_CHARS = "dropped_chars"
    CHECK_DIGIT = "check_digit"
    SYMBOLOGY_DISABLED = "symbology_disabled"


TERMINATORS: tuple[str, ...] = ("\r\n", "\r", "\n", "\t")  # longest first

# Fix steps, Vietnamese, kept as phrases: the devices page says them in the window's language.
REMEDIES: dict[Fault, str] = {
    Fault.IME_TELEX: say(
        "ScannerDiagnosis",
        "1. Bộ gõ tiếng Việt (Unikey/EVKey, kiểu Telex) đang bật nên đổi mã quét được "
        "(ví dụ DD thành Đ, AW thành Ă).\n"
        "2. Bấm vào biểu tượng V ở góc phải thanh tác vụ để chuyển sang E (tiếng Anh), "
        "hoặc nhấn Ctrl+Shift (phím chuyển mặc định của Unikey).\n"
        "3. Dùng EVKey: thêm chương trình PMV vào danh sách loại trừ để bộ gõ tự tắt khi bán hàng. "
        "Dùng Unikey: luôn chuyển về E trước khi quét.\n"
        "4. Quét lại tờ mã thử để kiểm tra."
    ),
    Fault.IME_VNI: say(
        "ScannerDiagnosis",
        "1. Bộ gõ tiếng Việt (Unikey/EVKey, kiểu VNI) đang bật nên số sau chữ bị biến thành dấu "
        "(ví dụ A6 thành Â, D9 thành Đ).\n"
        "2. Bấm vào biểu tượng V ở góc phải thanh tác vụ để chuyển sang E (tiếng Anh), "
        "hoặc nhấn Ctrl+Shift (phím chuyển mặc định của Unikey).\n"
        "3. Dùng EVKey: thêm chương trình PMV vào danh sách loại trừ để bộ gõ tự tắt khi bán hàng. "
        "Dùng Unikey: luôn chuyển về E trước khi quét.\n"
        "4. Quét lại tờ mã thử để kiểm tra."
    ),
    Fault.CAPS_LOCK: say(
        "ScannerDiagnosis",
        "1. Đèn Caps Lock trên bàn phím đang sáng: nhấn phím Caps Lock một lần để tắt.\n"
        "2. Quét lại tờ mã thử: chữ phải ra đúng chữ hoa như trên tem.\n"
        "3. Nếu vẫn sai: trong sách hướng dẫn máy quét, quét mã cài đặt "
        "«Ignore Caps Lock» / «Caps Lock off» (bỏ qua trạng thái Caps Lock)."
    ),
    Fault.MISSING_TERMINATOR: say(
        "ScannerDiagnosis",
        "1. Máy quét không gửi phím Enter sau mã nên PMV không nhận mã.\n"
        "2. Mở sách hướng dẫn cài đặt (Setup Manual) của máy quét, tìm mục «Suffix» hoặc «Terminator».\n"
        "3. Quét mã cài đặt «Add CR suffix» / «Enter suffix» (một số hãng ghi «Terminator: CR»).\n"
        "4. Quét lại tờ mã thử: sau mỗi mã, con trỏ phải xuống dòng."
    ),
    Fault.KEYBOARD_LAYOUT: say(
        "ScannerDiagnosis",
        "1. Windows đang dùng bàn phím khác English (US) (ví dụ VIE, FRA, DEU ở thanh tác vụ), "
        "nên số và chữ từ máy quét bị đổi.\n"
        "2. Nhấn Windows+Space và chọn ENG – English (United States).\n"
        "3. Để không lặp lại: vào Settings → Time & Language → Language, gỡ bàn phím thừa "
        "(kể cả bàn phím Vietnamese của Windows); gõ tiếng Việt bằng Unikey/EVKey.\n"
        "4. Hoặc quét mã cài đặt «Keyboard country: USA» trong sách hướng dẫn máy quét.\n"
        "5. Quét lại tờ mã thử."
    ),
    Fault.PREFIX_SUFFIX: say(
        "ScannerDiagnosis",
        "1. Máy quét đang thêm ký tự trước hoặc sau mã (tiền tố/hậu tố, AIM ID, Code ID).\n"
        "2. Trong sách hướng dẫn máy quét, quét mã cài đặt «Clear all prefix/suffix» "
        "(xóa tiền tố/hậu tố).\n"
        "3. Nếu còn ký tự lạ ở đầu mã: quét mã «Disable AIM ID» và «Disable Code ID».\n"
        "4. Quét lại mã «Add CR suffix» để máy vẫn gửi Enter sau mã, rồi quét lại tờ mã thử."
    ),
    Fault.DROPPED_CHARS: say(
        "ScannerDiagnosis",
        "1. Mã đến máy tính bị mất hoặc sai ký tự: máy quét gửi phím quá nhanh hoặc kết nối chập chờn.\n"
        "2. Cắm cáp máy quét thẳng vào cổng USB phía sau máy tính, không qua bộ chia USB.\n"
        "3. Trong sách hướng dẫn máy quét, quét mã giảm tốc độ gửi phím "
        "(«Keystroke delay» / «Inter-character delay» 20–50 ms, hoặc «USB speed: low»).\n"
        "4. Quét lại tờ mã thử. Nếu vẫn lỗi, thử cáp khác hoặc gọi tổng đài "
        "%1 (24/7)."
    ).fill(HOTLINE),
    Fault.CHECK_DIGIT: say(
        "ScannerDiagnosis",
        "1. Số kiểm tra (chữ số cuối) của mã vạch trên tem bị sai: lỗi ở tem, không phải ở máy quét.\n"
        "2. Không dùng tem này để bán; nếu cần, nhập mã hàng bằng tay.\n"
        "3. In lại tem từ phần mềm PMV để số kiểm tra được tính lại.\n"
        "4. Nếu tem in lại vẫn sai, gọi tổng đài %1 để kỹ thuật kiểm tra dữ liệu mã hàng."
    ).fill(HOTLINE),
    Fault.SYMBOLOGY_DISABLED: say(
        "ScannerDiagnosis",
        "1. Máy quét không gửi mã: loại mã vạch này đang bị tắt trong máy quét.\n"
        "2. Trong sách hướng dẫn máy quét, quét mã cài đặt bật đúng loại mã đang thử: "
        "«Enable EAN-13», «Enable Code 39», «Enable Code 128» hoặc «Enable QR Code».\n"
        "3. Nếu không rõ: quét mã «Restore factory defaults», rồi quét lại mã «Add CR suffix».\n"
        "4. Quét lại tờ mã thử. Nếu vẫn không có tín hiệu, kiểm tra cáp và gọi tổng đài "
        "%1 (24/7)."
    ).fill(HOTLINE),
}

_ORDER = {fault: index for index, fault in enumerate(Fault)}

# How a candidate explains the body: exact beats extra characters beats missing.
_EXACT, _EXTRA, _MISSING = 0, 1, 2


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _split_terminator(received: str) -> tuple[str, bool]:
    for terminator in TERMINATORS:
        if received.endswith(terminator):
            return received[: -len(terminator)], True
    return received, False


def _swapcase(text: str) -> str:
    return text.swapcase()


def _variants(mode: Mode, text: str) -> set[str]:
    """An input method's output under every modelled setting (:data:`ime.CONFIGURATIONS`).

    The scanner's Enter is typed too: with auto-restore some front ends restore
    the code's last word there.  It is taken off again, as the body is compared.
    """
    return {type_keys(text + "\r", mode, options).removesuffix("\r") for options in CONFIGURATIONS}


def _candidates(expected: str, gs1: bool) -> Iterator[tuple[frozenset[Fault], str]]:
    """``expected`` as each modelled corruption would type it, simplest first."""
    yield frozenset(), expected
    yield frozenset({Fault.CAPS_LOCK}), _swapcase(expected)
    for caps in (False, True):
        keys = _swapcase(expected) if caps else expected
        extra = {Fault.CAPS_LOCK} if caps else set()
        for fault, mode in ((Fault.IME_TELEX, Mode.TELEX), (Fault.IME_VNI, Mode.VNI)):
            for text in sorted(_variants(mode, keys)):
                yield frozenset({fault, *extra}), text
        for layout in LAYOUTS:
            yield frozenset({Fault.KEYBOARD_LAYOUT, *extra}), retype(keys, layout)
    if gs1:
        # The label's own check digit is wrong: printer software that fixes
        # it sends body + the right digit.
        yield frozenset({Fault.CHECK_DIGIT}), expected[:-1] + str(gtin_check_digit(expected[:-1]))


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _same_body_other_check_digit(expected: str, body: str) -> bool:
    return (is_valid_gtin(expected) and len(body) == len(expected) and body.isascii()
            and body.isdigit() and body[:-1] == expected[:-1] and body != expected)


def _explain(expected: str, body: str, gs1: bool) -> set[Fault]:
    best: tuple[int, int, int] | None = None
    chosen: frozenset[Fault] = frozenset()
    seen: set[str] = set()
    candidates = [(faults, _nfc(text)) for faults, text in _candidates(expected, gs1)]
    if gs1 and _same_body_other_check_digit(expected, body):
        candidates.insert(1, (frozenset({Fault.CHECK_DIGIT}), body))
    for rank, (faults, text) in enumerate(candidates):
        if text in seen or not text:
            continue  # a corruption that changes nothing proves nothing
        seen.add(text)
        if body == text:
            how, total = _EXACT, faults
        elif text in body:
            how, total = _EXTRA, faults | {Fault.PREFIX_SUFFIX}
        elif len(body) < len(text) and _is_subsequence(body, text):
            how, total = _MISSING, faults | {Fault.DROPPED_CHARS}
        else:
            continue
        score = (len(total), how, rank)
        if best is None or score < best:
            best, chosen = score, total
    if best is not None:
        return set(chosen)
    # Unexplained: the nearest modelled corruption, plus garbled transmission.
    nearest = min(candidates, key=lambda c: _edit_distance(body, c[1]))
    return set(nearest[0]) | {Fault.DROPPED_CHARS}


def diagnose(expected: str, received: str, *, symbology: str | None = None) -> list[Fault]:
    """Faults explaining ``received`` (as typed, terminator included); [] if correct.

    ``expected`` is the printed content; a trailing terminator in it is ignored.
    ``symbology`` ("code128", "ean13"...), when the caller knows it, limits
    the check-digit rule to the symbologies that carry one; None guesses
    from the code's shape.
    """
    expected = _nfc(_split_terminator(expected)[0])
    body, terminated = _split_terminator(_nfc(received))
    faults: set[Fault] = set() if terminated else {Fault.MISSING_TERMINATOR}
    gs1 = has_gs1_shape(expected) and (symbology is None or checks_gs1_digit(symbology))
    label_wrong = gs1 and not is_valid_gtin(expected)
    if body == expected:
        return sorted(faults, key=_ORDER.__getitem__)
    if not body:
        # Nothing decoded: the symbology is off -- or the label is unreadable by design.
        return [Fault.CHECK_DIGIT if label_wrong else Fault.SYMBOLOGY_DISABLED]
    if not expected:
        faults.add(Fault.PREFIX_SUFFIX)
    else:
        faults |= _explain(expected, body, gs1)
    if label_wrong:
        faults.add(Fault.CHECK_DIGIT)
    return sorted(faults, key=_ORDER.__getitem__)
