"""The `reportbot cadence` command: preview how a schedule in plain words is understood."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from zoneinfo import ZoneInfo

from jobs.cadence import CadenceError, parse


def register(subparsers) -> None:
    """Add the `cadence` sub-command to an argparse subparsers object."""
    command = subparsers.add_parser(
        "cadence",
        help="preview a schedule written in plain words",
        description="Show how a schedule is understood: the sentence, the normalised rule, and the next runs.",
    )
    command.add_argument("text", help="the schedule, e.g. \"every weekday at 9am\" or \"0 9 * * 1-5\"")
    command.add_argument("--tz", default="UTC", help="your IANA time zone (default UTC), e.g. Europe/Berlin")
    command.add_argument("--count", type=int, default=5, help="how many upcoming runs to list (default 5)")
    command.add_argument("--after", help="list runs after this ISO date-time instead of now")
    command.add_argument("--date-order", choices=["MDY", "DMY"],
                         help="how to read numeric dates such as 5/6 (default: ask when both readings are dates)")
    command.add_argument("--json", action="store_true", help="print one JSON object for scripts")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the preview; return 2 with the message on stderr when the schedule is not understood."""
    try:
        after = _after(args.after)
        if args.count < 1:
            raise CadenceError("--count must be at least 1.")
        cadence = parse(args.text, args.tz, now=after, date_order=args.date_order)
    except CadenceError as error:
        print(error, file=sys.stderr)
        return 2
    runs = cadence.next_runs(after, args.count)
    zone = ZoneInfo(cadence.timezone)
    if args.json:
        print(json.dumps(_as_json(cadence, runs, zone)))
    else:
        print(_as_text(cadence, runs, zone))
    return 0


def _after(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CadenceError(f"--after wants an ISO date-time like 2026-03-04T12:00+00:00, not '{text}'.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _as_text(cadence, runs: list[dt.datetime], zone: ZoneInfo) -> str:
    lines = [cadence.describe(), f"Rule: {cadence.rule}", "Next runs:" if runs else "No further runs."]
    for run_at in runs:
        local = run_at.astimezone(zone)
        lines.append(f"  {local:%a %Y-%m-%d %H:%M} {local.tzname():<6} {run_at:%Y-%m-%d %H:%M} UTC")
    return "\n".join(lines)


def _as_json(cadence, runs: list[dt.datetime], zone: ZoneInfo) -> dict:
    return {
        "text": cadence.text,
        "description": cadence.describe(),
        "rule": cadence.rule,
        "timezone": cadence.timezone,
        "next_runs": [{"local": r.astimezone(zone).isoformat(), "utc": r.isoformat()} for r in runs],
        "cadence": cadence.to_json(),
    }
