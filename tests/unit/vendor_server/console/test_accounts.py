"""Staff accounts on a real SQLite file: validation, argon2id hashes, the throttle, TOTP codes accepted once.

Every time is a fixed ``now``; each argon2 hash or verify costs tens of milliseconds, so the tests make few.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
from sqlalchemy import create_engine, event, func, select, text

from vendor_server.console import accounts
from vendor_server.console.accounts import Role, SignInRefused, Staff
from vendor_server.console.tables import SignInFailure, StaffRow
from vendor_server.db import VendorDatabase

# A multiple of 30 s since the epoch: the start of an RFC 6238 time step (30 s), so "one step back" is exact.
NOW = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=30)
PASSWORD = "đúng-mật-khẩu-1"
ADDRESS = "203.0.113.7"


@pytest.fixture
def lan(db: VendorDatabase) -> tuple[Staff, str]:
    return accounts.add_staff(db, "Lan.Nguyen", "  Chị Lan  ", Role.AGENT, PASSWORD, now=NOW)


def failures(db: VendorDatabase) -> list[tuple[str, str, dt.datetime]]:
    with db.sessions() as session:
        return [(f.login, f.address, f.at) for f in session.scalars(select(SignInFailure).order_by(SignInFailure.id))]


def refused(code: str) -> Any:
    return pytest.raises(SignInRefused, match=f"^{code}$")


def test_each_role_may_do_what_the_ones_before_it_may() -> None:
    assert Role.ADMIN.allows(Role.TECHNICIAN) and Role.ADMIN.allows(Role.AGENT) and Role.ADMIN.allows(Role.ADMIN)
    assert Role.TECHNICIAN.allows(Role.AGENT) and not Role.TECHNICIAN.allows(Role.ADMIN)
    assert Role.AGENT.allows(Role.AGENT) and not Role.AGENT.allows(Role.TECHNICIAN)
    assert [str(role) for role in Role] == ["agent", "technician", "admin"]


@pytest.mark.parametrize(("login", "name", "password", "message"), [
    ("ab", "Lan", PASSWORD, "login"),
    ("x" * 65, "Lan", PASSWORD, "login"),
    ("lan nguyen", "Lan", PASSWORD, "login"),
    ("lân", "Lan", PASSWORD, "login"),
    ("lan", "   ", PASSWORD, "name"),
    ("lan", "x" * 101, PASSWORD, "name"),
    ("lan", "Lan", "123456789", "password"),
])
def test_an_account_is_refused_a_bad_login_name_or_password(db: VendorDatabase, login: str, name: str,
                                                            password: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        accounts.add_staff(db, login, name, Role.AGENT, password, now=NOW)
    assert accounts.list_staff(db) == []


def test_a_new_account_keeps_an_argon2id_hash_and_a_totp_secret(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    staff, secret = lan
    assert (staff.login, staff.name, staff.role, staff.active, staff.created_at) == (
        "lan.nguyen", "Chị Lan", Role.AGENT, True, NOW)
    with db.sessions() as session:
        row = session.get(StaffRow, staff.id)
        assert row is not None
        assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
        assert row.totp_secret == secret and row.totp_last_step == 0 and row.password_changed_at == NOW
    assert len(pyotp.TOTP(secret).byte_secret()) >= 16  # pyotp.random_base32: 160 bits (RFC 4226 asks >= 128)
    uri = accounts.totp_uri(secret, staff.login)
    assert uri.startswith("otpauth://totp/PMV%20Support:lan.nguyen?") and f"secret={secret}" in uri
    assert "issuer=PMV%20Support" in uri


def test_a_login_is_taken_once_whatever_its_case(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    with pytest.raises(ValueError, match="already taken"):
        accounts.add_staff(db, "LAN.NGUYEN", "Another Lan", Role.ADMIN, "another-password", now=NOW)
    assert [s.login for s in accounts.list_staff(db)] == ["lan.nguyen"]


def test_accounts_are_listed_by_name_and_changed_by_id(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    an, _ = accounts.add_staff(db, "an.tran", "Anh An", Role.TECHNICIAN, "password-of-an", now=NOW)
    assert [s.name for s in accounts.list_staff(db)] == ["Anh An", "Chị Lan"]
    # The Vietnamese alphabet's order (a ă â b c d đ … v x y), not code points, which put Á and Đ after V.
    accounts.add_staff(db, "dang", "Đặng Minh", Role.AGENT, "password-of-dang", now=NOW)
    accounts.add_staff(db, "vu.lan", "Vũ Lan", Role.AGENT, "password-of-vu", now=NOW)
    accounts.add_staff(db, "anh", "Ánh Hồng", Role.AGENT, "password-of-anh", now=NOW)
    assert [s.name for s in accounts.list_staff(db)] == ["Anh An", "Ánh Hồng", "Chị Lan", "Đặng Minh", "Vũ Lan"]
    assert accounts.get_staff(db, an.id) == an and accounts.get_staff(db, 999) is None
    assert accounts.set_role(db, an.id, Role.ADMIN).role is Role.ADMIN
    assert accounts.set_active(db, an.id, False).active is False
    assert accounts.get_staff(db, an.id) == Staff(an.id, "an.tran", "Anh An", Role.ADMIN, False, NOW)
    with pytest.raises(LookupError):
        accounts.set_active(db, 999, True)
    with pytest.raises(LookupError):
        accounts.set_role(db, 999, Role.AGENT)


def test_the_right_password_signs_in_and_a_wrong_one_is_counted(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    staff, _ = lan
    assert accounts.check_password(db, " Lan.Nguyen ", PASSWORD, ADDRESS, now=NOW) == staff
    assert failures(db) == []
    with refused("wrong_password"):
        accounts.check_password(db, "lan.nguyen", PASSWORD + "x", ADDRESS, now=NOW)
    assert failures(db) == [("lan.nguyen", ADDRESS, NOW)]


def test_an_unknown_login_is_refused_like_a_wrong_password_and_counted(db: VendorDatabase) -> None:
    with refused("wrong_password"):
        accounts.check_password(db, "Nobody", PASSWORD, ADDRESS, now=NOW)
    assert failures(db) == [("nobody", ADDRESS, NOW)]
    with refused("wrong_password"):  # a login no account could have: still the same answer, still counted
        accounts.check_password(db, "x" * 300, PASSWORD, ADDRESS, now=NOW)
    assert failures(db)[-1] == ("x" * 64, ADDRESS, NOW)


def test_a_disabled_account_is_told_so_only_with_its_right_password(db: VendorDatabase,
                                                                    lan: tuple[Staff, str]) -> None:
    accounts.set_active(db, lan[0].id, False)
    with refused("inactive"):
        accounts.check_password(db, "lan.nguyen", PASSWORD, ADDRESS, now=NOW)
    with refused("wrong_password"):
        accounts.check_password(db, "lan.nguyen", "not-the-password", ADDRESS, now=NOW)


def test_five_failures_of_one_login_throttle_it_for_fifteen_minutes(db: VendorDatabase,
                                                                    lan: tuple[Staff, str]) -> None:
    for second in range(accounts.PER_LOGIN):
        with refused("wrong_password"):
            accounts.check_password(db, "lan.nguyen", f"guess-number-{second}", f"198.51.100.{second}",
                                    now=NOW + dt.timedelta(seconds=second))
    last = NOW + dt.timedelta(seconds=accounts.PER_LOGIN - 1)
    # Throttled before the password is looked at: even the right one gets no answer, and adds no failure.
    with refused("throttled"):
        accounts.check_password(db, "lan.nguyen", PASSWORD, "192.0.2.1", now=last + dt.timedelta(minutes=14))
    assert len(failures(db)) == accounts.PER_LOGIN
    # The window slides: once the first failure is 15 minutes old only four remain in it.
    assert accounts.check_password(db, "lan.nguyen", PASSWORD, "192.0.2.1",
                                   now=NOW + accounts.THROTTLE_WINDOW) == lan[0]


def test_twenty_failures_from_one_address_throttle_it_whatever_the_login(db: VendorDatabase,
                                                                         lan: tuple[Staff, str]) -> None:
    for number in range(accounts.PER_ADDRESS):  # a different login each time: no login reaches its own limit
        with refused("wrong_password"):
            accounts.check_password(db, f"guess{number}", PASSWORD, ADDRESS, now=NOW)
    with refused("throttled"):
        accounts.check_password(db, "lan.nguyen", PASSWORD, ADDRESS, now=NOW + dt.timedelta(minutes=1))
    assert accounts.check_password(db, "lan.nguyen", PASSWORD, "192.0.2.1", now=NOW + dt.timedelta(minutes=1))


def test_a_password_is_changed_only_with_the_old_one(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    staff, _ = lan
    later = NOW + dt.timedelta(days=1)
    with pytest.raises(ValueError, match="at least 10"):
        accounts.change_password(db, staff.id, PASSWORD, "short", now=later)
    with refused("wrong_password"):
        accounts.change_password(db, staff.id, "not-the-password", "a-new-password", now=later)
    with pytest.raises(ValueError, match="same"):
        accounts.change_password(db, staff.id, PASSWORD, PASSWORD, now=later)
    accounts.change_password(db, staff.id, PASSWORD, "a-new-password", now=later)
    with db.sessions() as session:
        row = session.get(StaffRow, staff.id)
        assert row is not None and row.password_changed_at == later
    assert accounts.check_password(db, "lan.nguyen", "a-new-password", ADDRESS, now=later) == staff
    with refused("wrong_password"):
        accounts.check_password(db, "lan.nguyen", PASSWORD, ADDRESS, now=later)


def last_step(db: VendorDatabase, staff_id: int) -> int:
    with db.sessions() as session:
        return session.scalar(select(StaffRow.totp_last_step).where(StaffRow.id == staff_id)) or 0


def test_a_totp_code_is_accepted_once(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    staff, secret = lan
    code = pyotp.TOTP(secret).at(NOW)
    accounts.check_totp(db, staff.id, code, now=NOW, address=ADDRESS)
    assert last_step(db, staff.id) == int(NOW.timestamp()) // 30
    with refused("wrong_code"):  # the same code again, still within its step: a replay
        accounts.check_totp(db, staff.id, code, now=NOW + dt.timedelta(seconds=10), address=ADDRESS)
    assert failures(db) == [("lan.nguyen", ADDRESS, NOW + dt.timedelta(seconds=10))]
    accounts.check_totp(db, staff.id, pyotp.TOTP(secret).at(NOW + STEP), now=NOW + STEP, address=ADDRESS)


def test_a_code_one_step_old_is_accepted_if_newer_than_the_last_and_two_steps_old_never(
        db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    staff, secret = lan
    totp = pyotp.TOTP(secret)
    with refused("wrong_code"):
        accounts.check_totp(db, staff.id, totp.at(NOW - 2 * STEP), now=NOW, address=ADDRESS)
    accounts.check_totp(db, staff.id, totp.at(NOW - STEP), now=NOW, address=ADDRESS)  # a phone a little slow
    accounts.check_totp(db, staff.id, totp.at(NOW), now=NOW, address=ADDRESS)  # newer than the last: fine
    with refused("wrong_code"):  # older than the last accepted, though within the drift
        accounts.check_totp(db, staff.id, totp.at(NOW - STEP), now=NOW, address=ADDRESS)
    accounts.check_totp(db, staff.id, totp.at(NOW + STEP), now=NOW, address=ADDRESS)  # a phone a little fast
    assert len(failures(db)) == 2


# "²²²²²²" and "٣٣٣٣٣٣" pass str.isdigit() (Unicode superscripts and Arabic-Indic digits); compared with the
# right code by secrets.compare_digest they raised TypeError, a 500 at the sign-in.
@pytest.mark.parametrize("code", ["000000x", "", "12345", "abcdef", "²²²²²²", "٣٣٣٣٣٣"])
def test_a_wrong_code_is_counted_as_a_failure(db: VendorDatabase, lan: tuple[Staff, str], code: str) -> None:
    staff, secret = lan
    right = pyotp.TOTP(secret).at(NOW)
    wrong = code or str((int(right) + 1) % 1_000_000).zfill(6)
    with refused("wrong_code"):
        accounts.check_totp(db, staff.id, wrong, now=NOW, address=ADDRESS)
    assert failures(db) == [("lan.nguyen", ADDRESS, NOW)]
    assert last_step(db, staff.id) == 0


def test_codes_are_throttled_with_the_passwords(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    staff, secret = lan
    with db.sessions.begin() as session:  # four wrong passwords already
        session.add_all(SignInFailure(login="lan.nguyen", address="192.0.2.1", at=NOW) for _ in range(4))
    right = pyotp.TOTP(secret).at(NOW)
    with refused("wrong_code"):
        accounts.check_totp(db, staff.id, "000000" if right != "000000" else "111111", now=NOW, address=ADDRESS)
    with refused("throttled"):
        accounts.check_totp(db, staff.id, right, now=NOW, address=ADDRESS)
    assert last_step(db, staff.id) == 0


def test_two_workers_given_the_same_code_at_once_accept_it_once(db: VendorDatabase, lan: tuple[Staff, str]) -> None:
    staff, secret = lan
    step = int(NOW.timestamp()) // 30
    other = create_engine(db.engine.url)  # a second worker's engine on the same database
    raced: list[bool] = []

    def other_worker_first(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Between this worker's read of totp_last_step and its UPDATE, another worker accepts the same code.
        if statement.lstrip().upper().startswith("UPDATE CONSOLE_STAFF") and not raced:
            raced.append(True)
            with other.begin() as connection:
                connection.execute(text("UPDATE console_staff SET totp_last_step = :step WHERE id = :id"),
                                   {"step": step, "id": staff.id})

    event.listen(db.engine, "before_cursor_execute", other_worker_first)
    try:
        with refused("wrong_code"):
            accounts.check_totp(db, staff.id, pyotp.TOTP(secret).at(NOW), now=NOW, address=ADDRESS)
    finally:
        event.remove(db.engine, "before_cursor_execute", other_worker_first)
        other.dispose()
    assert raced and last_step(db, staff.id) == step
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SignInFailure)) == 1
