"""The trigger API: start a run from another system (event-driven reports).

    POST /api/v1/runs
    Authorization: Bearer rbt_…            (a per-workspace token: `reportbot token create T…`)
    {"schedule": "daily sales"}            (a schedule's name or id in that workspace)
    {"schedule": "daily sales", "period": "last month"}   (optional: another period than the
                                           schedule's most recent one, in the words `/report run … for` takes)

202 {"run_id": …} when started, 409 when a run of it is already in flight, 404 for an unknown
schedule, 401 for a missing or wrong token (checked before the body is read), 400 for a malformed
body, 413 for one above 16 KiB.
"""

from __future__ import annotations

import json
import logging

from bot.deps import BotDeps
from bot.web.client_address import client_address
from bot.web.request_body import RequestBodyError, read_body
from jobs.manual_runs import AlreadyRunning, run_now
from jobs.periods import Period
from reports.window import SCHEDULE_WINDOW
from reports.window_words import parse_period_words
from storage import schedules as schedule_repo
from storage.models import RunTrigger
from storage.tokens import team_for_token

log = logging.getLogger(__name__)
PATH = "/api/v1/runs"
MAX_BODY = 16 * 1024


def handle_trigger(environ, deps: BotDeps) -> tuple[int, dict]:
    """Return (HTTP status, JSON body) for one trigger request; the token is checked before the body is read."""
    if environ.get("REQUEST_METHOD") != "POST":
        return 405, {"error": "use POST"}
    caller = client_address(environ, deps.settings.trusted_proxies)
    auth = environ.get("HTTP_AUTHORIZATION", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    with deps.jobs.database.session() as session:
        team_id = team_for_token(session, token, deps.jobs.now()) if token else None
    if team_id is None:
        log.info("trigger API: refused a request without a valid token from %s", caller)
        return 401, {"error": "missing or invalid token"}
    try:
        raw = read_body(environ, MAX_BODY)
        payload = json.loads(raw) if raw else None
        ref = str(payload["schedule"]).strip()
        words = payload.get("period")
    except RequestBodyError as exc:
        return exc.status, {"error": f"send a JSON body of at most {MAX_BODY} bytes"}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):  # RecursionError: "[[[[…" nested thousands deep
        return 400, {"error": 'the body must be JSON like {"schedule": "<name or id>"}'}
    with deps.jobs.database.session() as session:
        schedule = schedule_repo.find_schedule(session, team_id, ref)
    if schedule is None:
        return 404, {"error": f"no schedule {ref!r} in this workspace"}
    chosen = parse_period_words(str(words)[:100]) if words is not None else None
    if words is not None and chosen is None:
        return 400, {"error": 'unknown "period"; say e.g. "last week", "last month", "last 7 days", '
                              '"month to date" or "as scheduled"'}
    period = Period(*chosen) if chosen and chosen[0] != SCHEDULE_WINDOW else None
    outcome = run_now(deps.jobs, schedule, user_id="api", surface="api", enqueue=deps.enqueue, trigger=RunTrigger.API,
                      period=period, audit_details={"ip": caller})
    if isinstance(outcome, AlreadyRunning):
        return 409, {"error": "a run of this schedule is already in flight", "run_id": outcome.run_id}
    log.info("api started run %s of schedule %s for %s", outcome.run_id, schedule.id, caller)
    return 202, {"run_id": outcome.run_id, "schedule_id": schedule.id}
