"""The fleet's tables: what each shop last reported, and how long each of its checks has stood where it is.

Created by the Alembic migrations (vendor_server/migrations, revision 0004), which also add ``opened_by`` and
``check_id`` to the tickets: a ticket the system opened for a shop names the check behind it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vendor_server.orm import Base, UTCDateTime


class ShopContact(Base):
    """One row per shop that ever sent a heartbeat: its last contact and what that report said.

    ``last_seen_at`` is the server's clock on receipt (never the till's); ``report`` the heartbeat's JSON as
    received (pmv_protocol.fleet.Heartbeat), for the shop's page; the columns beside it are what the fleet
    view counts and filters on.  ``last_heartbeat_id`` makes a retried POST of one report change nothing.
    """

    __tablename__ = "shop_contacts"

    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_heartbeat_id: Mapped[str] = mapped_column(String(36), nullable=False)
    telemetry: Mapped[bool] = mapped_column(Boolean, nullable=False)
    app_version: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    verdict: Mapped[str | None] = mapped_column(String(10))
    pos_version: Mapped[str | None] = mapped_column(String(40))
    last_backup_age_hours: Mapped[float | None] = mapped_column(Float)
    outbox_depth: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text, nullable=False)


class ShopCheckState(Base):
    """One check of one shop: its status now and since when (server clock: when a report first said so).

    ``ticket_id`` is the open ticket the system opened for this check (None: none open), which keeps a check
    held critical from opening a second one.
    """

    __tablename__ = "shop_check_states"
    __table_args__ = (UniqueConstraint("shop_pk", "check_id", name="uq_check_state_shop_check"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), nullable=False, index=True)
    check_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
