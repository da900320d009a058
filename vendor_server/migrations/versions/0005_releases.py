"""Releases: the shops' update events and each release's rollout state."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "release_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_pk", sa.Integer(), sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("from_version", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("bucket", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shop_pk", "event_id", name="uq_release_event_shop_event"),
    )
    op.create_index("ix_release_events_release", "release_events", ["target_kind", "target_id", "version"],
                    unique=False)
    op.create_table(
        "release_rollouts",
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.String(length=20), nullable=True),
        sa.Column("paused_by", sa.String(length=64), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("percent_before", sa.Integer(), nullable=True),
        sa.Column("stop_rolled_back", sa.Integer(), nullable=True),
        sa.Column("stop_tried", sa.Integer(), nullable=True),
        sa.Column("acknowledged_rollbacks", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("target_kind", "target_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("release_rollouts")
    op.drop_index("ix_release_events_release", table_name="release_events")
    op.drop_table("release_events")
