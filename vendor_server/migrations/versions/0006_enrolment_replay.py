"""Enrolment: the answer to a redeemed code, sealed for a replay by the same install (its answer lost on the way)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("enrolment_codes", sa.Column("replay_key_hash", sa.String(length=64), nullable=True))
    op.add_column("enrolment_codes", sa.Column("replay_sealed", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("enrolment_codes", "replay_sealed")
    op.drop_column("enrolment_codes", "replay_key_hash")
