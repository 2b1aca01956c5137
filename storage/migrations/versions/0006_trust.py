"""trust and safety (recipients' mutes, why a schedule paused itself)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recipient_mutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"],
                                name=op.f("fk_recipient_mutes_schedule_id_schedules"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_mutes")),
    )
    op.create_index("uq_recipient_mutes_schedule", "recipient_mutes", ["team_id", "user_id", "schedule_id"],
                    unique=True, sqlite_where=sa.text("schedule_id IS NOT NULL"),
                    postgresql_where=sa.text("schedule_id IS NOT NULL"))
    op.create_index("uq_recipient_mutes_all", "recipient_mutes", ["team_id", "user_id"], unique=True,
                    sqlite_where=sa.text("schedule_id IS NULL"), postgresql_where=sa.text("schedule_id IS NULL"))
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.add_column(sa.Column("paused_reason", sa.Text(), nullable=True))
    _refold_names()


def _refold_names() -> None:
    """Names are now compared after Unicode normalisation (storage.schedules.name_key). A live name
    that now equals an earlier one gets its id appended, so the unique index still holds."""
    from storage.schedules import name_key

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, team_id, name, status FROM schedules ORDER BY id")).all()
    # Unique placeholders first, so no intermediate state breaks the unique index.
    connection.execute(sa.text("UPDATE schedules SET name_key = 'refold-' || CAST(id AS VARCHAR(20))"))
    taken: set[tuple[str, str]] = set()
    for schedule_id, team_id, name, status in rows:
        key = name_key(name)
        if status != "deleted":
            if (team_id, key) in taken:
                name = f"{name[:180]} (#{schedule_id})"
                key = name_key(name)
            taken.add((team_id, key))
        connection.execute(sa.text("UPDATE schedules SET name = :name, name_key = :key WHERE id = :id"),
                           {"name": name, "key": key, "id": schedule_id})


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.drop_column("paused_reason")
    op.drop_index("uq_recipient_mutes_all", table_name="recipient_mutes")
    op.drop_index("uq_recipient_mutes_schedule", table_name="recipient_mutes")
    op.drop_table("recipient_mutes")
