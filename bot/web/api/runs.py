"""Runs: start one now, list a schedule's, read one with its deliveries and files, download a file;
and the older trigger (POST /api/v1/runs, a schedule named in the body)."""

from __future__ import annotations

from bot.acting import Need
from bot.schedules import find_or_explain, get_live
from bot.web.api.actor import act_on
from bot.web.api.models import (
    DeliveryOut,
    FileOut,
    PageQuery,
    RunNowIn,
    RunOut,
    RunPage,
    RunStarted,
    TriggerIn,
)
from bot.web.api.paging import decode_cursor, encode_cursor
from bot.web.api.problems import ApiProblem, FieldError, invalid
from bot.web.api.routes import Answer, Request, route
from bot.web.downloads import SAFE_HEADERS, UNREADABLE, chunks, open_artifact
from jobs.access import Access
from jobs.delivery.plan import shown_key
from jobs.manual_runs import AlreadyRunning, CoolingDown, manual_covers, run_now
from jobs.periods import Period
from reports.window import SCHEDULE_WINDOW
from reports.window_words import parse_period_words
from storage.api_pages import runs_page
from storage.audit import record
from storage.models import Artifact, Run, RunTrigger

CHUNK = 256 * 1024
PERIOD_HINT = 'say e.g. "last week", "last month", "last 7 days", "month to date" or "as scheduled"'


def _period(words: str | None, field: str = "period") -> Period | None:
    if words is None:
        return None
    chosen = parse_period_words(words[:100])
    if chosen is None:
        raise invalid([FieldError(field, f"I don't know the period “{words[:60]}”; {PERIOD_HINT}.")])
    return Period(*chosen) if chosen[0] != SCHEDULE_WINDOW else None


def _start(request: Request, schedule_id: int, period: Period | None) -> Answer:
    """Start a run as `/report run` does: the same permission, one in flight, the run-now cool-down."""
    deps, caller = request.deps, request.caller
    acting = act_on(request, schedule_id, Need.RUN)
    schedule = acting.schedule
    policy = deps.policy(caller.team_id)
    cooldown = 0 if acting.person.is_admin else policy.run_now_cooldown_seconds
    covers = manual_covers(schedule, deps.jobs.now(), period, policy.week_start)
    outcome = run_now(deps.jobs, schedule, user_id=caller.actor, surface="api", enqueue=deps.enqueue,
                      trigger=RunTrigger.API, cooldown_seconds=cooldown, period=period,
                      audit_details={"ip": caller.ip, "token_id": caller.token_id})
    if isinstance(outcome, AlreadyRunning):
        raise ApiProblem(409, f"A run of “{schedule.name}” is already in flight (run {outcome.run_id}).")
    if isinstance(outcome, CoolingDown):
        raise ApiProblem(429, f"“{schedule.name}” was run by hand moments ago; try again in {outcome.seconds_left} s.",
                         headers=(("Retry-After", str(outcome.seconds_left)),))
    return Answer(202, RunStarted(run_id=outcome.run_id, schedule_id=schedule.id, covers=covers))


@route("POST", "/schedules/{schedule_id}/runs", summary="Run a schedule now", scope="run", status=202,
       body=RunNowIn, body_optional=True, response=RunStarted, errors=(400, 401, 403, 404, 409, 413, 422, 429))
def run_schedule_now(request: Request) -> Answer:
    return _start(request, request.params["schedule_id"], _period(request.body.period if request.body else None))


@route("POST", "/runs", summary="Start a run of a schedule named in the body (the trigger endpoint)", scope="run",
       status=202, body=TriggerIn, response=RunStarted, errors=(400, 401, 403, 404, 409, 413, 429),
       invalid_status=400, error_member=True)
def trigger_run(request: Request) -> Answer:
    body: TriggerIn = request.body
    schedule = find_or_explain(request.deps, request.caller.team_id, body.schedule)
    try:
        period = _period(body.period)
    except ApiProblem as exc:
        raise ApiProblem(400, exc.errors[0].message, errors=exc.errors) from None
    return _start(request, schedule.id, period)


def _files(run: Run) -> list[FileOut]:
    return [FileOut(id=a.id, format=a.format, filename=a.filename, content_type=a.content_type, size=a.size,
                    sha256=a.sha256, download=f"/api/v1/runs/{run.id}/files/{a.id}") for a in run.artifacts]


def _run_out(run: Run, access: Access) -> RunOut:
    deliveries = [DeliveryOut(id=d.id, destination=shown_key(d.destination), status=d.status, attempts=d.attempts,
                              last_error=d.last_error, sent_at=d.sent_at) for d in run.deliveries]
    return RunOut(id=run.id, schedule_id=run.schedule_id, status=run.status, trigger=run.trigger,
                  triggered_by=run.triggered_by, scheduled_for=run.scheduled_for, started_at=run.started_at,
                  finished_at=run.finished_at, row_count=run.row_count, error=run.error, files=_files(run),
                  deliveries=deliveries if access == Access.FULL else None)


@route("GET", "/schedules/{schedule_id}/runs", summary="List a schedule's runs, newest first (paged)", scope="read",
       query=PageQuery, response=RunPage, errors=(401, 403, 404, 422, 429))
def list_runs(request: Request) -> Answer:
    acting = act_on(request, request.params["schedule_id"], Need.READ)
    query: PageQuery = request.query
    with request.deps.jobs.database.session() as session:
        found = runs_page(session, acting.schedule.id, before_id=decode_cursor(query.cursor), limit=query.limit + 1)
        items = [_run_out(run, acting.access) for run in found[:query.limit]]
    more = len(found) > query.limit
    return Answer(200, RunPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None))


def _readable_run(request: Request, run_id: int):
    """The run and the caller's access to its schedule; 404 for another workspace's or an unknown run."""
    with request.deps.jobs.database.session() as session:
        run = session.get(Run, run_id)
    if run is None:
        raise ApiProblem(404, f"There is no run {run_id}.")
    schedule = get_live(request.deps, request.caller.team_id, run.schedule_id)
    return run, act_on(request, schedule, Need.READ)


@route("GET", "/runs/{run_id}", summary="Read a run with its deliveries and files", scope="read", response=RunOut,
       errors=(401, 403, 404, 429))
def get_run(request: Request) -> Answer:
    run, acting = _readable_run(request, request.params["run_id"])
    return Answer(200, _run_out(run, acting.access))


@route("GET", "/runs/{run_id}/files/{file_id}", summary="Download a file a run made (streamed)", scope="read",
       content_type="application/octet-stream", errors=(401, 403, 404, 410, 429, 503))
def download_file(request: Request) -> Answer:
    run, acting = _readable_run(request, request.params["run_id"])
    deps, caller = request.deps, request.caller
    with deps.jobs.database.session() as session:
        artifact = session.get(Artifact, request.params["file_id"])
        if artifact is None or artifact.run_id != run.id:
            raise ApiProblem(404, f"Run {run.id} has no file {request.params['file_id']}.")
        handle = open_artifact(deps.jobs, artifact.storage_key)
        if handle is None:
            raise ApiProblem(410, "This file has been removed (reports are kept for a limited time).")
        if handle is UNREADABLE:
            raise ApiProblem(503, "The file cannot be read at the moment; try again later.",
                             headers=(("Retry-After", "30"),))
        record(session, team_id=caller.team_id, schedule_id=acting.schedule.id, actor=caller.actor,
               action="download", surface="api",
               details={"run_id": run.id, "artifact_id": artifact.id, "file": artifact.filename, "ip": caller.ip,
                        "token_id": caller.token_id})
        name = artifact.filename.encode("ascii", "replace").decode().replace('"', "")
        headers = (("Content-Type", artifact.content_type), ("Content-Length", str(artifact.size)),
                   ("Content-Disposition", f'attachment; filename="{name}"'), *SAFE_HEADERS)
    wrapper = request.environ.get("wsgi.file_wrapper")
    return Answer(200, headers=headers, stream=wrapper(handle, CHUNK) if wrapper is not None else chunks(handle))
