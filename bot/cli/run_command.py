"""The `reportbot run` command: run a schedule now, wait for its outcome and say it in words.

Exit codes: 0 delivered (or nothing to send), 1 failed, partly delivered, canceled or already
running, 2 no such schedule (or several: name the workspace with --team), 3 still unfinished when
--timeout ran out.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from jobs.views.slack_errors import plain_error
from storage.models import FINAL_RUN_STATUSES, RunStatus

DELIVERED, FAILED, NOT_FOUND, STILL_RUNNING = 0, 1, 2, 3
POLL_SECONDS = 0.5


def register(subparsers) -> None:
    """Add the `run` sub-command to an argparse subparsers object."""
    command = subparsers.add_parser(
        "run", help="run a schedule now and wait for its outcome",
        description="Run a schedule now (as /report run does) and print how it went. Exit code 0 when delivered, "
                    "1 when it failed or reached only some destinations, 2 when no schedule matches, 3 on timeout.")
    command.add_argument("schedule", help='the schedule\'s name or id, e.g. "daily sales" or 12')
    command.add_argument("--team", help="the workspace (team id, T…) when several have a schedule of that name")
    command.add_argument("--no-wait", action="store_true", help="return as soon as the run is started")
    command.add_argument("--timeout", type=float, default=600.0,
                         help="seconds to wait for the outcome (default 600)")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start the run; unless --no-wait, wait for it to settle and print the outcome."""
    from bot.cli.runtime import start_runtime
    from jobs import actors
    from jobs.manual_runs import AlreadyRunning, run_now
    from storage import schedules as schedule_repo

    _quiet_logs()
    # --no-wait leaves the work to the workers (Redis) or the running `reportbot serve`, so this
    # process starts no worker it would have to stop half-way.
    runtime = start_runtime(clock=False, embedded=False if args.no_wait else None)
    try:
        with runtime.context.database.session() as session:
            matches = schedule_repo.find_schedules(session, args.schedule, team_id=args.team)
        if len(matches) != 1:
            return _not_one(args, matches)
        schedule = matches[0]
        outcome = run_now(runtime.context, schedule, user_id="cli", surface="cli", enqueue=actors.enqueue)
        if isinstance(outcome, AlreadyRunning):
            which = f" (run {outcome.run_id})" if outcome.run_id else ""
            _say(f"“{schedule.name}” is already running{which}; try again when it has finished.", err=True)
            return FAILED
        _say(f"started run {outcome.run_id} of “{schedule.name}” (schedule {schedule.id})")
        if args.no_wait:
            if runtime.context.settings.redis_url is None:
                _say("Without REDIS_URL a running `reportbot serve` on this database picks it up within "
                     "DISPATCH_TIMEOUT seconds, or when it next starts.")
            return DELIVERED
        return _wait_and_tell(runtime, outcome.run_id, args.timeout)
    finally:
        runtime.stop()


def _not_one(args: argparse.Namespace, matches: list) -> int:
    where = f" in workspace {args.team}" if args.team else ""
    if not matches:
        _say(f"reportbot: no schedule called or numbered “{args.schedule}”{where}.", err=True)
    else:
        listed = ", ".join(f"{s.id} in {s.team_id}" for s in matches)
        _say(f"reportbot: several schedules are called “{args.schedule}” ({listed}); give its id, "
             "or the workspace with --team.", err=True)
    return NOT_FOUND


def _wait_and_tell(runtime, run_id: int, timeout: float) -> int:
    from jobs.progress import outcome_of
    from storage.models import Run, Schedule

    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        with runtime.context.database.session() as session:
            run = session.get(Run, run_id)
            if run.status in FINAL_RUN_STATUSES:
                outcome = outcome_of(run, session.get(Schedule, run.schedule_id), None)
                break
            status = run.status
        if time.monotonic() >= deadline:
            later = ("the workers finish it" if runtime.worker is None else
                     "`reportbot serve` on this database finishes it "
                     "(within DISPATCH_TIMEOUT seconds, or when it starts)")
            _say(f"run {run_id} is still {status} after {timeout:g} s; {later}. "
                 "Its outcome will show in `reportbot status` and on App Home.", err=True)
            return STILL_RUNNING
        time.sleep(POLL_SECONDS)
    _say(describe_outcome(outcome))
    return DELIVERED if outcome.status in (RunStatus.DELIVERED, RunStatus.SKIPPED) else FAILED


def describe_outcome(outcome) -> str:
    """A settled run (jobs.views.run_message.RunOutcome) in words for a terminal."""
    rows = f", {outcome.row_count:,} rows" if outcome.row_count is not None else ""
    sent = [d for d in outcome.destinations if d.status == "sent"]
    head = f"run {outcome.run_id} of “{outcome.name}”"
    if outcome.status == RunStatus.DELIVERED:
        where = ", ".join(d.label for d in sent) or "its destinations"
        lines = [f"delivered: {head} reached {where}{rows}."]
    elif outcome.status == RunStatus.PARTIAL:
        lines = [f"partly delivered: {head} reached {len(sent)} of {len(outcome.destinations)} destinations{rows}."]
    elif outcome.status == RunStatus.SKIPPED:
        lines = [f"nothing sent: {head} was skipped: {outcome.error or 'there was no data'}."]
    elif outcome.status == RunStatus.CANCELED:
        lines = [f"canceled: {head} was canceled."]
    else:
        lines = [f"failed: {head} failed: {plain_error(outcome.error)}."]
    # A failed run's error already names its destinations' errors; a partial one lists them here.
    if outcome.status == RunStatus.PARTIAL or (outcome.status == RunStatus.FAILED and not outcome.error):
        for result in outcome.destinations:
            reason = f": {plain_error(result.error)}" if result.error and result.status != "sent" else ""
            lines.append(f"  {result.label} — {result.status}{reason}")
    if outcome.schedule_paused:
        lines.append("The schedule paused itself after failing several times in a row; resume it with /report resume.")
    return "\n".join(lines)


def _quiet_logs() -> None:
    """Keep the terminal for the outcome: warnings only (LOG_LEVEL overrides), and nothing from the
    in-process worker's start and shutdown."""
    logging.getLogger().setLevel(os.environ.get("LOG_LEVEL", "WARNING").upper())
    logging.getLogger("dramatiq").setLevel(logging.ERROR)


def _say(text: str, *, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)
