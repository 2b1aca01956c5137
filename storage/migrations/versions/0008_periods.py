"""periods: schedules follow their cadence's period; description and tags; a run's own period; week start

Revision ID: 0008
Revises: 0007

Schedules that never chose a window move to the new default, the schedule's own period (the whole
period since the previous slot). Before this revision every form stored the report type's default
window ("previous_day" for demo_sales and sql, "previous_week" for channel_activity and prompt,
"previous_day" for any other type that did not declare one), so a stored window equal to that
default is taken as "not chosen" and removed; any other window stays. `window_n` is kept only for
the windows that use it ("last N days/hours").
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_DEFAULTS = {"demo_sales": "previous_day", "sql": "previous_day", "channel_activity": "previous_week",
                "prompt": "previous_week"}
REGISTRY_DEFAULT = "previous_day"  # what a type got when it declared no window
WITH_N = ("last_n_days", "last_n_hours")


def upgrade() -> None:
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("runs") as batch_op:
        batch_op.add_column(sa.Column("period", sa.JSON(), nullable=True))
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.add_column(sa.Column("week_start", sa.Integer(), nullable=True))
    _move_unchosen_windows()


def _move_unchosen_windows() -> None:
    schedules = sa.table("schedules", sa.column("id", sa.Integer()), sa.column("report_type", sa.String()),
                         sa.column("params", sa.JSON()))
    connection = op.get_bind()
    changes = []
    for schedule_id, report_type, params in connection.execute(
            sa.select(schedules.c.id, schedules.c.report_type, schedules.c.params)):
        if not isinstance(params, dict):
            continue
        moved = dict(params)
        if moved.get("window") in (None, "", OLD_DEFAULTS.get(report_type, REGISTRY_DEFAULT)):
            moved.pop("window", None)
        if moved.get("window") not in WITH_N:
            moved.pop("window_n", None)
        if moved != params:
            changes.append({"schedule_id": schedule_id, "new_params": moved})
    if changes:
        connection.execute(schedules.update().where(schedules.c.id == sa.bindparam("schedule_id"))
                           .values(params=sa.bindparam("new_params", type_=sa.JSON())), changes)


def downgrade() -> None:
    # The windows removed by the upgrade stay removed: the older code reads no window as the type's default.
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.drop_column("week_start")
    with op.batch_alter_table("runs") as batch_op:
        batch_op.drop_column("period")
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.drop_column("tags")
        batch_op.drop_column("description")
