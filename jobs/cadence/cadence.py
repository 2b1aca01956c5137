"""The Cadence value: the user's words, the rule they mean, and fast next-run lookups."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from jobs.cadence.cron import match_cron, parse_cron
from jobs.cadence.describe import describe
from jobs.cadence.display import rule_text
from jobs.cadence.engine import compile_spec
from jobs.cadence.errors import CadenceError
from jobs.cadence.grammar import read_draft
from jobs.cadence.model import Calendar, Spec, Weekdays, spec_from_dict, spec_to_dict
from jobs.cadence.resolve import resolve
from jobs.cadence.zones import check_zone, zone_from_word

JSON_VERSION = 1
_PROBE_FROM = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class Cadence:
    """A parsed schedule; equal when rule and effective zone are equal, whatever the wording."""

    __slots__ = ("_engine", "spec", "text", "timezone")

    def __init__(self, text: str, spec: Spec, timezone: str):
        self.text = text
        self.spec = spec
        self.timezone = timezone
        self._engine = compile_spec(spec, timezone)

    @property
    def rule(self) -> str:
        """Return the normalised rule (cron or RRULE) with its zone."""
        return rule_text(self.spec, self.timezone)

    def describe(self) -> str:
        """Say when this runs, in a sentence `parse` reads back to an equal cadence."""
        return describe(self.spec, self.timezone)

    def next_runs(self, after: dt.datetime, count: int) -> list[dt.datetime]:
        """Return the first `count` runs strictly after the aware datetime `after`, in UTC."""
        if after.tzinfo is None:
            raise ValueError("next_runs needs an aware datetime")
        return self._engine.next_runs(after, count)

    def next_run(self, after: dt.datetime) -> dt.datetime | None:
        """Return the first run strictly after `after`, or None when the schedule has ended."""
        runs = self._engine.next_runs(after, 1)
        return runs[0] if runs else None

    def anchored(self, at: dt.datetime) -> Cadence:
        """Pin an every-N-weeks rhythm to the weeks it has as seen from `at` (store this one).

        Rule 7 anchors such cadences on each call's `after`, so asking for the run after the
        previous run would drift to every week; a start date fixes the phase for good.
        """
        spec = self.spec
        if not (isinstance(spec, Calendar) and isinstance(spec.days, Weekdays) and spec.days.every > 1) or spec.start:
            return self
        first = self.next_run(at)
        if first is None:
            return self
        local = at.astimezone(ZoneInfo(self.timezone)).date()
        start = first.astimezone(ZoneInfo(self.timezone)).date() if len(spec.days.days) == 1 else local
        return Cadence(self.text, replace(spec, start=start), self.timezone)

    def to_json(self) -> dict[str, Any]:
        """Render as JSON data for storage."""
        return {"version": JSON_VERSION, "text": self.text, "timezone": self.timezone, "rule": self.rule,
                "spec": spec_to_dict(self.spec)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cadence):
            return NotImplemented
        return self.spec == other.spec and self.timezone == other.timezone

    def __hash__(self) -> int:
        return hash((self.spec, self.timezone))

    def __repr__(self) -> str:
        return f"Cadence({self.text!r}, rule={self.rule!r})"


def cadence_from_json(data: dict[str, Any]) -> Cadence:
    """Rebuild a cadence stored with `to_json`."""
    if data.get("version") != JSON_VERSION:
        raise CadenceError(f"Unknown cadence format version {data.get('version')!r}.")
    return Cadence(data["text"], spec_from_dict(data["spec"]), data["timezone"])


def parse(text: str, tz: str, *, now: dt.datetime | None = None) -> Cadence:
    """Understand a schedule typed by a user whose zone is `tz`; `now` anchors 'starting next monday'."""
    if not isinstance(text, str) or not text.strip():
        raise CadenceError("Tell me when, e.g. 'every monday at 9am'.")
    user_zone = check_zone(tz)
    cron = match_cron(text)
    if cron:
        expression, named = cron
        spec: Spec = parse_cron(expression)
        zone = _named_zone(named) if named else user_zone
    else:
        today = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(user_zone)).date()
        draft = read_draft(text, today)
        spec = resolve(draft)
        zone = draft.zone or user_zone
    cadence = Cadence(text.strip(), spec, zone)
    _check_fires(cadence)
    return cadence


def _named_zone(word: str) -> str:
    zone = zone_from_word(word)
    if not zone:
        raise CadenceError(f"I don't know the time zone '{word}'. Use an IANA name such as 'Europe/Berlin'.")
    return zone


def _check_fires(cadence: Cadence) -> None:
    spec = cadence.spec
    if not isinstance(spec, Calendar):
        return
    origin = dt.datetime.combine(spec.start, dt.time(), dt.UTC) - dt.timedelta(days=1) if spec.start \
        else _PROBE_FROM
    if not cadence.next_runs(origin, 1):
        if spec.until or spec.start:
            raise CadenceError(f"'{cadence.text}' never fires between its start and end dates. Check the dates.")
        raise CadenceError(f"'{cadence.text}' never falls on a real date. Check the day and month.")
