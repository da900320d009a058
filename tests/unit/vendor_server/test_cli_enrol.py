"""``pmv-vendor enrol`` and ``pmv-vendor add-shop``'s details, as a technician types them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.cli import main
from vendor_server.console.audit import Action, entries
from vendor_server.db import VendorDatabase
from vendor_server.enrolment import EnrolRefused, redeem
from vendor_server.shop_registry import ShopDetails, shop_details

CODE_LINE = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}")


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main([*args, "--data", str(tmp_path / "vendor")])
    out, err = capsys.readouterr()
    return status, out, err


def _db(tmp_path: Path) -> VendorDatabase:
    return VendorDatabase(f"sqlite:///{(tmp_path / 'vendor' / 'vendor.sqlite3').resolve()}")


def test_enrol_registers_a_new_shop_and_prints_a_code_that_redeems(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = dt.datetime.now(dt.UTC)
    status, out, err = _run(tmp_path, capsys, "enrol", "KP-0001", "--name", "Tiệm vàng Kim Phát",
                            "--address", "12 Lê Lợi, Quận 1", "--phone", "0283 999 1234")
    assert (status, err) == (0, "")
    code_line, detail = out.splitlines()
    assert CODE_LINE.fullmatch(code_line)
    shown = re.search(r"expires (\d\d/\d\d/\d{4} \d\d:\d\d) shop time", detail)
    assert shown is not None, detail
    expires = dt.datetime.strptime(shown.group(1), "%d/%m/%Y %H:%M").replace(tzinfo=SHOP_TZ)
    assert dt.timedelta(hours=71, minutes=59) <= expires - before <= dt.timedelta(hours=72, minutes=1)
    assert "KP-0001 (Tiệm vàng Kim Phát)" in detail

    db = _db(tmp_path)
    enrolled = redeem(db, code_line, address="127.0.0.1", now=dt.datetime.now(dt.UTC))
    assert (enrolled.shop_id, enrolled.address, enrolled.phone) == ("KP-0001", "12 Lê Lợi, Quận 1", "0283 999 1234")
    [made] = entries(db, action=Action.ENROL_CODE)
    assert (made.login, made.shop_id) == ("cli", "KP-0001")


def test_enrol_updates_what_is_given_and_the_new_code_replaces_the_old(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _status, first, _err = _run(tmp_path, capsys, "enrol", "KP-0001", "--name", "Kim Phát", "--phone", "0283 1")
    status, second, _err = _run(tmp_path, capsys, "enrol", "KP-0001", "--phone", "0909 000 111")
    assert status == 0
    assert shop_details(_db(tmp_path), "KP-0001") == ShopDetails("KP-0001", "Kim Phát", "", "0909 000 111")
    db, now = _db(tmp_path), dt.datetime.now(dt.UTC)
    with pytest.raises(EnrolRefused, match="no longer valid"):
        redeem(db, first.splitlines()[0], address="127.0.0.1", now=now)
    assert redeem(db, second.splitlines()[0], address="127.0.0.1", now=now).phone == "0909 000 111"


@pytest.mark.parametrize(("args", "reason"), [
    (("enrol", "KP-0001"), "is not registered: give --name"),
    (("enrol", "bad id", "--name", "X"), "a shop id is 1 to 64"),
    (("enrol", "KP-0001", "--name", "X", "--phone", "9" * 41), "phone is longer than 40"),
])
def test_enrol_refuses_bad_input_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             args: tuple[str, ...], reason: str) -> None:
    status, out, err = _run(tmp_path, capsys, *args)
    assert status == 1 and out == ""
    assert err.startswith("pmv-vendor: error: ") and reason in err and err.count("\n") == 1


def test_add_shop_takes_the_address_and_phone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = _run(tmp_path, capsys, "add-shop", "--shop-id", "KP-0001", "--name", "Kim Phát",
                             "--address", "12 Lê Lợi", "--phone", "0283 999 1234")
    assert status == 0 and json.loads(out)["token"]
    _run(tmp_path, capsys, "add-shop", "--shop-id", "KP-0001", "--name", "Kim Phát")  # a new token, details kept
    assert shop_details(_db(tmp_path), "KP-0001") == ShopDetails("KP-0001", "Kim Phát", "12 Lê Lợi", "0283 999 1234")
