"""Quiet checks are kept for ALERT_CHECK_RETENTION_DAYS, not RUN_RETENTION_DAYS: ten thousand
alerts checked every minute are fourteen million runs a day. A check that notified, or failed,
stays as long as any run; the alert's trend needs only its latest checks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from jobs.context import JobContext
from storage.models import AlertEvaluation, Run, RunStatus

BATCH = 2000


def delete_quiet_checks(ctx: JobContext, *, now: dt.datetime) -> int:
    """Remove skipped alert runs (and their checks) older than the retention; return how many."""
    cutoff = now - dt.timedelta(days=ctx.settings.alert_check_retention_days)
    deleted = 0
    while True:
        with ctx.database.session() as session:
            ids = list(session.scalars(
                select(Run.id).join(AlertEvaluation, AlertEvaluation.run_id == Run.id)
                .where(AlertEvaluation.notice.is_(None), Run.status == RunStatus.SKIPPED, Run.finished_at < cutoff)
                .order_by(Run.id).limit(BATCH)))
            if ids:
                session.execute(delete(Run).where(Run.id.in_(ids)))  # the checks go with them (cascade)
        deleted += len(ids)
        if len(ids) < BATCH:
            return deleted
