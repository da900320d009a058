"""The technician's bundle (CLI ``pmv-support bundle`` and the maintenance tab) on a real runtime and database."""

from __future__ import annotations

import zipfile
from pathlib import Path

from app.runtime import Runtime
from app.shop.demo import DemoShop
from app.technician.audit import AuditLog
from app.technician.support_bundle import write_support_bundle


def test_the_shops_own_number_stays_in_every_part(runtime: Runtime, demo_shop: DemoShop, tmp_path: Path) -> None:
    assert runtime.settings.shop.phone == "028 3822 1234"
    AuditLog(runtime.database).record("Nguyễn Văn Kỹ", "remote_session", "ok",
                                      note="gọi lại cửa hàng 028 3822 1234, không gọi khách 0987 654 321")
    (demo_shop.logs_dir / "pmv-zz-latest.log").write_text(
        "2026-11-25 09:00:00 INFO  Cửa hàng ĐT 028 3822 1234; Khách hàng: Trần Văn Hùng, STK 0071000123456\n",
        encoding="utf-8")
    result = write_support_bundle(runtime, tmp_path / "bundle.zip")
    with zipfile.ZipFile(result.path) as bundle:
        audit = bundle.read("audit.csv").decode("utf-8")
        pos_log = bundle.read("pos.log").decode("utf-8")
    assert "Nguyễn Văn Kỹ" in audit  # a technician, not a customer
    assert "gọi lại cửa hàng 028 3822 1234, không gọi khách [SĐT]" in audit
    assert "Cửa hàng ĐT 028 3822 1234; Khách hàng: Trần Văn H***, STK [STK]" in pos_log
    assert result.redacted >= 3


def test_a_bundle_cancelled_before_it_is_written_raises_the_one_cancelled_and_writes_nothing(
        runtime: Runtime, tmp_path: Path) -> None:
    import threading

    import pytest

    from app.infra.job_protocol import Cancelled

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        write_support_bundle(runtime, tmp_path / "bundle.zip", cancel=cancel)
    assert not (tmp_path / "bundle.zip").exists()
