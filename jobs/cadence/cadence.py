"""The Cadence value: the user's words, the rule they mean, and fast next-run lookups."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from jobs.cadence.cron import match_cron, parse_cron
from jobs.cadence.dates import DATE_ORDERS
from jobs.cadence.describe import describe
from jobs.cadence.display import rule_text
from jobs.cadence.engine import compile_spec
from jobs.cadence.errors import CadenceError
from jobs.cadence.limits import pin_first
from jobs.cadence.model import (
    Calendar,
    Several,
    Spec,
    Weekdays,
    spec_from_dict,
    spec_to_dict,
)
from jobs.cadence.resolve import resolve
from jobs.cadence.several import combine, read_rules
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
        if isinstance(self.spec, Several):
            parts = tuple(_anchored_part(part, at, self.timezone) for part in self.spec.parts)
            spec: Spec = replace(self.spec, parts=parts)
        else:
            spec = _anchored_part(self.spec, at, self.timezone)
        return self if spec == self.spec else Cadence(self.text, spec, self.timezone)

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


def _anchored_part(spec: Spec, at: dt.datetime, zone: str) -> Spec:
    if not (isinstance(spec, Calendar) and isinstance(spec.days, Weekdays) and spec.days.every > 1) or spec.start:
        return spec
    runs = compile_spec(spec, zone).next_runs(at, 1)
    if not runs:
        return spec
    local = at.astimezone(ZoneInfo(zone)).date()
    start = runs[0].astimezone(ZoneInfo(zone)).date() if len(spec.days.days) == 1 else local
    return replace(spec, start=start)


def cadence_from_json(data: dict[str, Any]) -> Cadence:
    """Rebuild a cadence stored with `to_json`."""
    if data.get("version") != JSON_VERSION:
        raise CadenceError(f"Unknown cadence format version {data.get('version')!r}.")
    return Cadence(data["text"], spec_from_dict(data["spec"]), data["timezone"])


def parse(text: str, tz: str, *, now: dt.datetime | None = None, date_order: str | None = None) -> Cadence:
    """Understand a schedule typed by a user whose zone is `tz`.

    `now` anchors relative dates ('starting next monday') and counts ('10 times'); `date_order`
    ('MDY' or 'DMY', the person's locale) reads numeric dates such as 5/6, which are otherwise
    refused with a question naming both readings.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)} or None")
    now = now or dt.datetime.now(dt.UTC)
    try:
        return _parse(text, tz, now, date_order)
    except CadenceError as error:
        if not error.fallback:
            raise
        good = [fix for fix in dict.fromkeys(error.fixes)
                if fix.strip() and fix != text and "'" not in fix and _parses(fix, tz, now, date_order)]
        hint = "Try " + " or ".join(f"'{fix}'" for fix in good[:2]) + "." if good else error.fallback
        raise CadenceError(f"{error} {hint}") from None


def _parses(text: str, tz: str, now: dt.datetime, date_order: str | None) -> bool:
    try:
        _parse(text, tz, now, date_order)
    except CadenceError:
        return False
    return True


def _parse(text: str, tz: str, now: dt.datetime, date_order: str | None) -> Cadence:
    if not isinstance(text, str) or not text.strip():
        raise CadenceError("Tell me when, e.g. 'every monday at 9am'.")
    user_zone = check_zone(tz)
    cron = match_cron(text)
    if cron:
        expression, named = cron
        spec: Spec = parse_cron(expression)
        zone = _named_zone(named) if named else user_zone
    else:
        today = now.astimezone(ZoneInfo(user_zone)).date()
        drafts = read_rules(text, today, date_order)
        zone = drafts[0].zone or user_zone
        spec = pin_first(combine([resolve(draft) for draft in drafts]), zone, now, drafts[0].start_minute)
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
    if isinstance(spec, Several):
        spec = replace(spec.parts[0], first=spec.first)  # the parts share their bounds
    if not isinstance(spec, Calendar):
        return
    origin = dt.datetime.combine(spec.start, dt.time(), dt.UTC) - dt.timedelta(days=1) if spec.start \
        else _PROBE_FROM
    if not cadence.next_runs(origin, 1):
        if spec.until or spec.start:
            raise CadenceError(f"'{cadence.text}' never fires between its start and end dates. Check the dates.")
        raise CadenceError(f"'{cadence.text}' never falls on a real date. Check the day and month.")
