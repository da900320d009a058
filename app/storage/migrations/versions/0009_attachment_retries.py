"""A request's file keeps its own retry count and time: one the server kept refusing with a 5xx was uploaded again
in full on every outbox run (every 30 s), and held back every later request's files."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    with op.batch_alter_table("request_attachments") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request_attachments") as batch:
        batch.drop_column("next_attempt_at")
        batch.drop_column("attempts")
