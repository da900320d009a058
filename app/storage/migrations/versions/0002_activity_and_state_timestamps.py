"""Activity log; app_state remembers when each value changed."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("app_state") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default="{}"),
    )
    op.create_index("ix_activity_at", "activity", ["at"])


def downgrade() -> None:
    op.drop_index("ix_activity_at", table_name="activity")
    op.drop_table("activity")
    with op.batch_alter_table("app_state") as batch:
        batch.drop_column("updated_at")
