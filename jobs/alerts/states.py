"""How an alert moves between states over its checks, and when a check tells the destinations. Pure.

    OK ──met──▶ PENDING ──met for N checks / T minutes──▶ FIRING ──not met──▶ RESOLVED ──▶ OK
    any ──no data / failed check (policy "own")──▶ NO_DATA / ERROR ──value again──▶ OK or PENDING

Without a waiting period a met condition fires at once. No data and failed checks follow the
condition's policy: their own state (the default), keep the last state, count as met, or count as
not met — never silently OK unless the alert was told to.

What the destinations were last told (`announced`: ok, firing, no_data or error) is kept apart
from the state: a notice goes out when the state's outward meaning differs from it, so a snoozed
alert that started firing is announced at the first check after the snooze ends, and an alert
that fired and resolved while snoozed sends nothing. While firing, a reminder goes out after the
re-arm period (by default never, until it resolves). Change-detection conditions ("only if it
changed") are events: each check that finds new data sends a notice, and there is nothing to
resolve.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports.conditions import Condition, Policy
from storage.models import AlertStates as S


class Outcome:
    VALUE = "value"
    NO_DATA = "no_data"
    ERROR = "error"


class Notice:
    """What a check tells the alert's destinations."""

    FIRING = "firing"
    RESOLVED = "resolved"
    REMINDER = "reminder"  # still firing, after the re-arm period
    NO_DATA = "no_data"
    ERROR = "error"
    RECOVERED = "recovered"  # a value again after no data or failed checks
    CHANGED = "changed"


@dataclass(frozen=True)
class Snapshot:
    """The alert before a check (copied from its AlertState row)."""

    state: str = S.OK
    announced: str = S.OK
    state_since: dt.datetime | None = None
    pending_since: dt.datetime | None = None
    pending_checks: int = 0
    last_notified_at: dt.datetime | None = None
    failed_checks: int = 0
    snoozed_until: dt.datetime | None = None
    snoozed_until_resolved: bool = False
    snoozed_by: str | None = None


@dataclass(frozen=True)
class Observation:
    """What a check found: a value that meets the condition or not, no data, or an error."""

    outcome: str
    met: bool | None = None


@dataclass(frozen=True)
class Step:
    """The alert after a check, and what to tell whom."""

    state: str
    announced: str
    state_since: dt.datetime | None
    pending_since: dt.datetime | None
    pending_checks: int
    failed_checks: int
    notice: str | None = None
    muted_by: str | None = None  # a notice was due and a snooze held it back
    snooze_ends: bool = False  # the snooze is over (its time passed, or the alert resolved)


def outward(state: str) -> str:
    """What a state means to the people told: firing, no data, error, or all is well."""
    return state if state in (S.FIRING, S.NO_DATA, S.ERROR) else S.OK


def decide(before: Snapshot, seen: Observation, condition: Condition, at: dt.datetime) -> Step:
    """The alert's state after a check at `at` (the check's slot) and the notice it sends, if any."""
    state, pending_since, pending_checks = _next_state(before, seen, condition, at)
    failed = before.failed_checks + 1 if seen.outcome == Outcome.ERROR else 0
    since = before.state_since if state == before.state and before.state_since else at
    public = outward(state)
    snooze_over = _snooze_over(before, public, at)
    muted = _muted(before, public, at) and not snooze_over
    step = dict(state=state, announced=before.announced, state_since=since, pending_since=pending_since,
                pending_checks=pending_checks, failed_checks=failed, snooze_ends=snooze_over)
    due = _due_notice(before, condition, seen, state, public, at)
    if due is None:
        if public == S.OK and before.announced == S.FIRING and not condition.tells_resolved:
            step["announced"] = S.OK  # resolved quietly, as asked
        return Step(**step)
    if muted:
        return Step(**step, muted_by=before.snoozed_by or "someone")
    if due != Notice.CHANGED:
        step["announced"] = public
    return Step(**step, notice=due)


def _next_state(before: Snapshot, seen: Observation, condition: Condition,
                at: dt.datetime) -> tuple[str, dt.datetime | None, int]:
    met = seen.met
    if seen.outcome != Outcome.VALUE:
        policy = condition.options.no_data if seen.outcome == Outcome.NO_DATA else condition.options.on_error
        if policy == Policy.OWN:
            return (S.NO_DATA if seen.outcome == Outcome.NO_DATA else S.ERROR), None, 0
        if policy == Policy.KEEP:
            return before.state, before.pending_since, before.pending_checks
        met = policy == Policy.FIRING
    if not met:
        return (S.RESOLVED if before.state == S.FIRING and not condition.is_event else S.OK), None, 0
    if condition.is_event or before.state == S.FIRING:
        return S.FIRING, None, 0
    pending_since = before.pending_since if before.state == S.PENDING and before.pending_since else at
    checks = (before.pending_checks if before.state == S.PENDING else 0) + 1
    options = condition.options
    waited_enough = (options.for_checks is None or checks >= options.for_checks) and (
        options.for_seconds is None or (at - pending_since).total_seconds() >= options.for_seconds)
    return (S.FIRING, None, 0) if waited_enough else (S.PENDING, pending_since, checks)


def _due_notice(before: Snapshot, condition: Condition, seen: Observation, state: str, public: str,
                at: dt.datetime) -> str | None:
    if condition.is_event:
        return Notice.CHANGED if state == S.FIRING else None
    if public != before.announced:
        if public == S.FIRING:
            return Notice.FIRING
        if public == S.NO_DATA:
            return Notice.NO_DATA
        if public == S.ERROR:
            return Notice.ERROR
        if before.announced == S.FIRING:
            return Notice.RESOLVED if condition.tells_resolved else None
        return Notice.RECOVERED if seen.outcome == Outcome.VALUE else None
    rearm = condition.options.rearm_seconds
    if public == S.FIRING and rearm and before.last_notified_at is not None \
            and (at - before.last_notified_at).total_seconds() >= rearm:
        return Notice.REMINDER
    return None


def _muted(before: Snapshot, public: str, at: dt.datetime) -> bool:
    if before.snoozed_until is not None and before.snoozed_until > at:
        return True
    return before.snoozed_until_resolved and public != S.OK


def _snooze_over(before: Snapshot, public: str, at: dt.datetime) -> bool:
    """A timed snooze ends when its time has passed; "until resolved" ends when all is well again."""
    if before.snoozed_until is not None:
        return before.snoozed_until <= at
    return before.snoozed_until_resolved and public == S.OK
