"""Several rules in one sentence: 'every monday at 9 and every friday at 5pm' is two rules, merged.

The text is cut at an 'and', ',' or ';' only where every part names its own days and its own times
and makes sense alone; 'mon, wed and fri at 9' and 'at 9 and 17 on weekdays' stay one rule. When
a ';' is there, only ';' cuts (so `describe` can say rules that contain an 'and' themselves). Bounds, zone, holiday
calendar, exclusions and count are said once and apply to every rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import cache

from jobs.cadence.draft import Draft
from jobs.cadence.errors import CadenceError
from jobs.cadence.grammar import read_draft
from jobs.cadence.lexer import Token, normalise, tokenize
from jobs.cadence.model import (
    BusinessDays,
    Calendar,
    MonthDays,
    NthWeekdays,
    Several,
    Spec,
    Weekdays,
)
from jobs.cadence.resolve import position_order, resolve

_CUTS = ("and", ",", ";")
_MOST_CUTS = 12  # a sentence of more rules is read as one; bounds the work a long text can cause
_SHARED = ("zone", "start", "until", "start_minute", "holidays", "count")
_DAY_KINDS = ("day", "month", "ord", "numdate")
_DAY_WORDS = ("weekday", "weekend", "business", "last")
_TIME_KINDS = ("time", "minute", "part")


def read_rules(text: str, today: dt.date, date_order: str | None = None) -> list[Draft]:
    """Parse a sentence into one draft per rule it states."""
    source = normalise(text)
    tokens = tokenize(source)
    drafts = [read_draft(part, text, source, today, date_order)
              for part in _split(tokens, text, source, today, date_order)]
    if len(drafts) > 1:
        _share(drafts, text)
    return drafts


def _split(tokens: list[Token], text: str, source: str, today: dt.date, order: str | None) -> list[list[Token]]:
    """Cut at the first separators that leave every part complete; no cut if there is no such split."""
    strong = [i for i, t in enumerate(tokens) if t.kind == "punct" and t.value == ";"]  # a ';' is the only cut then
    cuts = strong or [i for i, t in enumerate(tokens)
                      if t.kind in ("kw", "punct") and t.value in _CUTS and not _in_list(tokens, i)]
    if not cuts or len(cuts) > _MOST_CUTS:
        return [tokens]
    @cache
    def kind_of(start: int, end: int) -> str | None:
        kind = _part_kind(tokens[start:end], text, source, today, order)
        # A part that names only days borrows its times, so it must be marked off by "every" on each
        # side it is cut: "every monday and every friday at 5pm", not "monday, only in march".
        if kind == "days" and not all(_every(tokens, i) for i in (start, end + 1) if 0 < i < len(tokens)):
            return None
        return kind

    @cache
    def parts_from(start: int) -> tuple[tuple[int, int, str], ...] | None:
        for cut in (cut for cut in cuts if cut > start):
            kind = kind_of(start, cut)
            rest = parts_from(cut + 1) if kind else None
            # "every tuesday, every other month" is Tuesdays in alternate months, not two rules.
            if rest is not None and {kind, rest[0][2]} != {"days", "repeat"}:
                return ((start, cut, kind), *rest)
        kind = kind_of(start, len(tokens))
        return ((start, len(tokens), kind),) if kind else None

    parts = parts_from(0)
    if not parts or len(parts) == 1 or all(kind == "days" for _, _, kind in parts):
        return [tokens]
    return [tokens[start:end] for start, end, _ in parts]


def _every(tokens: list[Token], index: int) -> bool:
    return tokens[index].kind == "kw" and tokens[index].value == "every"


def _in_list(tokens: list[Token], index: int) -> bool:
    """Tell whether the separator at `index` joins items of one list ('9 and 17', 'monday and friday')."""
    before, after = tokens[index - 1], tokens[index + 1] if index + 1 < len(tokens) else None
    if after is None:
        return True
    kinds = {before.kind, after.kind}
    return kinds <= {"time", "num"} or len(kinds) == 1 and before.kind in ("day", "ord", "month", "numdate")


def _part_kind(tokens: list[Token], text: str, source: str, today: dt.date, order: str | None) -> str | None:
    """Say whether these tokens alone are a rule: "full" (days and times), "repeat" (times and a repeat such as
    'every other month' but no days), "days" (days, the times said elsewhere) or None."""
    if not _looks_like_days(tokens):
        return None
    try:
        draft = read_draft(tokens, text, source, today, order)
        if not draft.says_days() or draft.elapsed:
            return None
        resolve(replace(draft))  # resolving mutates a draft; a part must also make sense on its own
    except CadenceError:
        return None
    if not draft.says_times():
        return "days"
    return "full" if draft.names_days() else "repeat"


def _looks_like_days(tokens: list[Token]) -> bool:
    return any(t.kind in _DAY_KINDS or t.kind == "kw" and t.value in _DAY_WORDS
               or t.kind in ("unit", "freq") and t.value not in ("minute", "hour") for t in tokens)


def _looks_like_times(tokens: list[Token]) -> bool:
    return any(t.kind in _TIME_KINDS or t.kind == "kw" and t.value in ("morning", "at")
               or t.kind in ("unit", "freq") and t.value in ("minute", "hour") for t in tokens)


def _share(drafts: list[Draft], text: str) -> None:
    """Give every rule the bounds, zone, calendar, exclusions and count said once in the sentence,
    and a rule that names only days the times of the nearest rule after it (else before it)."""
    timed = [draft for draft in drafts if draft.says_times()]
    for index, draft in enumerate(drafts):
        if not draft.says_times():
            _borrow_times(draft, next((d for d in drafts[index:] if d in timed), timed[-1]))
    for name in _SHARED:
        values = {getattr(draft, name) for draft in drafts} - {None}
        if len(values) > 1:
            raise CadenceError(f"'{text}' gives its rules different {name.replace('_', ' ')}s. Say it once, "
                               "e.g. 'every monday at 9 and every friday at 5pm until the end of june'.")
        for draft in drafts:
            setattr(draft, name, next(iter(values), None))
    months = set().union(*(draft.except_months for draft in drafts))
    skip = set().union(*(draft.skip for draft in drafts))
    for draft in drafts:
        draft.except_months, draft.skip = months, skip


def _borrow_times(draft: Draft, source: Draft) -> None:
    for name in ("times", "bare_times", "window", "minute_offset", "morning", "part_of_day"):
        setattr(draft, name, getattr(source, name))
    if source.step and source.step[1] in ("minute", "hour"):
        draft.step = source.step  # "the 1st and every weekday every 30 minutes": the 1st every 30 minutes too


def combine(specs: list[Spec]) -> Spec:
    """Join the rules of one sentence, merging those that differ only in times or only in weekdays."""
    if len(specs) == 1:
        return specs[0]
    if not all(isinstance(spec, Calendar) for spec in specs):
        raise CadenceError("A schedule that counts from the last run can't be combined with other rules. "
                           "Try 'every 24 hours after the last run'.")
    count = specs[0].count
    parts = [replace(spec, count=None) for spec in specs]
    while len(parts) > 1 and (pair := _mergeable(parts)):
        first, second = pair
        parts[first] = _merge(parts[first], parts[second])
        del parts[second]
    if len(parts) == 1:
        return replace(parts[0], count=count)
    return Several(tuple(sorted(parts, key=repr)), count=count)


def _mergeable(parts: list[Calendar]) -> tuple[int, int] | None:
    pairs = ((i, j) for i in range(len(parts)) for j in range(i + 1, len(parts)))
    return next(((i, j) for i, j in pairs if _merge(parts[i], parts[j])), None)


def _merge(a: Calendar, b: Calendar) -> Calendar | None:
    if replace(a, times=b.times) == b:  # same days: one rule with both sets of times
        return replace(a, times=tuple(sorted(set(a.times) | set(b.times))))
    if replace(a, days=b.days) != b or type(a.days) is not type(b.days):
        return None
    if isinstance(a.days, Weekdays) and a.days.every == b.days.every == 1:  # same times: both sets of days
        return replace(a, days=Weekdays(tuple(sorted(set(a.days.days) | set(b.days.days)))))
    if isinstance(a.days, MonthDays | NthWeekdays | BusinessDays):
        field = next(iter(vars(a.days)))  # days, items or nth: a tuple of positions
        joined = sorted(set(getattr(a.days, field)) | set(getattr(b.days, field)), key=position_order)
        return replace(a, days=type(a.days)(tuple(joined)))
    return None
