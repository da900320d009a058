"""The audit log: an index for counting one address's recent refusals of a kind (checked on every anonymous one)."""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_index("ix_console_audit_refusals", "console_audit", ["action", "address", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_console_audit_refusals", table_name="console_audit")
