"""Fleet: each shop's last contact and last heartbeat, its checks' states, tickets opened by the system."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("tickets")}
    with op.batch_alter_table("tickets") as batch:
        if "opened_by" not in present:
            batch.add_column(sa.Column("opened_by", sa.String(length=10), server_default="shop", nullable=False))
        if "check_id" not in present:
            batch.add_column(sa.Column("check_id", sa.String(length=64), nullable=True))
    op.create_table(
        "shop_contacts",
        sa.Column("shop_pk", sa.Integer(), sa.ForeignKey("shops.id"), primary_key=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_heartbeat_id", sa.String(length=36), nullable=False),
        sa.Column("telemetry", sa.Boolean(), nullable=False),
        sa.Column("app_version", sa.String(length=40), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=True),
        sa.Column("pos_version", sa.String(length=40), nullable=True),
        sa.Column("last_backup_age_hours", sa.Float(), nullable=True),
        sa.Column("outbox_depth", sa.Integer(), nullable=True),
        sa.Column("report", sa.Text(), nullable=False),
    )
    op.create_index(op.f("ix_shop_contacts_last_seen_at"), "shop_contacts", ["last_seen_at"], unique=False)
    op.create_index(op.f("ix_shop_contacts_app_version"), "shop_contacts", ["app_version"], unique=False)
    op.create_table(
        "shop_check_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_pk", sa.Integer(), sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shop_pk", "check_id", name="uq_check_state_shop_check"),
    )
    op.create_index(op.f("ix_shop_check_states_shop_pk"), "shop_check_states", ["shop_pk"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shop_check_states_shop_pk"), table_name="shop_check_states")
    op.drop_table("shop_check_states")
    op.drop_index(op.f("ix_shop_contacts_app_version"), table_name="shop_contacts")
    op.drop_index(op.f("ix_shop_contacts_last_seen_at"), table_name="shop_contacts")
    op.drop_table("shop_contacts")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("check_id")
        batch.drop_column("opened_by")
