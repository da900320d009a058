"""The vendor server's tables (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, sessionmaker

# Each area's tables are declared on the same Base in their own module; importing them here registers them
# all, so the migrations' env and the schema test see the whole schema.
from vendor_server import enrolment_tables, thread_tables  # noqa: F401
from vendor_server.console import tables as console_tables  # noqa: F401
from vendor_server.fleet import tables as fleet_tables  # noqa: F401
from vendor_server.orm import Base, UTCDateTime
from vendor_server.releases import tables as releases_tables  # noqa: F401
from vendor_server.schema import migrate

RowT = TypeVar("RowT", bound=Base)
ViewT = TypeVar("ViewT")

__all__ = ["Attachment", "Base", "ContractDocument", "Shop", "Ticket", "UTCDateTime", "VendorDatabase",
           "hash_token", "latest_contract_document", "latest_contract_documents", "new_token"]


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Shop tokens are 256-bit random strings, so a plain SHA-256 is enough:
    # nothing to brute-force, and lookups stay one indexed query.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # UTC like every other stamp: SQLite keeps no offset, so a +07:00 clock stored as it was read back 7 h off.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    # What a new install shows as its shop after enrolment (vendor_server/enrolment.py); "" when not given.
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="", server_default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")


class ContractDocument(Base):
    __tablename__ = "contract_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), nullable=False, index=True)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Ticket(Base):
    """A support request from a shop (vendor API v1, ``POST /api/v1/tickets``).

    The request's columns hold what :class:`pmv_protocol.wire.NewTicket` accepts.  Their widths are
    written out, not taken from the wire's limits: raising one is a migration
    (vendor_server/migrations) to write on purpose (tests/unit/pmv_protocol/test_wire.py
    fails until the columns can hold it).
    """

    __tablename__ = "tickets"
    # The shop's Idempotency-Key is unique per shop, so a retried or raced
    # delivery of the same request can never make a second ticket.
    __table_args__ = (UniqueConstraint("shop_pk", "idempotency_key", name="uq_ticket_shop_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), nullable=False, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(36), nullable=False)
    # Derived from the id, so it is set in the same transaction right after
    # the insert assigns one; never NULL once committed.
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    contact_name: Mapped[str] = mapped_column(String(100), nullable=False)
    contact_phone: Mapped[str] = mapped_column(String(20), nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    app_version: Mapped[str | None] = mapped_column(String(40))
    # Kept so staff can see why a deadline is what it is (or absent).
    coverage: Mapped[str] = mapped_column(String(16), nullable=False)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    solution_kind: Mapped[str | None] = mapped_column(String(16))
    solution_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    # "shop", or "system": opened on the shop's behalf for a check held critical (vendor_server/fleet), which
    # ``check_id`` names (pmv_protocol.thread.OpenedBy).
    opened_by: Mapped[str] = mapped_column(String(10), nullable=False, default="shop", server_default="shop")
    check_id: Mapped[str | None] = mapped_column(String(64))

    shop: Mapped[Shop] = relationship()


class Attachment(Base):
    """A file attached to a ticket; the bytes live at ``<data>/attachments/<ticket id>/<client_id>``."""

    __tablename__ = "ticket_attachments"
    # client_id makes an upload idempotent per ticket (a retry after a lost
    # response must not store the body twice).
    __table_args__ = (UniqueConstraint("ticket_id", "client_id", name="uq_attachment_ticket_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), nullable=False, index=True)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)  # sanitised, display only
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL and ``synchronous=NORMAL`` on a file database: readers never wait for the writer, and a commit syncs
    the log once instead of the journal and the database (tests/bench/heartbeat_ingest.py: heartbeats from
    5,000 shops then answer within 2x an empty request; a power cut may lose the last commits, never corrupt)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database answers "memory" and stays so
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "pmv_" + secrets.token_urlsafe(32)


class VendorDatabase:
    def __init__(self, url: str) -> None:
        connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        migrate(self.engine)  # the newest schema, adopting a create_all-era database (vendor_server.schema)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def add_shop(self, shop_id: str, name: str, *, address: str | None = None, phone: str | None = None) -> str:
        """Register a shop (or re-issue its token); returns the token, shown once.

        ``address`` and ``phone`` are set when given (None keeps a registered shop's)."""
        token = new_token()
        with self.sessions.begin() as session:
            shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
            if shop is None:
                shop = Shop(shop_id=shop_id, name=name, token_hash=hash_token(token),
                            created_at=dt.datetime.now(dt.UTC), address="", phone="")
                session.add(shop)
            else:
                shop.name, shop.token_hash = name, hash_token(token)
            if address is not None:
                shop.address = address
            if phone is not None:
                shop.phone = phone
        return token

    def add_unique(self, row: RowT, taken: Select[Any], refused: Callable[[], Exception],
                   view: Callable[[RowT], ViewT]) -> ViewT:
        """Add ``row`` and return ``view(row)`` (read in its transaction), or raise ``refused()`` when ``taken``
        finds its unique key already used.

        Checked first for a clear message; the unique constraint still decides when two people race."""
        try:
            with self.sessions.begin() as session:
                if session.scalar(taken) is not None:
                    raise refused()
                session.add(row)
                session.flush()
                return view(row)
        except IntegrityError as error:
            raise refused() from error

    def shop_for_token(self, session: Session, token: str) -> Shop | None:
        return session.scalar(select(Shop).where(Shop.token_hash == hash_token(token)))

    def store_contract(self, shop_id: str, document: str, issued_at: dt.datetime) -> None:
        """The bare row.  The server's own paths store through :func:`vendor_server.contract_issue.store_contract`,
        which also applies the contract's telemetry choice to what the shop reported before."""
        with self.sessions.begin() as session:
            shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
            if shop is None:
                raise LookupError(f"unknown shop {shop_id}; run pmv-vendor add-shop first")
            session.add(ContractDocument(shop_pk=shop.id, document=document, issued_at=issued_at))

    def latest_contract(self, session: Session, shop: Shop) -> str | None:
        return latest_contract_document(session, shop.id)


# Built once: the fleet reads it on every heartbeat.
_LATEST_CONTRACT = (select(ContractDocument.document).where(ContractDocument.shop_pk == bindparam("pk"))
                    .order_by(ContractDocument.issued_at.desc(), ContractDocument.id.desc()).limit(1))


def latest_contract_document(session: Session | Connection, shop_pk: int) -> str | None:
    """The shop's newest contract document as stored: the latest issued (the later row on a tie), or None.

    The one place a shop's current contract is picked, in the caller's session or connection."""
    return session.scalar(_LATEST_CONTRACT, {"pk": shop_pk})


def latest_contract_documents(session: Session) -> dict[int, str]:
    """Every shop's newest contract document, picked as :func:`latest_contract_document` picks one shop's (the
    latest issued, the later row on a tie), by shop primary key, in one query; shops without one are left out.

    The fleet view and the silent alarm read this, the heartbeat, the tickets and ``GET /contract`` the other:
    the last row added is not always the latest issued (a CLI whose clock is behind the console's)."""
    ranked = select(ContractDocument.shop_pk, ContractDocument.document,
                    func.row_number().over(partition_by=ContractDocument.shop_pk,
                                           order_by=(ContractDocument.issued_at.desc(),
                                                     ContractDocument.id.desc())).label("rank")).subquery()
    rows = session.execute(select(ranked.c.shop_pk, ranked.c.document).where(ranked.c.rank == 1))
    return {shop_pk: document for shop_pk, document in rows}
