"""The alert state machine, table-driven: each row is a condition, the checks it sees (one every ten
minutes unless said) and the state and notice after each. Pure: no database, no clock."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from jobs.alerts.states import Notice, Observation, Outcome, Snapshot, decide
from reports.conditions import parse_condition
from tests.support.people import BOB

T0 = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
# Y = a value that meets the condition, n = a value that does not, N = no data, E = the check failed
SEEN = {"Y": Observation(Outcome.VALUE, True), "n": Observation(Outcome.VALUE, False),
        "N": Observation(Outcome.NO_DATA), "E": Observation(Outcome.ERROR)}
F, R, RM, ND, ER, RC, CH = (Notice.FIRING, Notice.RESOLVED, Notice.REMINDER, Notice.NO_DATA, Notice.ERROR,
                            Notice.RECOVERED, Notice.CHANGED)

# condition, checks, [(state, notice)] after each check
CASES = [
    ("fires once and resolves", "revenue < 10", "nYYnn",
     [("ok", None), ("firing", F), ("firing", None), ("resolved", R), ("ok", None)]),
    ("fires again after resolving", "revenue < 10", "YnY",
     [("firing", F), ("resolved", R), ("firing", F)]),
    ("waits for three checks in a row", "revenue < 10 for 3 checks", "YYnYYYY",
     [("pending", None), ("pending", None), ("ok", None), ("pending", None), ("pending", None), ("firing", F),
      ("firing", None)]),
    ("waits for thirty minutes", "revenue < 10 for 30 minutes", "YYYY",
     [("pending", None), ("pending", None), ("pending", None), ("firing", F)]),
    ("resolves quietly when asked", "revenue < 10, don't tell me when it resolves", "YnY",
     [("firing", F), ("resolved", None), ("firing", F)]),
    ("reminds after the re-arm period", "revenue < 10, remind every 30 minutes", "YYYYYYY",
     [("firing", F), ("firing", None), ("firing", None), ("firing", RM), ("firing", None), ("firing", None),
      ("firing", RM)]),
    ("no data is its own state", "revenue < 10", "nNNnN",
     [("ok", None), ("no_data", ND), ("no_data", None), ("ok", RC), ("no_data", ND)]),
    ("no data keeps the last state", "revenue < 10, if no data keep the last state", "YNNn",
     [("firing", F), ("firing", None), ("firing", None), ("resolved", R)]),
    ("no data counts as firing", "revenue < 10, treat no data as firing", "nNn",
     [("ok", None), ("firing", F), ("resolved", R)]),
    ("no data counts as OK", "revenue < 10, treat no data as ok", "YN",
     [("firing", F), ("resolved", R)]),
    ("a failed check is its own state", "revenue < 10", "YEEY",
     [("firing", F), ("error", ER), ("error", None), ("firing", F)]),
    ("a failed check counts as OK when asked", "revenue < 10, treat errors as ok", "YE",
     [("firing", F), ("resolved", R)]),
    ("a failed check keeps a pending count", "revenue < 10 for 2 checks, on error keep", "YEY",
     [("pending", None), ("pending", None), ("firing", F)]),
    ("values again after no data, condition met", "revenue < 10", "NY",
     [("no_data", ND), ("firing", F)]),
    ("each change is news", "only if it changed", "YnYY",
     [("firing", CH), ("ok", None), ("firing", CH), ("firing", CH)]),
    ("a change alert resolves quietly", "revenue drops by more than 10%", "Yn",
     [("firing", F), ("resolved", None)]),
]


def _after(before: Snapshot, step, at: dt.datetime) -> Snapshot:
    """What the check's transaction writes back (jobs.alerts.evaluate._apply), as a snapshot."""
    changes = dict(state=step.state, announced=step.announced, state_since=step.state_since,
                   pending_since=step.pending_since, pending_checks=step.pending_checks,
                   failed_checks=step.failed_checks)
    if step.notice:
        changes["last_notified_at"] = at
    if step.snooze_ends:
        changes.update(snoozed_until=None, snoozed_until_resolved=False, snoozed_by=None)
    return dataclasses.replace(before, **changes)


def run_checks(text: str, checks: str, start: Snapshot | None = None, every: int = 10):
    condition = parse_condition(text)
    snapshot, steps = start or Snapshot(), []
    for i, letter in enumerate(checks):
        at = T0 + dt.timedelta(minutes=every * i)
        step = decide(snapshot, SEEN[letter], condition, at)
        steps.append(step)
        snapshot = _after(snapshot, step, at)
    return steps, snapshot


@pytest.mark.parametrize("name,text,checks,expected", CASES, ids=[c[0] for c in CASES])
def test_states_over_checks(name, text, checks, expected):
    steps, _ = run_checks(text, checks)
    assert [(s.state, s.notice) for s in steps] == expected


def test_failed_checks_are_counted_in_a_row():
    steps, _ = run_checks("revenue < 10, treat errors as ok", "EEnE")
    assert [s.failed_checks for s in steps] == [1, 2, 0, 1]


def test_a_state_remembers_since_when():
    steps, _ = run_checks("revenue < 10", "nYYn")
    assert [s.state_since for s in steps] == [T0, T0 + dt.timedelta(minutes=10), T0 + dt.timedelta(minutes=10),
                                              T0 + dt.timedelta(minutes=30)]


SNOOZED_30_MIN = Snapshot(snoozed_until=T0 + dt.timedelta(minutes=25), snoozed_by=BOB)


def test_a_timed_snooze_holds_the_notice_back_until_it_ends():
    steps, after = run_checks("revenue < 10", "YYYY", start=SNOOZED_30_MIN)
    assert [(s.state, s.notice, s.muted_by) for s in steps] == [
        ("firing", None, BOB), ("firing", None, BOB), ("firing", None, BOB),
        ("firing", F, None)]  # the first check after the snooze tells what happened meanwhile
    assert steps[3].snooze_ends and after.snoozed_until is None


def test_what_fired_and_resolved_during_a_snooze_is_never_told():
    steps, _ = run_checks("revenue < 10", "Ynnn", start=SNOOZED_30_MIN)
    assert [s.notice for s in steps] == [None, None, None, None]
    assert steps[0].muted_by == BOB


def test_a_snooze_until_resolved_mutes_reminders_then_tells_the_resolution():
    firing = Snapshot(state="firing", announced="firing", last_notified_at=T0 - dt.timedelta(hours=2),
                      snoozed_until_resolved=True, snoozed_by=BOB)
    steps, after = run_checks("revenue < 10, remind every hour", "YYn", start=firing)
    assert [(s.notice, s.muted_by) for s in steps] == [(None, BOB), (None, BOB), (R, None)]
    assert steps[2].snooze_ends and not after.snoozed_until_resolved


def test_a_snooze_until_resolved_outlasts_no_data():
    firing = Snapshot(state="firing", announced="firing", snoozed_until_resolved=True, snoozed_by=BOB)
    steps, after = run_checks("revenue < 10", "N", start=firing)
    assert (steps[0].state, steps[0].notice, steps[0].muted_by) == ("no_data", None, BOB)
    assert after.snoozed_until_resolved
