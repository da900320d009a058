"""``pmv-vendor staff add|list``: the console's staff accounts from a shell (the first admin is made here).

The password is read from a prompt (never echoed), or from ``--password-file`` for scripts; the TOTP secret
is printed once, with the ``otpauth://`` address an authenticator app scans, and is never shown again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Any

from vendor_server.console.accounts import Role, add_staff, list_staff, totp_uri
from vendor_server.db import VendorDatabase


class StaffCommandError(Exception):
    """A staff command that cannot be done; its message is printed after ``pmv-vendor: error:``."""


def add_staff_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    staff = sub.add_parser("staff", help="the staff console's accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    add = staff_sub.add_parser("add", parents=[common], help="add a staff account; prints its TOTP secret once")
    add.add_argument("--login", required=True)
    add.add_argument("--name", required=True, help="the name shops read on replies and in technician codes")
    add.add_argument("--role", choices=[role.value for role in Role], default=Role.AGENT.value)
    add.add_argument("--password-file", type=Path, metavar="FILE",
                     help="read the password from the first line of FILE (default: ask)")
    staff_sub.add_parser("list", parents=[common], help="list the staff accounts")


def _password(args: argparse.Namespace) -> str:
    if args.password_file is not None:
        try:
            return args.password_file.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise StaffCommandError(f"cannot read a password from {args.password_file}: {exc}") from None
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("Again: ") != first:
        raise StaffCommandError("the two passwords differ")
    return first


def run_staff_command(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    db = VendorDatabase(settings["db"])
    if args.staff_command == "list":
        for staff in list_staff(db):
            print(f"{staff.login}\t{staff.role}\t{'active' if staff.active else 'disabled'}\t{staff.name}")
        return 0
    try:
        staff, secret = add_staff(db, args.login, args.name, Role(args.role), _password(args),
                                  now=dt.datetime.now(dt.UTC))
    except ValueError as exc:
        raise StaffCommandError(str(exc)) from None
    print(json.dumps({"login": staff.login, "name": staff.name, "role": staff.role.value, "totp_secret": secret,
                      "totp_uri": totp_uri(secret, staff.login)}, ensure_ascii=False, indent=2))
    return 0
