"""Shared helpers for the cadence tests: runs as people read them, refusals, and the suggestions in them."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from jobs.cadence import CadenceError, parse
from jobs.cadence.zones import zone_from_word

# Tuesday 2026-03-03 08:00 UTC: before 09:00 in London and Berlin, after it in Kolkata and Sydney.
TUESDAY = dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC)
_SUGGESTION_START = re.compile(r"\b(?:Try|e\.g\.|Did you mean|For example|such as)\b")
_QUOTED = re.compile(r"(?<![\w])'([^']+)'(?![\w])")


def local_runs(text: str, tz: str = "UTC", count: int = 3, after: dt.datetime = TUESDAY, **options) -> list[str]:
    """Parse `text` as typed at `after` and list the next runs on the cadence's own wall clock."""
    cadence = parse(text, tz, now=after, **options)
    zone = ZoneInfo(cadence.timezone)
    return [run.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") for run in cadence.next_runs(after, count)]


def error_for(text: str, tz: str = "UTC", now: dt.datetime = TUESDAY, **options) -> str:
    """Return the message of the CadenceError `parse` raises for `text`."""
    with pytest.raises(CadenceError) as caught:
        parse(text, tz, now=now, **options)
    return str(caught.value)


def suggestions(message: str) -> list[str]:
    """The quoted phrases a message offers as fixes (after 'Try', 'e.g.', 'Did you mean'...)."""
    found = _SUGGESTION_START.search(message)
    return _QUOTED.findall(message[found.start():]) if found else []


def parses_or_names_a_zone(phrase: str, now: dt.datetime = TUESDAY) -> bool:
    """Tell whether a suggested phrase is a schedule `parse` reads, or a zone name for the zone slot."""
    try:
        parse(phrase, "UTC", now=now)
        return True
    except CadenceError:
        try:
            return zone_from_word(phrase) is not None
        except CadenceError:
            return False


def table(*rows):
    """Parametrise a test over (text, expected) rows, each row named by its text."""
    return pytest.mark.parametrize(("text", "expected"), rows, ids=[row[0] for row in rows])
