"""delivery (email, download links, unsubscribe)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sending_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("fallback_for", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by", sa.String(length=16), nullable=True))

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notified_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_runs_finished_at", ["finished_at"], unique=False)

    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.create_index("ix_artifacts_created_at", ["created_at"], unique=False)

    op.create_table(
        "email_options",
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("subject_template", sa.String(length=300), nullable=True),
        sa.Column("attach_mode", sa.String(length=8), nullable=False),
        sa.Column("cc", sa.JSON(), nullable=False),
        sa.Column("bcc", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"], name=op.f("fk_email_options_schedule_id_schedules"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("schedule_id", name=op.f("pk_email_options")),
    )
    op.create_table(
        "owner_contacts",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("checked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_owner_contacts")),
    )
    op.create_table(
        "maintenance_tasks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_due_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_started_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_maintenance_tasks")),
    )


def downgrade() -> None:
    op.drop_table("maintenance_tasks")
    op.drop_table("owner_contacts")
    op.drop_table("email_options")
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.drop_index("ix_artifacts_created_at")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_finished_at")
        batch_op.drop_column("notified_at")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("fallback_for")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("sending_at")
