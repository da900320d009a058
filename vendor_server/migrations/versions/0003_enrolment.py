"""Enrolment: the shop's address and phone, enrolment codes (hashed) and the attempts to redeem them."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    # A database adopted from before migrations (vendor_server.schema) may have had a missing shops table made
    # from today's model, which already has these two columns: add only what is not there.
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("shops")}
    if "address" not in present:
        op.add_column("shops", sa.Column("address", sa.String(length=300), server_default="", nullable=False))
    if "phone" not in present:
        op.add_column("shops", sa.Column("phone", sa.String(length=40), server_default="", nullable=False))
    op.create_table('enrolment_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_pk', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_from', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['shop_pk'], ['shops.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    op.create_index(op.f('ix_enrolment_codes_shop_pk'), 'enrolment_codes', ['shop_pk'], unique=False)
    op.create_table('enrolment_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_enrolment_attempts_address_at', 'enrolment_attempts', ['address', 'at'], unique=False)
    op.create_index('ix_enrolment_attempts_code_at', 'enrolment_attempts', ['code_hash', 'at'], unique=False)

