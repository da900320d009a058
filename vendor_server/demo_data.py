"""``pmv-vendor demo-data``: a vendor a newcomer can click through: staff, shops, contracts, tickets, and an
enrolment code for a shop whose till has no install yet.

Everything goes through the server's own services (contracts signed with the data folder's keys, tickets made
as the API makes them, staff and shop acts as the console and the shop's app make them), so the console shows
what it would show for real shops.  The staff accounts' passwords are printed, with their TOTP secrets for an
authenticator app; never use this on a real vendor database (it refuses one that already has staff).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

from pmv_protocol import HOTLINE
from pmv_protocol.coverage import add_months
from pmv_protocol.remote_note import NOTE_FILE, note_json
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.thread import NewDecision
from pmv_protocol.wire import NewTicket
from vendor_server import staff_acts
from vendor_server.attachments import store_vendor_file
from vendor_server.console.accounts import Role, add_staff, list_staff, totp_uri
from vendor_server.contract_issue import issue_contract
from vendor_server.db import Shop, VendorDatabase
from vendor_server.enrolment import create_code
from vendor_server.keys import VendorKeys
from vendor_server.shop_acts import post_decision
from vendor_server.shop_registry import register_shop
from vendor_server.tickets import create_ticket

DEMO_PASSWORD = "pmv-demo-2026"
STAFF = (("quanly", "Phạm Lan", Role.ADMIN), ("kythuat", "Trần Minh", Role.TECHNICIAN),
         ("hotro", "Nguyễn Thu Hà", Role.AGENT))
# shop id, name, accepted how many days ago, warranty months, maintenance after the warranty, address, phone
SHOPS = (("KIMPHAT-01", "Tiệm vàng Kim Phát", 40, 12, False, "125 Lê Lợi, Phường Bến Thành, Quận 1, TP.HCM",
          "0283 999 1234"),
         ("BAOTIN-02", "Tiệm vàng Bảo Tín Quận 5", 200, 6, True, "48 Trần Hưng Đạo, Phường 6, Quận 5, TP.HCM",
          "0283 855 6789"),
         ("NGOCTHAM-03", "Vàng bạc Ngọc Thẩm", 330, 12, False, "7 Hai Bà Trưng, Phường Bến Nghé, Quận 1, TP.HCM",
          "0283 822 4455"),
         ("PHUQUY-04", "Tiệm vàng Phú Quý", 800, 12, False, "30 Hàng Bạc, Hoàn Kiếm, Hà Nội", "0243 826 7788"),
         ("MYHANH-05", "Tiệm vàng Mỹ Hạnh", 15, 12, False, "210 đường 30/4, Ninh Kiều, Cần Thơ", "0292 381 2233"))
# A shop signed up this week whose till has no install yet: the demo prints an enrolment code for it.
NEW_SHOP = ("HOANGKIM-06", "Tiệm vàng Hoàng Kim", "15 Nguyễn Huệ, Phường Vĩnh Ninh, TP. Huế", "0234 382 5566")
# shop, severity, title, description, opened how many minutes ago
TICKETS = (
    ("KIMPHAT-01", "critical", "Máy bán hàng không mở được phần mềm", "Sáng nay mở phần mềm báo lỗi cơ sở dữ liệu, "
     "không bán được hàng.", 70),
    ("BAOTIN-02", "high", "Giá vàng không cập nhật từ 9 giờ", "Bảng giá vẫn là giá hôm qua.", 200),
    ("NGOCTHAM-03", "normal", "Máy in tem in mờ", "Tem nhẫn in ra mờ, máy quét không đọc được.", 30),
    ("KIMPHAT-01", "normal", "Hỏi về giới hạn thanh toán tiền mặt 20 triệu", "Khách mua 25 triệu trả tiền mặt "
     "được không?", 1500),
    ("MYHANH-05", "high", "<script>alert('x')</script> tiêu đề lạ", "Khách gõ nhầm vào ô tiêu đề.", 10),
    ("PHUQUY-04", "normal", "Cài lại phần mềm sang máy mới", "Cửa hàng đổi máy tính.", 90),
)


def _bundle(now: dt.datetime) -> bytes:
    """A diagnostics zip as the shop's app writes one (app/support/bundle.py): manifest, checks, logs, system."""
    health = {"verdict": "critical", "started_at": now.isoformat(), "finished_at": now.isoformat(), "results": [
        {"id": "pos.database", "title": "Cơ sở dữ liệu bán hàng", "status": "critical",
         "summary": "Không mở được tệp dữ liệu: database disk image is malformed", "details": "",
         "remedy": {"code": "pos.database_corrupt", "steps": f"1. Đóng phần mềm bán hàng.\n2. Gọi {HOTLINE} để "
                    "kỹ thuật viên khôi phục từ bản sao lưu gần nhất."}, "metrics": [], "duration_ms": 40},
        {"id": "backup.recent", "title": "Sao lưu", "status": "warning", "summary": "Bản sao lưu gần nhất cách đây "
         "3 ngày", "details": "", "remedy": None, "metrics": [], "duration_ms": 12},
        {"id": "clock.skew", "title": "Đồng hồ máy tính", "status": "ok", "summary": "Lệch 2 giây", "details": "",
         "remedy": None, "metrics": [], "duration_ms": 300}]}
    system = {"app": "PMV Support Assistant 1.4.0", "platform": "Windows-10-10.0.19045-SP0", "pos_version": "5.2.1",
              "local_time": now.astimezone(SHOP_TZ).isoformat(timespec="seconds"),
              "disks": {"pos_database": {"free_bytes": 12 * 1024 ** 3, "total_bytes": 237 * 1024 ** 3}},
              "packs": [{"id": "nd-232-2025", "version": "1.1.0", "title": "Nghị định 232/2025/NĐ-CP"},
                        {"id": "lich-lam-viec-2026", "version": "1.0.0", "title": "Lịch làm việc 2026"}]}
    log = "\n".join(f"2026-03-10 08:{m:02d}:00 INFO pos: bán hàng hóa đơn HD{m:04d}" for m in range(40))
    log += "\n2026-03-10 08:41:12 ERROR pos.db: database disk image is malformed (SQLITE_CORRUPT)\n"
    members = {"health.json": json.dumps(health, ensure_ascii=False, indent=2), "app.log": log,
               "system.json": json.dumps(system, ensure_ascii=False, indent=2),
               "settings.json": json.dumps({"shop": {"name": "Tiệm vàng Kim Phát", "phone": "0283 999 1234"},
                                            "pos": {"database": "C:\\PMV\\data\\pmv.db"}}, ensure_ascii=False,
                                           indent=2),
               "devices.json": json.dumps([{"device": "COM3", "description": "Honeywell 1900 (quét mã vạch)",
                                            "hwid": "USB VID:PID=0C2E:0B61"}], ensure_ascii=False)}
    manifest = {"app": system["app"], "created_at": now.isoformat(), "left_out": [],
                "parts": [{"key": name.split(".")[0], "file": name, "redactions": {}} for name in members]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _attach(db: VendorDatabase, ticket_id: int, root: Path, name: str, content: bytes, now: dt.datetime) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / name
        source.write_bytes(content)
        with db.sessions.begin() as session:
            store_vendor_file(session, ticket_id, source, root, now=now)


def maintenance_year(accepted: dt.date, warranty_months: int) -> dict[str, str]:
    """A year of maintenance from the day after the warranty's last day (no day uncovered between them)."""
    start = add_months(accepted, warranty_months) + dt.timedelta(days=1)  # pmv_protocol.coverage.warranty_end
    end = add_months(start, 12) - dt.timedelta(days=1)
    return {"start": start.isoformat(), "end": end.isoformat(), "tier": "standard"}


def seed(db: VendorDatabase, data: Path, keys: Path, now: dt.datetime) -> dict[str, Any]:
    """Fill an empty vendor database; returns what to print (logins, passwords, TOTP secrets, shop tokens, and
    the new shop's enrolment code)."""
    if list_staff(db):
        raise ValueError("this database already has staff accounts: demo data goes into a new one only")
    VendorKeys(keys).init()
    staff = []
    for login, name, role in STAFF:
        _account, secret = add_staff(db, login, name, role, DEMO_PASSWORD, now=now)
        staff.append({"login": login, "name": name, "role": role.value, "password": DEMO_PASSWORD,
                      "totp_secret": secret, "totp_uri": totp_uri(secret, login)})
    tokens = {}
    today = now.astimezone(SHOP_TZ).date()
    for shop_id, name, days_ago, months, maintenance, address, phone in SHOPS:
        tokens[shop_id] = db.add_shop(shop_id, name, address=address, phone=phone)
        accepted = today - dt.timedelta(days=days_ago)
        periods = [maintenance_year(accepted, months)] if maintenance else []
        issue_contract(db, keys, shop_id=shop_id, package="PMV-GOLD-PRO", warranty_months=months,
                       accepted_on=accepted, maintenance=periods, now=now)
    root = data / "attachments"
    numbers = []
    for index, (shop_id, severity, title, description, minutes) in enumerate(TICKETS):
        with db.sessions() as session:
            shop = session.query(Shop).filter(Shop.shop_id == shop_id).one()
        opened = now - dt.timedelta(minutes=minutes)
        record, _created = create_ticket(db, shop, str(uuid.uuid4()), NewTicket(
            category="incident", severity=severity, title=title, description=description,  # type: ignore[arg-type]
            contact_name="Chị Lan", contact_phone="0903112233", channel="remote",  # type: ignore[arg-type]
            opened_at=opened, app_version="1.4.0"), now=opened)
        numbers.append(record.number)
        if index == 0:
            _attach(db, record.id, root, f"chan-doan-{opened:%Y%m%d-%H%M}.zip", _bundle(opened), opened)
            _attach(db, record.id, root, NOTE_FILE, note_json("ultraviewer", "UltraViewer", "123456789").encode(),
                    opened)
        if index == 3:  # a conversation: a proposal the shop refused
            staff_acts.reply(db, record.number, staff="Nguyễn Thu Hà", text="Chào chị, em xem giúp chị ngay.",
                             attachments_root=root, now=opened + dt.timedelta(minutes=20))
            staff_acts.propose(db, record.number, staff="Nguyễn Thu Hà", kind="phone",
                               text="Em đã gọi hướng dẫn: tổng tiền mặt trong ngày của một khách dưới 20 triệu.",
                               now=opened + dt.timedelta(minutes=60))
            post_decision(db, shop, record.id, str(uuid.uuid4()), NewDecision(
                author_name="Chị Lan", at=opened + dt.timedelta(minutes=300), decision="refuse",  # type: ignore[arg-type]
                reason="Khách trả bằng hai hóa đơn thì sao? Phần mềm vẫn cho bán."),
                now=opened + dt.timedelta(minutes=300))
    return {"staff": staff, "shops": tokens, "tickets": numbers, "enrolment": _new_shop(db, keys, now)}


def _new_shop(db: VendorDatabase, keys: Path, now: dt.datetime) -> dict[str, str]:
    """The shop without an install: registered, its contract issued, and a fresh code to enrol its till with."""
    shop_id, name, address, phone = NEW_SHOP
    register_shop(db, shop_id, name, address=address, phone=phone, now=now)
    issue_contract(db, keys, shop_id=shop_id, package="PMV-GOLD-PRO", warranty_months=12,
                   accepted_on=now.astimezone(SHOP_TZ).date() - dt.timedelta(days=2), now=now)
    issued = create_code(db, shop_id, now=now, created_by="cli")
    return {"shop_id": shop_id, "code": issued.shown,
            "expires": issued.expires_at.astimezone(SHOP_TZ).strftime("%d/%m/%Y %H:%M")}
