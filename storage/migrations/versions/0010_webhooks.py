"""webhooks: a destination's sealed signing secret; the workspace's webhook host allow-list and private-address switch

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("destinations") as batch_op:
        batch_op.add_column(sa.Column("secret", sa.Text(), nullable=True))
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.add_column(sa.Column("webhook_hosts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("webhook_private", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # Webhook destinations cannot be delivered by the older code: they go with their secrets.
    op.execute(sa.text("DELETE FROM destinations WHERE kind = 'webhook'"))
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.drop_column("webhook_private")
        batch_op.drop_column("webhook_hosts")
    with op.batch_alter_table("destinations") as batch_op:
        batch_op.drop_column("secret")
