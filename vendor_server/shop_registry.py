"""The vendor's register of shops: adding one (console, ``pmv-vendor enrol``) and keeping its details.

A shop added here has a token nobody knows (a random one, hashed and forgotten): its install gets a real
token by enrolment (:mod:`vendor_server.enrolment`).  ``pmv-vendor add-shop`` is the other way in, for a shop
set up by hand with a token printed once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import select

from vendor_server.db import Shop, VendorDatabase, hash_token, new_token

__all__ = ["ADDRESS_MAX", "NAME_MAX", "PHONE_MAX", "SHOP_ID", "ShopDetails", "ShopExists", "register_shop",
           "shop_details", "update_shop"]

# Letters, digits, dot, dash and underscore, as the console's addresses (/console/shops/<id>) carry them.
SHOP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_MAX = 200  # shops.name
ADDRESS_MAX = 300  # shops.address
PHONE_MAX = 40  # shops.phone


@dataclasses.dataclass(frozen=True)
class ShopDetails:
    shop_id: str
    name: str
    address: str
    phone: str


class ShopExists(ValueError):
    """The shop id is already registered."""


def _details(shop: Shop) -> ShopDetails:
    return ShopDetails(shop.shop_id, shop.name, shop.address, shop.phone)


def _text(value: str, what: str, most: int, *, required: bool = False) -> str:
    value = " ".join(value.split())  # one line, single spaces: what a form or a shell may add is dropped
    if required and not value:
        raise ValueError(f"the shop's {what} is required")
    if len(value) > most:
        raise ValueError(f"the shop's {what} is longer than {most} characters")
    return value


def shop_details(db: VendorDatabase, shop_id: str) -> ShopDetails | None:
    with db.sessions() as session:
        shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
        return None if shop is None else _details(shop)


def register_shop(db: VendorDatabase, shop_id: str, name: str, *, address: str = "", phone: str = "",
                  now: dt.datetime) -> ShopDetails:
    """A new shop, without a usable token until it enrols; ValueError for bad details, ShopExists if taken."""
    shop_id = shop_id.strip()
    if not SHOP_ID.fullmatch(shop_id):
        raise ValueError("a shop id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    row = Shop(shop_id=shop_id, name=_text(name, "name", NAME_MAX, required=True),
               address=_text(address, "address", ADDRESS_MAX), phone=_text(phone, "phone", PHONE_MAX),
               token_hash=hash_token(new_token()), created_at=now)
    return db.add_unique(row, select(Shop.id).where(Shop.shop_id == shop_id),
                         lambda: ShopExists(f"the shop {shop_id} is already registered"), _details)


def update_shop(db: VendorDatabase, shop_id: str, *, name: str | None = None, address: str | None = None,
                phone: str | None = None) -> ShopDetails:
    """Change what is given (None keeps it); LookupError for an unknown shop, ValueError for bad details."""
    with db.sessions.begin() as session:
        shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
        if shop is None:
            raise LookupError(f"unknown shop {shop_id}")
        if name is not None:
            shop.name = _text(name, "name", NAME_MAX, required=True)
        if address is not None:
            shop.address = _text(address, "address", ADDRESS_MAX)
        if phone is not None:
            shop.phone = _text(phone, "phone", PHONE_MAX)
        return _details(shop)
