"""Fleet: the outbox of heartbeats and update events, and who opened a support request."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "fleet_outbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_fleet_outbox_kind", "fleet_outbox", ["kind"])
    with op.batch_alter_table("support_requests") as batch:
        batch.add_column(sa.Column("opened_by", sa.String(10), nullable=False, server_default="shop"))


def downgrade() -> None:
    with op.batch_alter_table("support_requests") as batch:
        batch.drop_column("opened_by")
    op.drop_index("ix_fleet_outbox_kind", table_name="fleet_outbox")
    op.drop_table("fleet_outbox")
