"""``pmv-vendor enrol SHOP-ID``: a one-time enrolment code for a shop's new install, from a shell.

Registers the shop first when it is new (``--name`` then required), updates the details given, and prints
the code as staff read it out (``ABCDE-FGHJK``) with its expiry in shop time.  The code is printed this once
(the server keeps its hash); making it makes the shop's earlier unused codes stop working, and goes to the
console's audit log as made by ``cli``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from pmv_protocol.enrolment_wire import CODE_LIFETIME_HOURS
from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.db import VendorDatabase
from vendor_server.enrolment import create_code
from vendor_server.shop_registry import register_shop, shop_details, update_shop

CREATED_BY = "cli"


class EnrolCommandError(Exception):
    """An enrol command that cannot be done; its message is printed after ``pmv-vendor: error:``."""


def add_enrol_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    enrol = sub.add_parser("enrol", parents=[common],
                           help=f"print a one-time enrolment code (valid {CODE_LIFETIME_HOURS} h) for a shop's new "
                                "install; registers the shop if new")
    enrol.add_argument("shop_id", metavar="SHOP-ID")
    enrol.add_argument("--name", help="the shop's name (required when the shop is new)")
    enrol.add_argument("--address", help="the shop's address, shown by its app after enrolment")
    enrol.add_argument("--phone", help="the shop's phone, shown by its app after enrolment")


def run_enrol_command(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    db = VendorDatabase(settings["db"])
    now = dt.datetime.now(dt.UTC)
    try:
        if shop_details(db, args.shop_id) is None:
            if not args.name:
                raise EnrolCommandError(f"shop {args.shop_id} is not registered: give --name to register it")
            shop = register_shop(db, args.shop_id, args.name, address=args.address or "", phone=args.phone or "",
                                 now=now)
        else:
            shop = update_shop(db, args.shop_id, name=args.name, address=args.address, phone=args.phone)
    except ValueError as exc:
        raise EnrolCommandError(str(exc)) from None
    issued = create_code(db, shop.shop_id, now=now, created_by=CREATED_BY)
    expires = issued.expires_at.astimezone(SHOP_TZ).strftime("%d/%m/%Y %H:%M")
    print(issued.shown)
    print(f"{shop.shop_id} ({shop.name}): one use, expires {expires} shop time; any earlier unused code of this "
          "shop no longer works")
    return 0
