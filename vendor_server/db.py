"""The vendor server's tables (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Shop tokens are 256-bit random strings, so a plain SHA-256 is enough:
    # nothing to brute-force, and lookups stay one indexed query.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ContractDocument(Base):
    __tablename__ = "contract_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), nullable=False, index=True)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "pmv_" + secrets.token_urlsafe(32)


class VendorDatabase:
    def __init__(self, url: str) -> None:
        connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def add_shop(self, shop_id: str, name: str) -> str:
        """Register a shop (or re-issue its token); returns the token, shown once."""
        token = new_token()
        with self.sessions.begin() as session:
            shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
            if shop is None:
                session.add(Shop(shop_id=shop_id, name=name, token_hash=hash_token(token),
                                 created_at=dt.datetime.now(dt.UTC)))
            else:
                shop.name, shop.token_hash = name, hash_token(token)
        return token

    def shop_for_token(self, session: Session, token: str) -> Shop | None:
        return session.scalar(select(Shop).where(Shop.token_hash == hash_token(token)))

    def store_contract(self, shop_id: str, document: str, issued_at: dt.datetime) -> None:
        with self.sessions.begin() as session:
            shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
            if shop is None:
                raise LookupError(f"unknown shop {shop_id}; run pmv-vendor add-shop first")
            session.add(ContractDocument(shop_pk=shop.id, document=document, issued_at=issued_at))

    def latest_contract(self, session: Session, shop: Shop) -> str | None:
        return session.scalar(
            select(ContractDocument.document)
            .where(ContractDocument.shop_pk == shop.id)
            .order_by(ContractDocument.issued_at.desc(), ContractDocument.id.desc())
            .limit(1)
        )
