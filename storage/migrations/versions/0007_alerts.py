"""alerts (a schedule's condition, its state, every check)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.add_column(sa.Column("condition", sa.JSON(), nullable=True))
    op.create_table(
        "alert_states",
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("announced", sa.String(length=16), nullable=False),
        sa.Column("state_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pending_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pending_checks", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("last_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("last_slot", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_evaluated_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_notified_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_checks", sa.Integer(), nullable=False),
        sa.Column("snoozed_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until_resolved", sa.Boolean(), nullable=False),
        sa.Column("snoozed_by", sa.String(length=32), nullable=True),
        sa.Column("snoozed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"], name=op.f("fk_alert_states_schedule_id_schedules"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("schedule_id", name=op.f("pk_alert_states")),
    )
    op.create_table(
        "alert_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("slot", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("evaluated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("previous_state", sa.String(length=16), nullable=False),
        sa.Column("notice", sa.String(length=16), nullable=True),
        sa.Column("muted_by", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_alert_evaluations_run_id_runs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"],
                                name=op.f("fk_alert_evaluations_schedule_id_schedules"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_evaluations")),
        sa.UniqueConstraint("run_id", name=op.f("uq_alert_evaluations_run_id")),
    )
    op.create_index("ix_alert_evaluations_schedule", "alert_evaluations", ["schedule_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_alert_evaluations_schedule", table_name="alert_evaluations")
    op.drop_table("alert_evaluations")
    op.drop_table("alert_states")
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.drop_column("condition")
