"""operations (trigger tokens, metrics)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trigger_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trigger_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_trigger_tokens_token_sha256")),
    )
    with op.batch_alter_table("trigger_tokens") as batch_op:
        batch_op.create_index(batch_op.f("ix_trigger_tokens_team_id"), ["team_id"], unique=False)
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.add_column(sa.Column("spread_seconds", sa.Integer(), nullable=True))
    op.create_index("ix_runs_created_at", "runs", ["created_at"])
    op.create_index("ix_deliveries_created_at", "deliveries", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_created_at", table_name="deliveries")
    op.drop_index("ix_runs_created_at", table_name="runs")
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.drop_column("spread_seconds")
    with op.batch_alter_table("trigger_tokens") as batch_op:
        batch_op.drop_index(batch_op.f("ix_trigger_tokens_team_id"))
    op.drop_table("trigger_tokens")
