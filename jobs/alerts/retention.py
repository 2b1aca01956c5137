"""Quiet checks are kept for ALERT_CHECK_RETENTION_DAYS, not RUN_RETENTION_DAYS: ten thousand
alerts checked every minute are fourteen million runs a day. A check that notified, or failed,
stays as long as any run; the alert's trend needs only its latest checks."""

from __future__ import annotations

import datetime as dt

from jobs.context import JobContext
from storage import alerts as alert_repo

BATCH = 2000


def delete_quiet_checks(ctx: JobContext, *, now: dt.datetime) -> int:
    """Remove skipped alert runs (and their checks) older than the retention; return how many."""
    cutoff = now - dt.timedelta(days=ctx.settings.alert_check_retention_days)
    deleted = 0
    while True:
        with ctx.database.session() as session:
            ids = alert_repo.delete_quiet_checks(session, finished_before=cutoff, limit=BATCH)
        deleted += len(ids)
        if len(ids) < BATCH:
            return deleted
