"""Filling values into translated texts: one pass, Qt's markers, nothing filled twice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app import HOTLINE
from app.ui.i18n import Translators, tr_args, translate

ROOT = Path(__file__).resolve().parents[2]


def test_the_values_go_in_by_number_not_by_position() -> None:
    assert tr_args("%1 giờ %2 phút", 1, 30) == "1 giờ 30 phút"
    # A translation may put them in another order, or use one twice.
    assert tr_args("%2 minutes past %1", 9, 30) == "30 minutes past 9"
    assert tr_args("Bản %1 không chạy được; bản %1 sẽ không được cài lại.", "2.1") == (
        "Bản 2.1 không chạy được; bản 2.1 sẽ không được cài lại.")


def test_a_value_holding_a_marker_is_never_filled_in_again() -> None:
    # A chain of .replace("%1", …).replace("%2", …) would put "10 MB" inside the path.
    assert tr_args("Tệp %1 lớn hơn %2.", r"C:\%2\hoa-don.pdf", "10 MB") == r"Tệp C:\%2\hoa-don.pdf lớn hơn 10 MB."
    assert tr_args("Kỹ thuật viên: %1 – còn %2 phút", "Anh %1", 12) == "Kỹ thuật viên: Anh %1 – còn 12 phút"


def test_a_percent_sign_and_a_marker_without_a_value_stay_as_written() -> None:
    assert tr_args("Thuế GTGT %1% cho %2", 10, "vàng trang sức") == "Thuế GTGT 10% cho vàng trang sức"
    assert tr_args("Đã lưu tờ mã thử: %1 – in ở 100%.", "ma-thu.pdf") == "Đã lưu tờ mã thử: ma-thu.pdf – in ở 100%."
    assert tr_args("%1 phiên bản %2", "vat-2026") == "vat-2026 phiên bản %2"


def test_values_are_written_as_str_writes_them_and_markers_go_past_nine() -> None:
    assert tr_args("%1 tem trong %2 giây (%3)", 25, 1.5, Path("tem")) == "25 tem trong 1.5 giây (tem)"
    assert tr_args("%10 / %1", *range(1, 11)) == "10 / 1"


def test_translate_looks_the_words_up_when_it_is_called(qapp: QApplication) -> None:
    translators = Translators()
    try:
        assert translators.install(qapp, "en")
        assert translate("WarrantyTexts", "Đang bảo hành") == "Under warranty"
    finally:
        translators.install(qapp, "vi")
    assert translate("WarrantyTexts", "Đang bảo hành") == "Đang bảo hành"


def test_no_visible_string_spells_out_the_hotline() -> None:
    """The words take the number from app.HOTLINE (through %N), so it is changed in one place."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "app" / "ui").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HOTLINE in line
    ]
    assert offenders == []
