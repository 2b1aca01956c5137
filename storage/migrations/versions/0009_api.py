"""api: scopes and an acting person on API tokens; idempotency keys of API POSTs

Revision ID: 0009
Revises: 0008

Tokens made before this revision only started runs (POST /api/v1/runs), so they get the scope
`run` and no acting person (a workspace token).
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trigger_tokens") as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(length=64), nullable=False, server_default="run"))
        batch_op.add_column(sa.Column("acting_user_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("created_by", sa.String(length=32), nullable=True))
    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["trigger_tokens.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_id", "key"),
    )
    op.create_index("ix_api_idempotency_keys_created_at", "api_idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_api_idempotency_keys_created_at", table_name="api_idempotency_keys")
    op.drop_table("api_idempotency_keys")
    with op.batch_alter_table("trigger_tokens") as batch_op:
        batch_op.drop_column("created_by")
        batch_op.drop_column("acting_user_id")
        batch_op.drop_column("scopes")
