"""A first-run world for the setup's tests: a till with a PMV install but no settings, and the vendor.

The POS is a demo shop placed where an install would be (``Program Files/PMV``, holding ``PMV.ini``);
the vendor is the real server on loopback with the shop registered, its contract signed and a fresh
enrolment code; the app is bootstrapped on an empty home (no settings file: a first start).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.bootstrap import bootstrap
from app.health.machine import MachineProbes
from app.infra.keys import load_trusted_keys
from app.infra.paths import AppPaths
from app.runtime import Runtime
from app.setup.devices_found import FoundDevices
from app.setup.environment import SetupEnvironment
from app.setup.pending import PendingEnrolment
from app.setup.pos_discovery import InstallPlaces
from app.shop.demo import create_demo_shop
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer, start_vendor_server
from vendor_server.contract_issue import issue_contract
from vendor_server.db import VendorDatabase
from vendor_server.enrolment import create_code
from vendor_server.shop_registry import register_shop

SHOP_TZ = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 25, 21, 0, tzinfo=SHOP_TZ)  # the demo shop's evening (tests/conftest.py DEMO_NOW)
SHOP_ID, SHOP_NAME = "KP-0001", "Tiệm vàng Kim Phát"
ADDRESS, PHONE = "12 Trần Phú, P. Lộc Thọ, Nha Trang", "0258 3822 111"


@dataclass
class SetupWorld:
    vendor: VendorServer
    clock: FixedClock
    install_dir: Path
    runtime: Runtime
    environment: SetupEnvironment
    code: str  # a fresh enrolment code for SHOP_ID, canonical

    def new_code(self, shop_id: str = SHOP_ID) -> str:
        return create_code(VendorDatabase(self.vendor.db_url), shop_id, now=self.clock(), created_by="tests").code


@contextmanager
def setup_world(tmp_path: Path, app_paths: AppPaths, *, contract: bool = True) -> Iterator[SetupWorld]:
    clock = FixedClock(NOW)
    # The demo shop's layout stands for an install: PMV\install (PMV.ini, version.txt) beside its pos, backups, logs.
    install_dir = create_demo_shop(tmp_path / "Program Files" / "PMV", now=NOW).install_dir
    (install_dir.parent / "settings.toml").unlink()  # the demo's own settings are not the app's: a first start
    with start_vendor_server(tmp_path / "vendor", clock=clock) as vendor:
        keys_file = vendor.trusted_keys_file()  # makes the vendor's keys, as pmv-vendor keys init does
        db = VendorDatabase(vendor.db_url)
        register_shop(db, SHOP_ID, SHOP_NAME, address=ADDRESS, phone=PHONE, now=clock())
        if contract:
            issue_contract(db, vendor.keys, shop_id=SHOP_ID, package="PMV-GOLD-PRO", warranty_months=12,
                           accepted_on=dt.date(2026, 1, 15), now=clock())
        code = create_code(db, SHOP_ID, now=clock(), created_by="tests").code
        db.engine.dispose()
        runtime = bootstrap(None, paths=app_paths, install_crash_handler=False, clock=clock,
                            machine=MachineProbes.fixed(cpu_percent=7.0, memory_percent=45.0))
        runtime.extra_key_files.append(keys_file)
        environment = SetupEnvironment(
            places=lambda: InstallPlaces(folders=(install_dir,)), vendor_url=vendor.base_url,
            trusted_keys=lambda: load_trusted_keys("contract", keys_file),
            pending=PendingEnrolment(runtime.paths.data_dir, runtime.token_store),
            devices=lambda: FoundDevices([], ["Godex G500"]), timeout=10)
        try:
            yield SetupWorld(vendor, clock, install_dir, runtime, environment, code)
        finally:
            runtime.database.close()
