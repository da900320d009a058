"""Enrolment codes typed with Unikey or EVKey left on (app/setup/typed_code.py): read back as the keys typed.

The table is written from how the two methods compose, not from the code under test: Telex ``dd`` → đ,
``aa`` → â, ``aw`` → ă, ``ow`` → ơ, ``w`` alone → ư, and ``s f r x j`` put sắc, huyền, hỏi, ngã, nặng on the
vowel before; VNI ``d9`` → đ, ``a6`` → â, ``a8`` → ă, ``o7`` → ơ (``u7`` → ư cannot happen: U is not in a
code's alphabet) and ``1``-``5`` are the tones.  With free marking a tone key may come after the syllable's
final consonant (VNI ``BAN1`` → BÁN); a dash ends the word, so a modifier key after it is typed as itself;
a technician may type O for 0 (Crockford reads it so), and Telex then makes ``OW`` an ơ.  Every row is also
checked against the input-method model the reading replays (app/devices/ime.py, UniKey's engine), so the
table and the model cannot drift apart unnoticed.
"""

from __future__ import annotations

import pytest

from app.devices.ime import Mode, type_keys
from app.setup.typed_code import read_typed_code, undo_input_method
from pmv_protocol.enrolment_codes import CodeProblem, display, read_code, with_check

# (method, the keys the technician pressed, what the code field shows with the input method on)
COMPOSED = [
    (Mode.TELEX, "DD4KM-7NPQC", "Đ4KM-7NPQC"),  # dd → đ
    (Mode.TELEX, "dd4km-7npqc", "đ4km-7npqc"),  # the same in lower case
    (Mode.TELEX, "HAA5B-C7MGY", "HÂ5B-C7MGY"),  # aa → â
    (Mode.TELEX, "TAW3B-C9KFA", "TĂ3B-C9KFA"),  # aw → ă
    (Mode.TELEX, "BOW5H-K3NTY", "BƠ5H-K3NTY"),  # O typed for 0, then ow → ơ
    (Mode.TELEX, "W3HKM-NPQ80", "Ư3HKM-NPQ80"),  # w alone → ư
    (Mode.TELEX, "BAS7C-EF9X2", "BÁ7C-È9X2"),  # s sắc, f huyền
    (Mode.TELEX, "TAR5H-EX732", "TẢ5H-Ẽ732"),  # r hỏi, x ngã
    (Mode.TELEX, "KAJ3M-7NPYX", "KẠ3M-7NPỸ"),  # j nặng; the check characters YX make ỹ too
    (Mode.TELEX, "DD4W7-AS236", "Đ4W7-Á236"),  # dd → đ and as → á in one code (a W after a digit stays W)
    (Mode.VNI, "D97KM-NPQRE", "Đ7KM-NPQRE"),  # d9 → đ
    (Mode.VNI, "HA6BK-7MP49", "HÂBK-7MP49"),  # a6 → â
    (Mode.VNI, "TA8BK-C9KNB", "TĂBK-C9KNB"),  # a8 → ă
    (Mode.VNI, "BO7HK-3NPGK", "BƠHK-3NPGK"),  # O typed for 0, then o7 → ơ
    (Mode.VNI, "BA1KC-E2MRY", "BÁKC-ÈMRY"),  # 1 sắc, 2 huyền
    (Mode.VNI, "TA3HK-E4MHA", "TẢHK-ẼMHA"),  # 3 hỏi, 4 ngã
    (Mode.VNI, "KA5MN-7PQ0V", "KẠMN-7PQ0V"),  # 5 nặng
    (Mode.VNI, "BAN1K-7MPWF", "BÁNK-7MPWF"),  # free marking: the tone key after the final consonant
    (Mode.VNI, "A1E6D-9QR7X", "ÁÊD-9QR7X"),  # a1 → á, e6 → ê; the dash ends the word, 9 stays a digit
    (Mode.VNI, "A1E6D9QR-7X", "ÁÊĐQR-7X"),  # the same code with the dash typed late: d9 → đ
]


@pytest.mark.parametrize(("mode", "keys", "shown"), COMPOSED)
def test_a_code_typed_with_the_input_method_on_is_read_as_the_keys_typed(mode: Mode, keys: str, shown: str) -> None:
    code = read_code(keys).code
    assert code is not None  # the keys are a good code (its check characters included)
    assert type_keys(keys, mode) == shown  # the model composes as the table says
    assert read_code(shown).problem is CodeProblem.INPUT_METHOD  # the protocol alone cannot read it
    assert read_typed_code(shown).code == code
    assert read_code(undo_input_method(shown) or "").code == code


@pytest.mark.parametrize("shown", [
    "ẼQA-DKKT5",  # VNI "E34QA-DKKT5": the 4 replaced the 3's tone, so a key is gone for good
    "Đ4KM-7NPQD",  # Telex "DD4KM-7NPQC" with its last character mistyped: no key sequence passes the check
    "Đ4Ư7Á-236",  # what the review saw for Telex "DD4W7-AS236": no keys of a good code give it in the model
    "ĐĐĐĐĐ",  # nothing like a code
])
def test_what_cannot_be_undone_stays_an_input_method_problem(shown: str) -> None:
    reading = read_typed_code(shown)
    assert reading.code is None and reading.problem is CodeProblem.INPUT_METHOD and reading.position == 1


def test_a_code_without_vietnamese_letters_reads_as_the_protocol_reads_it() -> None:
    code = with_check("7KQ3MZ4P")
    for typed in (code, display(code).lower(), display(code)[:-1] + "U", "ABC!E-FGHJK", ""):
        assert read_typed_code(typed) == read_code(typed)


def test_a_pasted_message_is_not_undone_whatever_its_letters() -> None:
    # Found by the review of this change: a whole Zalo message pasted into the field (18 letters of the ư family,
    # each read two ways in Telex) took 24 s on the GUI thread, at every keystroke after it.
    message = ("Chào anh, mã kích hoạt của cửa hàng Kim Phát là KK4G1-59HWB, anh nhập giúp em trước thứ Tư nhé. "
               "Nếu lỗi anh cứ gọi lại số đường dây nóng, em trực suốt tuần ạ.")
    assert undo_input_method(message) is None
    assert read_typed_code(message).code is None


def test_the_ways_of_reading_a_text_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each "ư" doubles the ways (Telex: "w", or "u" then "w"); a cap on the candidates of the right length did not
    # stop the ways of the wrong one. The work is counted, not timed (timing belongs to the benchmarks).
    import app.setup.typed_code as typed_code

    calls = [0]
    real = typed_code.code_characters

    def counted(text: str) -> str:
        calls[0] += 1
        return real(text)

    monkeypatch.setattr(typed_code, "code_characters", counted)
    assert undo_input_method("ư" * 20) is None  # 2**20 ways in Telex
    assert calls[0] <= 2 * typed_code._MAX_STEPS  # each method stops at its cap
