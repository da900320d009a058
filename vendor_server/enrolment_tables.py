"""Enrolment's tables: the codes staff give out (as hashes only) and every attempt to redeem one.

Nothing about enrolment lives in a worker's memory: several workers (or machines) share the database, so a
code redeemed through one is spent for all, and a throttle counted by one is seen by all.  Created by the
Alembic migrations (vendor_server/migrations, revision 0003).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vendor_server.orm import Base, UTCDateTime


class EnrolmentCodeRow(Base):
    """One enrolment code given to a shop.

    ``code_hash`` is the SHA-256 of the canonical code (no dashes, capitals), never the code itself: the code
    is shown once, to the staff member who made it.  A code is spent by setting ``used_at`` (and
    ``used_from``, the address that redeemed it) with a conditional UPDATE, so two redeems racing each other
    cannot both win.  ``replaced_at`` is set when a newer code is made for the same shop before this one was
    used: only a shop's newest code works.
    """

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)  # a staff login, or "cli"
    replaced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    used_from: Mapped[str | None] = mapped_column(String(64))
    # The install that redeemed it may ask again with the same Idempotency-Key when the answer was lost on the
    # way: the key's hash, and the token sealed with a key derived from it (useless without the install's key).
    replay_key_hash: Mapped[str | None] = mapped_column(String(64))
    replay_sealed: Mapped[str | None] = mapped_column(String(200))


class EnrolmentAttempt(Base):
    """One call of ``POST /api/v1/enrol``, whatever came of it: what the throttle counts over its window.

    ``code_hash`` is None when the text sent was no code at all (it failed the code's own check);
    ``outcome`` is ``ok`` or an :class:`pmv_protocol.enrolment_wire.EnrolRefusal` value.
    """

    __tablename__ = "enrolment_attempts"
    __table_args__ = (
        Index("ix_enrolment_attempts_address_at", "address", "at"),
        Index("ix_enrolment_attempts_code_at", "code_hash", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
