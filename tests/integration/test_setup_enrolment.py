"""First-run setup against the real vendor server: enrol with a code, write the first settings, run the check.

The wizard and ``pmv-support setup`` share :func:`app.setup.headless.run_setup`'s parts; this drives the
headless path in process (the vendor's test keys are trusted through the environment) and the real
command line in a subprocess (a shop whose contract is not issued yet, so the shipped keys suffice).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.infra.paths import AppPaths
from app.infra.settings import load_settings
from app.setup.enrolment import EnrolFailure, EnrolmentError
from app.setup.headless import HeadlessRequest, SetupNotWritten, run_setup
from pmv_protocol.enrolment_codes import display
from tests.setup_world import ADDRESS, PHONE, SHOP_ID, SHOP_NAME, SetupWorld, setup_world

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_os_keyring")]



def test_a_good_code_sets_the_shop_up_and_the_first_check_runs(tmp_path: Path, app_paths: AppPaths) -> None:
    with setup_world(tmp_path, app_paths) as world:
        runtime = world.runtime
        assert not runtime.paths.settings_file.exists()  # a first start
        outcome = run_setup(runtime, world.environment,
                            HeadlessRequest(code=world.code, vendor_url=world.vendor.base_url))

        settings = load_settings(runtime.paths.settings_file).settings
        assert (settings.shop.shop_id, settings.shop.name, settings.shop.address, settings.shop.phone) == (
            SHOP_ID, SHOP_NAME, ADDRESS, PHONE)
        assert settings.pos.install_dir == world.install_dir
        assert settings.pos.database == world.install_dir.parent / "pos" / "pmv.sqlite3"
        token = runtime.token_store.get()
        assert token and token not in runtime.paths.settings_file.read_text(encoding="utf-8")
        contract = runtime.contract_service().current()  # verified against the vendor's key, for this shop
        assert contract is not None and contract.shop_id == SHOP_ID and contract.package_code == "PMV-GOLD-PRO"
        assert outcome.proof.ok and outcome.proof.pos_version == "5.8.2"
        assert {r.check_id for r in outcome.report.results} >= {"pos.db.connect", "warranty.coverage"}
        pos = next(r for r in outcome.report.results if r.check_id == "pos.db.connect")
        assert pos.status.value == "ok", pos.summary
        # The token works: the app's own client fetches the contract with it.
        assert json.loads(runtime.vendor_client().get_contract())["payload"]["shop_id"] == SHOP_ID


def test_an_answer_that_cannot_be_kept_still_sets_the_shop_up(tmp_path: Path, app_paths: AppPaths) -> None:
    """Found by an independent review: with the kept answer's folder refused, setup stopped with "nothing was
    changed" although the code was spent; the next try was refused ("đã được dùng") and the shop needed a new
    code.  The folder here is a file where ``data/setup`` goes: the OS refuses the write, as a locked folder does."""
    with setup_world(tmp_path, app_paths) as world:
        runtime = world.runtime
        world.environment.pending.file.parent.parent.mkdir(parents=True, exist_ok=True)
        world.environment.pending.file.parent.write_bytes(b"")
        outcome = run_setup(runtime, world.environment, HeadlessRequest(code=world.code,
                                                                       vendor_url=world.vendor.base_url))
        assert outcome.shop.shop_id == SHOP_ID
        assert load_settings(runtime.paths.settings_file).settings.shop.phone == PHONE
        assert runtime.token_store.get() and runtime.contract_service().current() is not None


def _enrol_attempts(world: SetupWorld) -> int:
    """The tries of a code the vendor's server recorded (it records every one, whatever came of it)."""
    from vendor_server.db import VendorDatabase
    from vendor_server.enrolment_tables import EnrolmentAttempt

    vendor = VendorDatabase(world.vendor.db_url)
    try:
        with vendor.sessions() as session:
            return session.query(EnrolmentAttempt).count()
    finally:
        vendor.engine.dispose()


def test_the_same_setup_command_run_again_after_the_settings_could_not_be_written_finishes(
        tmp_path: Path, app_paths: AppPaths) -> None:
    """Found by review: ``setup --enrol CODE`` spent the code, could not write the settings and said "Không có gì bị
    thay đổi"; the same command run again later was refused "already used", although the enrolment was kept in
    the data folder.  Now the failure says the enrolment is kept, and the same command finishes with it."""
    with setup_world(tmp_path, app_paths, contract=False) as world:
        home = tmp_path / "cli-home"
        env = {**os.environ, "PMV_SUPPORT_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        blocked = home / "config" / "settings.toml"
        blocked.mkdir(parents=True)  # a folder where the settings file goes: the system refuses the write
        command = ["setup", "--pos-dir", str(world.install_dir), "--enrol", display(world.code), "--vendor-url",
                   world.vendor.base_url]

        def run(now: dt.datetime) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "tests.cli_fixed_world", now.isoformat(), *command],
                                  capture_output=True, text=True, env=env, timeout=120)

        first = run(world.clock())
        assert first.returncode == 1 and first.stdout == ""
        said = first.stderr.strip().splitlines()[-1]
        assert "đã được kích hoạt và việc kích hoạt được giữ lại" in said and "chạy lại đúng lệnh này" in said
        assert "Không có gì bị thay đổi" not in said
        blocked.rmdir()  # the technician fixes the folder, and comes back later
        world.clock.advance(hours=2)  # past the hour in which the server would answer the same install again
        again = run(world.clock())
        assert again.returncode == 0, again.stderr
        report = json.loads(again.stdout)
        assert report["shop"]["shop_id"] == SHOP_ID and report["shop"]["phone"] == PHONE
        assert load_settings(Path(report["settings_file"])).settings.shop.shop_id == SHOP_ID
        assert _enrol_attempts(world) == 1  # the kept enrolment, not the server (which would say "already used")


def test_a_setup_that_could_not_keep_the_enrolment_nor_write_the_settings_says_the_code_is_spent(
        tmp_path: Path, app_paths: AppPaths) -> None:
    with setup_world(tmp_path, app_paths) as world:
        runtime = world.runtime
        world.environment.pending.file.parent.parent.mkdir(parents=True, exist_ok=True)
        world.environment.pending.file.parent.write_bytes(b"")  # the data folder refuses the kept enrolment
        blocker = tmp_path / "not-a-folder"
        blocker.write_bytes(b"")
        runtime.loaded = dataclasses.replace(runtime.loaded, path=blocker / "settings.toml")  # and the settings
        with pytest.raises(SetupNotWritten) as failed:
            run_setup(runtime, world.environment, HeadlessRequest(code=world.code))
        assert failed.value.kept is False
        assert failed.value.errno == failed.value.error.errno is not None  # what the system said, for the CLI's words


def test_an_enrolment_kept_by_an_earlier_version_is_never_taken_for_a_used_codes(
        tmp_path: Path, app_paths: AppPaths) -> None:
    """An enrolment kept before the code was recorded with it proves nothing about a code the server says is used:
    falling back to it set a till up as the kept shop when another shop's code (used elsewhere) was typed (found
    by the review of this change). The setup run without a code finishes it, as before."""
    with setup_world(tmp_path, app_paths) as world:
        kept = world.environment.enrol(world.code)
        world.environment.pending.keep(kept)  # as the earlier version kept it: without the code
        world.clock.advance(hours=2)  # past the replay window: the server refuses the code as used
        with pytest.raises(EnrolmentError) as refused:
            run_setup(world.runtime, world.environment, HeadlessRequest(code=world.code))
        assert refused.value.failure is EnrolFailure.USED
        assert not world.runtime.paths.settings_file.exists()
        outcome = run_setup(world.runtime, world.environment, HeadlessRequest())
        assert outcome.shop.shop_id == SHOP_ID and world.runtime.token_store.get() == kept.token
        assert _enrol_attempts(world) == 2


def test_a_second_use_of_the_code_is_refused_and_nothing_is_written(tmp_path: Path, app_paths: AppPaths) -> None:
    with setup_world(tmp_path, app_paths) as world:
        world.environment.enrol(world.code)
        world.environment.pending.forget()
        with pytest.raises(EnrolmentError) as refused:
            run_setup(world.runtime, world.environment, HeadlessRequest(code=world.code))
        assert refused.value.failure is EnrolFailure.USED
        assert not world.runtime.paths.settings_file.exists()


def test_expired_foreign_and_mistyped_codes_are_refused(tmp_path: Path, app_paths: AppPaths) -> None:
    with setup_world(tmp_path, app_paths) as world:
        env = world.environment
        typo = world.code[:6] + ("0" if world.code[6] != "0" else "1") + world.code[7:]
        with pytest.raises(EnrolmentError) as wrong:
            env.enrol(typo)
        assert (wrong.value.failure, wrong.value.position) == (EnrolFailure.FORMAT, 7)  # named before sending
        # Another shop's code enrols that shop, never this one (the code is bound to its shop).
        from vendor_server.db import VendorDatabase
        from vendor_server.shop_registry import register_shop

        register_shop(VendorDatabase(world.vendor.db_url), "KP-0002", "Tiệm vàng Bảo Tín", now=world.clock())
        other = env.enrol(world.new_code("KP-0002"))
        assert other.shop_id == "KP-0002" and other.contract is None
        world.clock.advance(hours=72, seconds=1)
        with pytest.raises(EnrolmentError) as expired:
            env.enrol(world.code)
        assert expired.value.failure is EnrolFailure.EXPIRED


def test_the_kept_enrolment_finishes_a_setup_cancelled_after_enrolling(tmp_path: Path, app_paths: AppPaths) -> None:
    with setup_world(tmp_path, app_paths) as world:
        world.environment.enrol(world.code)  # the wizard enrolled, then the technician cancelled
        assert not world.runtime.paths.settings_file.exists()
        outcome = run_setup(world.runtime, world.environment, HeadlessRequest(pos_dir=world.install_dir))
        assert outcome.shop.shop_id == SHOP_ID
        assert not world.environment.pending.file.exists()


def test_the_command_line_sets_a_shop_up_headless(tmp_path: Path, app_paths: AppPaths) -> None:
    with setup_world(tmp_path, app_paths, contract=False) as world:
        home = tmp_path / "cli-home"
        env = {**os.environ, "PMV_SUPPORT_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        ran = subprocess.run([sys.executable, "-m", "tests.cli_fixed_world", "2026-11-25T21:00:00+07:00", "setup",
                              "--pos-dir", str(world.install_dir), "--enrol", world.code.lower(),
                              "--vendor-url", world.vendor.base_url], capture_output=True, text=True, env=env,
                             timeout=120)
        assert ran.returncode == 0, ran.stderr
        report = json.loads(ran.stdout)
        assert report["shop"]["shop_id"] == SHOP_ID and report["contract"] is None
        assert report["pos"]["version"] == "5.8.2"
        written = load_settings(Path(report["settings_file"])).settings
        assert written.vendor.base_url == world.vendor.base_url and written.shop.phone == PHONE
        again = subprocess.run([sys.executable, "-m", "app", "setup", "--pos-dir", str(world.install_dir),
                                "--enrol", world.code, "--vendor-url", world.vendor.base_url],
                               capture_output=True, text=True, env=env, timeout=120)
        assert again.returncode == 1 and "đã được dùng" in again.stderr and "1900 6037" in again.stderr


def test_an_answer_lost_on_the_way_is_sent_again_to_the_same_install(tmp_path: Path, app_paths: AppPaths) -> None:
    """Found by an independent review: the server spent the code and replaced the token, the answer never
    arrived, and the next try was refused as "already used": the shop could not be set up without a new code.
    The install asks with the same Idempotency-Key (kept in the data folder, so a restarted setup too)."""
    from app.setup.pending import PendingEnrolment
    from tests.integration.fault_proxy import DROP_AFTER_COMMIT, FaultProxy

    with setup_world(tmp_path, app_paths) as world, FaultProxy.in_front_of(world.vendor.base_url) as proxy:
        proxy.on("POST", "/api/v1/enrol", DROP_AFTER_COMMIT)
        world.environment.vendor_url = proxy.base_url
        with pytest.raises(EnrolmentError) as lost:
            world.environment.enrol(world.code)
        assert lost.value.failure in (EnrolFailure.OFFLINE, EnrolFailure.TIMEOUT)
        # Another install with the same code is refused: the answer is only for the one that asked.
        other = PendingEnrolment(tmp_path / "other-pc", world.runtime.token_store)
        with pytest.raises(EnrolmentError) as used:
            world.environment.__class__(**{**vars(world.environment), "pending": other}).enrol(world.code)
        assert used.value.failure is EnrolFailure.USED
        # The same install, setup started again: the same key from its data folder, the answer once more.
        world.environment.pending = PendingEnrolment(world.runtime.paths.data_dir, world.runtime.token_store)
        outcome = run_setup(world.runtime, world.environment, HeadlessRequest(code=world.code,
                                                                             vendor_url=world.vendor.base_url))
        assert outcome.shop.shop_id == SHOP_ID
        assert json.loads(world.runtime.vendor_client().get_contract())["payload"]["shop_id"] == SHOP_ID
        assert not world.environment.pending.key_file.exists()  # setup done: the key goes with the kept answer


def test_a_lost_answer_is_not_sent_again_after_the_replay_window(tmp_path: Path, app_paths: AppPaths) -> None:
    from tests.integration.fault_proxy import DROP_AFTER_COMMIT, FaultProxy
    from vendor_server.enrolment_replay import REPLAY_WINDOW

    with setup_world(tmp_path, app_paths) as world, FaultProxy.in_front_of(world.vendor.base_url) as proxy:
        proxy.on("POST", "/api/v1/enrol", DROP_AFTER_COMMIT)
        world.environment.vendor_url = proxy.base_url
        with pytest.raises(EnrolmentError):
            world.environment.enrol(world.code)
        world.clock.now += REPLAY_WINDOW + REPLAY_WINDOW / 60
        with pytest.raises(EnrolmentError) as late:
            world.environment.enrol(world.code)
        assert late.value.failure is EnrolFailure.USED
