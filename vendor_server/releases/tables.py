"""The releases tables, created by the Alembic migrations (vendor_server/migrations, revision 0005).

A release is named as the shops' update events name it (:mod:`pmv_protocol.fleet`): ``target_kind`` (app, pack,
calendar), ``target_id`` ("app" for an app build, else the pack's id) and ``version``.  The TUF repository may
hold several files for one release (an app build as a zip and as an installer); a rollout applies to all of
them, since a shop's bucket depends on the version only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vendor_server.orm import Base, UTCDateTime


class ReleaseEvent(Base):
    """One update event as a shop reported it, stored once per (shop, event id): a retried batch adds nothing.

    ``at`` is the shop's clock (when it happened there), ``received_at`` the server's.  ``reason`` is a code
    (why a build was rolled back, the TUF error kind of a refusal), never free text.
    """

    __tablename__ = "release_events"
    __table_args__ = (UniqueConstraint("shop_pk", "event_id", name="uq_release_event_shop_event"),
                      Index("ix_release_events_release", "target_kind", "target_id", "version"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), nullable=False)
    event_id: Mapped[str] = mapped_column(String(36), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    target_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    from_version: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(64))
    bucket: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), nullable=False)


class ReleaseRollout(Base):
    """A release whose rollout the vendor changed from the server: paused (by whom, when, why) or not.

    The percentage itself lives in the signed TUF targets metadata (what shops obey); this row remembers what
    the metadata cannot: the percent before a pause (``None``: everyone), so resuming restores it, and, for an
    automatic stop, the figures it stopped on.  ``acknowledged_rollbacks`` is the rollbacks counted when a
    manager last resumed it: the automatic stop waits for a new rollback before it stops the release again.
    """

    __tablename__ = "release_rollouts"

    target_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    paused_reason: Mapped[str | None] = mapped_column(String(20))  # manual | auto_rollbacks
    paused_by: Mapped[str | None] = mapped_column(String(64))  # a staff login, or "system"
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    percent_before: Mapped[int | None] = mapped_column(Integer)
    stop_rolled_back: Mapped[int | None] = mapped_column(Integer)
    stop_tried: Mapped[int | None] = mapped_column(Integer)
    acknowledged_rollbacks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
