"""The trigger API: start a run from another system (event-driven reports).

    POST /api/v1/runs
    Authorization: Bearer rbt_…            (a per-workspace token: `reportbot token create T…`)
    {"schedule": "daily sales"}            (a schedule's name or id in that workspace)

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
from storage import schedules as schedule_repo
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
    except RequestBodyError as exc:
        return exc.status, {"error": f"send a JSON body of at most {MAX_BODY} bytes"}
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: "[[[[…" nested thousands deep
        return 400, {"error": 'the body must be JSON like {"schedule": "<name or id>"}'}
    with deps.jobs.database.session() as session:
        schedule = schedule_repo.find_schedule(session, team_id, ref)
    if schedule is None:
        return 404, {"error": f"no schedule {ref!r} in this workspace"}
    outcome = run_now(deps.jobs, schedule, user_id="api", surface="api", enqueue=deps.enqueue,
                      audit_details={"ip": caller})
    if isinstance(outcome, AlreadyRunning):
        return 409, {"error": "a run of this schedule is already in flight", "run_id": outcome.run_id}
    log.info("api started run %s of schedule %s for %s", outcome.run_id, schedule.id, caller)
    return 202, {"run_id": outcome.run_id, "schedule_id": schedule.id}
