"""``pmv-support updates import DIR`` as a technician runs it, on the demo shop and the demo vendor's repository.

Demo mode trusts the demo vendor's root (app/demo_vendor.py): the copies here are that repository, exported
with the vendor's ``export-offline``, as published or re-signed by the vendor's tool with a clock 40 days back.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.infra.paths import AppPaths
from pmv_protocol.shop_time import SHOP_TZ
from tests.helpers import FixedClock
from vendor_server import tuf_repo
from vendor_server.releases.offline import export_offline

pytestmark = pytest.mark.integration


def demo_vendor(app_home: Path) -> Path:
    """The demo vendor's folder (its repository in tuf/, keys in tuf-keys/), made by a first demo command."""
    assert main(["--demo", "updates", "list"]) == 0
    return AppPaths.default().data_dir / "demo" / "demo-vendor"


def export(vendor: Path, dest: Path) -> Path:
    """``pmv-vendor repo export-offline DEST`` on the vendor folder's repository."""
    export_offline(tuf_repo.VendorRepository(vendor / "tuf", vendor / "tuf-keys"), dest, now=dt.datetime.now(dt.UTC))
    return dest


def test_a_good_copy_is_installed_and_reported_as_json(app_home: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    copy = export(demo_vendor(app_home), tmp_path / "usb")
    capsys.readouterr()
    assert main(["--demo", "updates", "import", str(copy), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"] == "usb"
    assert {(p["id"], p["version"]) for p in report["installed"]} == {
        ("nd-232-2025", "1.1.0"), ("vendor-calendar-2026", "1.0.0"), ("vendor-calendar-2027", "1.0.1")}
    assert report["held_back"] == [] and report["app_update"] is None
    # Again: verified, nothing new.
    assert main(["--demo", "updates", "import", str(copy)]) == 0
    assert json.loads(capsys.readouterr().out)["installed"] == []


def test_a_stale_copy_is_refused_with_its_expiry_date_and_age(app_home: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    vendor = demo_vendor(app_home)
    scratch = tmp_path / "vendor"
    shutil.copytree(vendor / "tuf", scratch / "tuf")
    shutil.copytree(vendor / "tuf-keys", scratch / "tuf-keys")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)  # python-tuf's freeze check reads the real clock
    made = now - dt.timedelta(days=40)
    tuf_repo.refresh(scratch / "tuf", scratch / "tuf-keys", now=made)  # a copy re-signed 40 days ago
    copy = export(scratch, tmp_path / "usb")
    expired = (made + dt.timedelta(days=tuf_repo.DEFAULT_EXPIRY_DAYS["timestamp"])).astimezone(SHOP_TZ).date()
    days = (now.astimezone(SHOP_TZ).date() - expired).days
    capsys.readouterr()

    assert main(["--demo", "updates", "import", str(copy)], clock=FixedClock(now)) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"pmv-support: lỗi: Bản cập nhật trên USB đã hết hạn từ {expired:%d/%m/%Y} ({days} ngày trước); "
                   "không cài gì. Hãy xin nhà cung cấp một bản mới (pmv-vendor repo export-offline)."]
    assert main(["--demo", "updates", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # nothing was installed


def test_a_copy_from_another_vendor_is_said_not_to_be_yours(app_home: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    demo_vendor(app_home)
    tuf_repo.init_repo(tmp_path / "other" / "tuf", tmp_path / "other" / "tuf-keys")
    copy = export(tmp_path / "other", tmp_path / "usb")
    capsys.readouterr()
    assert main(["--lang", "en", "--demo", "updates", "import", str(copy)]) == 1
    assert capsys.readouterr().err.startswith("pmv-support: error: The update copy on the USB stick is not from "
                                              "your vendor")
