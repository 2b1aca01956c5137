"""The period a schedule's reports cover, in words for the read-back, `/report show`, the modal and
Home: what every report covers ("the previous day; Mondays: Friday to Sunday") and the next one's
dates ("Mon 30 Nov – Sun 6 Dec 2026 (week 49)")."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from jobs.cadence import Cadence
from jobs.periods import Period, period_unit, schedule_setting, window_for
from jobs.slots import compiled_cadence
from reports.errors import ReportError
from reports.window import SCHEDULE_WINDOW, Window
from reports.window_words import setting_phrase, window_phrase

SAMPLED = 30  # the next slots looked at to say what reports cover in general
_FALLBACK = {"day": "the days since the previous report", "week": "the weeks since the previous report",
             "month": "the months since the previous report", "quarter": "the quarters since the previous report",
             "year": "the years since the previous report"}


def upcoming_windows(period: Period, cadence: Cadence, now: dt.datetime, *, week_start: int = 0,
                     count: int = SAMPLED) -> list[tuple[dt.datetime, Window]]:
    """The next slots after `now` with the window each will cover."""
    return [(slot, window_for(period, slot=slot, cadence=cadence, timezone=cadence.timezone, week_start=week_start))
            for slot in cadence.next_runs(now, count)]


def period_phrase(period: Period, cadence: Cadence | None, now: dt.datetime, *, week_start: int = 0) -> str:
    """What the schedule's reports cover, in general ("the previous week")."""
    if period.kind != SCHEDULE_WINDOW or cadence is None:
        return setting_phrase(period.kind, period.n)
    windows = upcoming_windows(period, cadence, now, week_start=week_start)
    if not windows:
        return setting_phrase(period.kind, period.n)
    return _general(windows, period_unit(cadence))


def period_sentence(period: Period, cadence: Cadence | None, now: dt.datetime, *, week_start: int = 0) -> str:
    """"Covers the previous week — the next report: Mon 30 Nov – Sun 6 Dec 2026 (week 49), Europe/Berlin"."""
    general = period_phrase(period, cadence, now, week_start=week_start)
    upcoming = upcoming_windows(period, cadence, now, week_start=week_start, count=1) if cadence else []
    if not upcoming:
        return f"Covers {general}."
    return f"Covers {general} — the next report: {upcoming[0][1].label}"


def schedule_cadence(schedule) -> Cadence | None:
    """A stored schedule's cadence, or None when an older version stored something unreadable."""
    try:
        return compiled_cadence(schedule.cadence)
    except Exception:
        return None


def schedule_period(schedule, now: dt.datetime, *, week_start: int = 0, sentence: bool = False) -> str:
    """What a stored schedule's reports cover: the phrase ("the previous week"), or with `sentence`
    the phrase and the next report's dates."""
    setting = schedule_setting(schedule.report_type, schedule.params)
    words = period_sentence if sentence else period_phrase
    try:
        return words(setting, schedule_cadence(schedule), now, week_start=week_start)
    except ReportError:  # a window stored by an older version that is not one any more
        return ""


def covers(window: Window) -> str:
    """One window in words: "the previous week, Mon 30 Nov – Sun 6 Dec 2026 (week 49), Europe/Berlin"."""
    return f"{window_phrase(window)}, {window.label}"


def _general(windows: list[tuple[dt.datetime, Window]], unit: str) -> str:
    phrases = [window_phrase(window) for _, window in windows]
    if len(set(phrases)) == 1:
        return phrases[0]
    if unit == "day":
        return _days_by_weekday(windows)
    common, times = Counter(phrases).most_common(1)[0]
    if unit == "exact" and times * 10 >= len(phrases) * 6:
        return f"{common} (after a break, everything since the previous report)"
    return _FALLBACK.get(unit, "everything since the previous report")


def _days_by_weekday(windows: list[tuple[dt.datetime, Window]]) -> str:
    """"the previous day (Mondays: Friday to Sunday)": the days each weekday's report usually covers,
    and a note when a holiday or an exclusion makes some longer."""
    usual: dict[int, Counter] = {}
    for slot, window in windows:
        first, last = window.local_start, window.local_end - dt.timedelta(microseconds=1)
        span = "" if first.date() == last.date() else f"{first:%A} to {last:%A}"
        if (last.date() - first.date()).days >= 7:
            span = "long"
        usual.setdefault(slot.astimezone(window.zone).weekday(), Counter())[span] += 1
    longer: list[str] = []
    irregular = False
    for weekday, spans in sorted(usual.items()):
        span, seen = spans.most_common(1)[0]
        irregular = irregular or seen < sum(spans.values())
        if span == "long":
            return _FALLBACK["day"]
        if span:
            longer.append(f"{_WEEKDAYS[weekday]}s: {span}")
    if len(longer) > 3:
        return _FALLBACK["day"]
    one_day = len(longer) < len(usual)
    notes = longer + (["longer after a holiday or a skipped day"] if irregular else [])
    head = "the previous day" if one_day else _FALLBACK["day"]
    return f"{head} ({'; '.join(notes)})" if notes else head


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
