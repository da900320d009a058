"""Health check history: each run's result per check."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("check_id", sa.String(60), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
    )
    op.create_index("ix_check_results_check_run", "check_results", ["check_id", "run_at"])


def downgrade() -> None:
    op.drop_index("ix_check_results_check_run", table_name="check_results")
    op.drop_table("check_results")
