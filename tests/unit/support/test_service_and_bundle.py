from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

from app.infra.settings import load_settings
from app.shop.demo import DemoShop
from app.storage.support_requests import AttachmentSource
from app.support.bundle import collect_parts, write_bundle
from app.support.models import AttachmentKind, Category, Channel, Severity
from app.support.redaction import RedactionKind
from app.support.service import FormField, FormProblem, RequestDraft, coverage_status, validate
from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import CoverageStatus

DRAFT = RequestDraft(Category.INCIDENT, Severity.CRITICAL, "  Không in được hóa đơn ", "", "Anh Tâm",
                     "0918 223 344", Channel.REMOTE)


def test_a_good_draft_is_cleaned_and_the_phone_normalised() -> None:
    new, errors = validate(DRAFT)
    assert errors == []
    assert new.title == "Không in được hóa đơn" and new.contact_phone == "+84918223344"


def test_each_bad_field_gets_its_own_error(tmp_path: Path) -> None:
    big = tmp_path / "video.mp4"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    draft = RequestDraft(Category.INCIDENT, Severity.NORMAL, " ", "x" * 10_001, "", "0123", Channel.PHONE)
    new, errors = validate(draft, [AttachmentSource(big, AttachmentKind.FILE),
                                   AttachmentSource(tmp_path / "gone.txt", AttachmentKind.FILE)])
    assert new is None
    found = {(e.field, e.problem) for e in errors}
    assert found == {
        (FormField.TITLE, FormProblem.REQUIRED), (FormField.DESCRIPTION, FormProblem.TOO_LONG),
        (FormField.CONTACT_NAME, FormProblem.REQUIRED), (FormField.CONTACT_PHONE, FormProblem.PHONE),
        (FormField.ATTACHMENTS, FormProblem.TOO_LARGE), (FormField.ATTACHMENTS, FormProblem.UNREADABLE),
    }


def test_coverage_for_a_request_uses_the_vietnamese_date() -> None:
    contract = Contract("KP", "Kim Phát", "PMV", 12, dt.date(2025, 11, 25), (), dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    calendar = WorkingCalendar.default()
    # 18:00 UTC on 25/11/2026 is already 26/11 in Hồ Chí Minh City: one day after the warranty's last day.
    assert coverage_status(contract, dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC), calendar) \
        is CoverageStatus.WARRANTY
    assert coverage_status(contract, dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC), calendar) \
        is CoverageStatus.EXPIRED
    assert coverage_status(None, dt.datetime(2026, 11, 25, tzinfo=dt.UTC), calendar) is CoverageStatus.EXPIRED


def test_the_tills_estimate_answers_a_contract_in_force_inside_the_warranty_as_priority(tmp_path: Path) -> None:
    # DESIGN.md, "Domain rules": priority when a maintenance contract covers the day, even inside the warranty;
    # priority customers get 2 working hours for high, warranty customers 4.
    from app.storage.db import Database
    from app.storage.support_requests import SupportRepository
    from app.support.models import NewRequest
    from app.support.service import raise_request
    from pmv_protocol.contract import MaintenanceContract

    hcm = dt.timezone(dt.timedelta(hours=7))
    contract = Contract("KP", "Kim Phát", "PMV", 12, dt.date(2026, 1, 15),
                        (MaintenanceContract(dt.date(2026, 6, 1), dt.date(2027, 5, 31), "gold"),),
                        dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    db, _ = Database.open(tmp_path / "app.sqlite3")
    repo = SupportRepository(db, tmp_path / "outbox")
    new = NewRequest(Category.INCIDENT, Severity.HIGH, "Máy in tem không in", "Từ sáng nay", "Chị Lan",
                     "+84903112233", Channel.PHONE)
    try:
        before = raise_request(repo, new, contract=contract, calendar=WorkingCalendar.default(),
                               opened_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=hcm))
        during = raise_request(repo, new, contract=contract, calendar=WorkingCalendar.default(),
                               opened_at=dt.datetime(2026, 7, 6, 10, 0, tzinfo=hcm))
    finally:
        db.close()
    assert before.response_due_at == dt.datetime(2026, 3, 2, 15, 30, tzinfo=hcm)  # warranty only: 4 h
    assert during.response_due_at == dt.datetime(2026, 7, 6, 12, 0, tzinfo=hcm)  # a contract in force: 2 h
    assert during.coverage == "warranty"  # what the manager sees stays the warranty


def test_bundle_is_redacted_previewable_and_parts_can_be_left_out(demo_shop: DemoShop, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026-11-25 08:00:01 INFO  app: gửi tới https://admin:matkhau123@pmv.example/api?token=abc123\n"
        "2026-11-25 08:00:02 INFO  app: khách 0903 112 233, CCCD 079123456789, email lan@example.com\n"
        "2026-11-25 08:00:03 INFO  app: người liên hệ 0918 223 344\n",
        encoding="utf-8",
    )
    settings = load_settings(demo_shop.settings_file).settings
    parts = collect_parts(settings, log, keep_phones=["+84918223344"])
    by_key = {part.key: part for part in parts}
    assert {"app_log", "pos_log", "settings", "system", "devices"} <= set(by_key)
    app_log = by_key["app_log"].text
    for secret in ("matkhau123", "abc123", "0903 112 233", "079123456789", "lan@example.com"):
        assert secret not in app_log
    assert "0918 223 344" in app_log  # the contact's own number stays
    assert sum(by_key["app_log"].redactions.values()) >= 5
    assert json.loads(by_key["system"].text)["pos_version"] == "5.8.2"
    assert "Máy in tem" in by_key["pos_log"].text  # the demo POS log's warning is there

    target = write_bundle(parts, tmp_path / "out" / "chan-doan.zip", included={"app_log", "system"})
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert names == ["app.log", "manifest.json", "system.json"]
    assert sorted(manifest["left_out"]) == ["devices", "pos_log", "settings"]
    assert not list((tmp_path / "out").glob("*.partial"))


def test_bundle_keeps_the_shops_own_numbers_and_masks_customers_in_pos_logs(demo_shop: DemoShop) -> None:
    """Issue 18: the shop's phone used to come out as [SĐT]; customers' names and accounts went out whole."""
    from app.updates.compliance import mask_name

    settings = load_settings(demo_shop.settings_file).settings
    assert settings.shop.phone == "028 3822 1234"  # the demo shop's own number
    log = demo_shop.logs_dir / "pmv-zz-latest.log"  # sorts last: the newest POS log
    log.write_text(
        "2026-11-25 09:01:00 INFO  In hóa đơn HD-2026-000123, cửa hàng ĐT 028 3822 1234\n"
        "2026-11-25 09:02:00 INFO  Khách Nguyễn Thị Lan (KH0001) chuyển khoản 20.000.000 đ, "
        "STK 0071000123456 Vietcombank, ĐT 0987 654 321\n"
        "2026-11-25 09:03:00 INFO  Liên hệ kỹ thuật: anh Tâm 0918 223 344, hotline 1900 6037\n",
        encoding="utf-8",
    )
    parts = {part.key: part for part in collect_parts(settings, None, keep_phones=["+84918223344"])}
    pos_log = parts["pos_log"].text
    assert "cửa hàng ĐT 028 3822 1234" in pos_log  # the shop's own number
    assert "anh Tâm 0918 223 344, hotline 1900 6037" in pos_log  # the contact's, and the hotline
    assert mask_name("Nguyễn Thị Lan") == "Nguyễn Thị L***"  # as the compliance check shows her
    assert "Khách Nguyễn Thị L*** (KH0001)" in pos_log
    assert "STK [STK] Vietcombank, ĐT [SĐT]" in pos_log
    assert "HD-2026-000123" in pos_log and "20.000.000 đ" in pos_log
    for leaked in ("Nguyễn Thị Lan", "0071000123456", "0987 654 321"):
        assert leaked not in pos_log
    redactions = parts["pos_log"].redactions
    assert (redactions[RedactionKind.CUSTOMER_NAME], redactions[RedactionKind.BANK_ACCOUNT],
            redactions[RedactionKind.PHONE]) == (1, 1, 1)
    assert json.loads(parts["settings"].text)["shop"]["phone"] == "028 3822 1234"


def test_the_health_report_goes_out_redacted_in_the_json_and_the_pdf(demo_shop: DemoShop, tmp_path: Path) -> None:
    """The log check quotes POS log lines in its summary and details: the cashier's request sent them whole in
    health.json (the same line masked in pos.log beside it) and in the PDF, with a manifest saying nothing was
    hidden."""
    from app.health.model import CheckResult, HealthReport, Status
    from app.health.output import to_json
    from app.support.bundle import BundlePart, redacted_report

    line = "In hóa đơn thất bại: Khách Nguyễn Thị Lan, STK 0071000123456 Vietcombank, ĐT 0987 654 321"
    at = dt.datetime(2026, 11, 25, 3, tzinfo=dt.UTC)
    report = HealthReport(at, at, (CheckResult("pos.log.errors", Status.WARNING, f"1 lỗi; gần nhất: {line}",
                                               f"10:12 ERROR {line} (pmv.log)"),
                                   CheckResult("disk.free", Status.OK, "Còn 120 GB")), {})
    settings = load_settings(demo_shop.settings_file).settings
    raw = BundlePart("health_report", "health.json", to_json(report, {}))
    (part,) = [p for p in collect_parts(settings, None, extra=[raw]) if p.key == "health_report"]
    for leaked in ("Nguyễn Thị Lan", "0071000123456", "0987 654 321"):
        assert leaked not in part.text
    assert "Khách Nguyễn Thị L***" in part.text and "In hóa đơn thất bại" in part.text
    assert part.redactions[RedactionKind.CUSTOMER_NAME] == 2  # the summary and the details
    shown = redacted_report(report, [])
    for item in shown.results:
        for leaked in ("Nguyễn Thị Lan", "0071000123456", "0987 654 321"):
            assert leaked not in str(item.summary) and leaked not in item.details
    assert shown.results[1] == report.results[1]  # nothing to hide: the same result (its phrase kept)
