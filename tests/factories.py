"""Build rows for tests through the same repository functions the app uses."""

from __future__ import annotations

import datetime as dt

from jobs.cadence import parse
from storage import schedules as schedule_repo
from tests.support.people import ALICE, TEAM, TO_SALES

# A fixed instant for tests that must not depend on today's date (Berlin on CET, New York on EST).
WINTER = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def make_schedule(session, *, name: str = "Daily sales", cadence_text: str = "every day at 9am",
                  timezone: str = "Europe/Berlin", next_run_at: dt.datetime | None = None,
                  after: dt.datetime | None = None, owner: str = ALICE, formats=("csv",),
                  destinations=None, report_type: str = "demo_sales", team_id: str = TEAM, **kwargs):
    """Create a schedule; its next run is the cadence's first slot after `after` unless given."""
    after = after or WINTER
    # As the app stores it: N-week rules keep their week.
    cadence = parse(cadence_text, timezone, now=after).anchored(after)
    if next_run_at is None:
        next_run_at = cadence.next_run(after)
    destinations = destinations if destinations is not None else [TO_SALES]
    return schedule_repo.create_schedule(
        session, team_id=team_id, name=name, owner_user_id=owner, report_type=report_type,
        cadence_text=cadence_text, cadence=cadence.to_json(), timezone=cadence.timezone, next_run_at=next_run_at,
        destinations=destinations, formats=list(formats), **kwargs,
    )
