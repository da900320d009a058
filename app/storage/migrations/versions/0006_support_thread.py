"""The conversation on each support request: timeline entries, their files, and the request's flow state."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "thread_entries",
        sa.Column("id", sa.String(40), primary_key=True),  # the act's UUID (Idempotency-Key) or "e<server id>"
        sa.Column("request_id", sa.String(36), sa.ForeignKey("support_requests.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.Integer(), nullable=True, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("author", sa.String(10), nullable=False),
        sa.Column("author_name", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_thread_entries_request_id", "thread_entries", ["request_id"])
    op.create_index("ix_thread_entries_state", "thread_entries", ["state"])
    op.create_table(
        "thread_files",
        sa.Column("id", sa.String(40), primary_key=True),  # the shop's: the attachment client id
        sa.Column("entry_id", sa.String(40), sa.ForeignKey("thread_entries.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("server_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("local_path", sa.Text(), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
    )
    op.create_index("ix_thread_files_entry_id", "thread_files", ["entry_id"])
    op.create_table(
        "thread_state",
        sa.Column("request_id", sa.String(36), sa.ForeignKey("support_requests.id"), primary_key=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("ever_resolved", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("rated", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("close_after", sa.DateTime(), nullable=True),
        sa.Column("visit", sa.Text(), nullable=True),
        sa.Column("rating_asked_at", sa.DateTime(), nullable=True),
        sa.Column("reminders", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("thread_state")
    op.drop_index("ix_thread_files_entry_id", table_name="thread_files")
    op.drop_table("thread_files")
    op.drop_index("ix_thread_entries_state", table_name="thread_entries")
    op.drop_index("ix_thread_entries_request_id", table_name="thread_entries")
    op.drop_table("thread_entries")
