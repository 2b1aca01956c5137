"""Alerts end to end on SQLite and PostgreSQL, through the Slack emulator: a real `sql` report on a
SQLite warehouse whose numbers change between checks, the tick, the worker's generate and deliver.
What people notice: one message when it fires, none while it keeps firing, one when it resolves;
no data and failed checks told once; snoozes hold notices back; files only when someone is told."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.alerts.snooze import SnoozeRequest, snooze
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.lease import recover_expired
from jobs.manual_runs import ProgressTarget, run_now
from jobs.slack_ids import AlertActions, ScheduleActions
from jobs.tick import tick
from storage import alerts as alert_repo
from storage.models import RunStatus, Schedule, ScheduleStatus
from tests.jobs.alert_support import (
    alert_posts,
    alert_state,
    check,
    checks,
    evaluations,
    first_text,
    make_alert,
    make_warehouse,
    runs,
)
from tests.support.people import BOB, OPS, TO_GONE

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    return make_warehouse(tmp_path, monkeypatch)


def test_fires_once_keeps_quiet_while_firing_and_resolves(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    outcomes = checks(job_context, recording_enqueue, slot, warehouse, [12430, 9120, 9000, 8000, 11000, 11000])
    assert outcomes == ["checked", "notifying", "checked", "checked", "notifying", "checked"]
    fired, resolved = alert_posts(emulator)
    assert first_text(fired) == ("🔥 *Low revenue* is firing: total revenue 9,120\n"
                                 "It fires when total revenue is below 10,000.")
    fields = [f["text"] for f in fired["blocks"][1]["fields"]]
    assert fields[:3] == ["*Value*\n9,120", "*Fires when*\ntotal revenue is below 10,000",
                          "*Change*\n▼ 26.6% since the previous check"]
    actions = fired["blocks"][-1]["elements"]
    assert [a["action_id"] for a in actions] == [AlertActions.SNOOZE, ScheduleActions.PAUSE, ScheduleActions.EDIT]
    assert [o["text"]["text"] for o in actions[0]["options"]] == ["1 hour", "1 day", "until resolved"]
    assert first_text(resolved).startswith("✅ *Low revenue* is resolved: total revenue 11,000")
    assert AlertActions.SNOOZE not in [a["action_id"] for a in resolved["blocks"][-1]["elements"]]

    statuses = [r.status for r in runs(job_context, schedule_id)]
    assert statuses == ["skipped", "delivered", "skipped", "skipped", "delivered", "skipped"]
    quiet = runs(job_context, schedule_id)[0]
    assert quiet.error == "Checked: total revenue 12,430 — OK (it fires when total revenue is below 10,000)."
    recorded = evaluations(job_context, schedule_id)
    assert [(e.value, e.state, e.notice) for e in recorded] == [
        (12430, "ok", None), (9120, "firing", "firing"), (9000, "firing", None), (8000, "firing", None),
        (11000, "resolved", "resolved"), (11000, "ok", None)]
    state = alert_state(job_context, schedule_id)
    assert (state.state, state.announced, state.last_value) == ("ok", "ok", 11000)


def test_files_are_made_only_for_a_notification(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000", formats=("csv", "xlsx"))
    checks(job_context, recording_enqueue, slot, warehouse, [12430, 12000, 9120, 9000, 11000])
    files = {r.id: sorted(a.format for a in r.artifacts) for r in runs(job_context, schedule_id)}
    assert list(files.values()) == [[], [], ["alert_chart", "csv", "xlsx"], [], ["alert_chart"]]
    written = sorted(p.name for p in (job_context.artifacts.root).rglob("*") if p.is_file())
    assert len(written) == 4  # nothing on disk for the three quiet checks
    uploads = emulator.uploads(OPS)
    assert [u.filename.rsplit(".", 1)[1] for u in uploads] == ["png", "csv", "xlsx", "png"]
    fired_csv = next(u for u in uploads if u.filename.endswith(".csv"))
    assert fired_csv.content.decode().splitlines() == ["region,revenue,orders,failed", "North,9120.0,40,1"]
    assert uploads[0].content[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_data_is_its_own_state_told_once_and_recovered(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    outcomes = checks(job_context, recording_enqueue, slot, warehouse, [12430, None, None, 12000])
    assert outcomes == ["checked", "notifying", "checked", "notifying"]
    no_data, back = alert_posts(emulator)
    assert first_text(no_data) == ("❔ *Low revenue* has no data: the report returned no rows. I'll keep checking "
                                   "and tell you when values are back.")
    assert first_text(back).startswith("✅ *Low revenue* has values again: total revenue 12,000 — not firing.")
    assert [e.outcome for e in evaluations(job_context, schedule_id)] == ["value", "no_data", "no_data", "value"]


def test_no_data_can_keep_the_last_state(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000, if no data keep the last state")
    outcomes = checks(job_context, recording_enqueue, slot, warehouse, [9000, None, None, 12000])
    assert outcomes == ["notifying", "checked", "checked", "notifying"]
    assert [e.state for e in evaluations(job_context, schedule_id)] == ["firing", "firing", "firing", "resolved"]
    assert "No data: the report returned no rows — still firing" in runs(job_context, schedule_id)[1].error


def test_a_failing_check_is_told_once_and_never_passes_for_ok(job_context, recording_enqueue, emulator,
                                                             warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000", query="select revenue from no_such_table")
    outcomes = [check(job_context, recording_enqueue, slot + HOUR * i)[0] for i in range(3)]
    assert outcomes == ["notifying", "check-failed", "check-failed"]
    [failing] = alert_posts(emulator)
    assert first_text(failing).startswith("⚠️ *Low revenue* could not be checked: The query failed on “warehouse”")
    assert "no such table" in first_text(failing)
    recorded = evaluations(job_context, schedule_id)
    assert [(e.outcome, e.state) for e in recorded] == [("error", "error")] * 3
    later = runs(job_context, schedule_id)[1:]
    assert [r.status for r in later] == [RunStatus.FAILED, RunStatus.FAILED]
    assert all(r.error.startswith("The check failed: The query failed") for r in later)
    with job_context.database.session() as s:
        schedule = s.get(Schedule, schedule_id)
        assert schedule.status == ScheduleStatus.ACTIVE  # failed checks never pause an alert
    assert [c for c in emulator.calls("chat.postMessage") if str(c.params.get("channel", "")).startswith("D")] == []


def test_failed_checks_counted_as_ok_still_tell_the_owner_once(job_context, recording_enqueue, emulator,
                                                               warehouse):
    _, slot = make_alert(job_context, "revenue < 10000, treat errors as ok", query="select revenue from no_such_table")
    outcomes = [check(job_context, recording_enqueue, slot + HOUR * i)[0] for i in range(3)]
    assert outcomes == ["check-failed"] * 3
    assert alert_posts(emulator) == []  # counted as OK: the channel is not told
    dms = [c for c in emulator.calls("chat.postMessage") if str(c.params.get("channel", "")).startswith("D")]
    assert len(dms) == 1 and "Low revenue" in dms[0].params["text"]  # the owner, once for the streak
    assert dms[0].params["text"].startswith("❌ The check of *Low revenue* (check for ")
    [again] = [e for b in dms[0].params["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == ScheduleActions.RETRY]
    assert again["text"]["text"] == "Check again"


def test_a_notice_that_could_not_be_posted_is_retried_not_checked_again(job_context, recording_enqueue, emulator,
                                                                         warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000", destinations=(TO_GONE,))
    outcomes = checks(job_context, recording_enqueue, slot, warehouse, [9000])
    assert outcomes == ["notifying"]
    [run] = runs(job_context, schedule_id)
    assert run.status == RunStatus.FAILED  # the check worked; #gone does not exist
    [dm] = [c for c in emulator.calls("chat.postMessage") if str(c.params.get("channel", "")).startswith("D")]
    assert dm.params["text"].startswith("❌ *Low revenue* (run for ")
    [again] = [e for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == ScheduleActions.RETRY]
    assert again["text"]["text"] == "Retry"  # sends the notice again


def test_a_snooze_until_resolved_holds_back_then_tells_the_resolution(job_context, recording_enqueue, emulator,
                                                                      warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000, remind every hour")
    checks(job_context, recording_enqueue, slot, warehouse, [9000])
    with job_context.database.session() as s:
        snoozed = snooze(s, s.get(Schedule, schedule_id), SnoozeRequest(None), by=BOB,
                         now=job_context.now(), surface="button")
    assert snoozed.until_resolved
    outcomes = checks(job_context, recording_enqueue, slot + HOUR, warehouse, [8000, 7000, 12000])
    assert outcomes == ["checked", "checked", "notifying"]
    fired, resolved = alert_posts(emulator)
    assert "is resolved" in first_text(resolved)
    muted = [e.muted_by for e in evaluations(job_context, schedule_id)]
    assert muted == [None, BOB, BOB, None]  # the reminders were due and held back
    assert "not told: the alert is snoozed by <@U0BOB0001>" in runs(job_context, schedule_id)[1].error
    assert not alert_state(job_context, schedule_id).snoozed_until_resolved  # over once resolved


def test_a_timed_snooze_tells_what_happened_once_it_ends(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    checks(job_context, recording_enqueue, slot, warehouse, [12000])
    with job_context.database.session() as s:
        snooze(s, s.get(Schedule, schedule_id), SnoozeRequest(2 * 3600), by=BOB,
               now=slot + dt.timedelta(minutes=1), surface="slash_command")  # until just after the 2nd check
    outcomes = checks(job_context, recording_enqueue, slot + HOUR, warehouse, [9000, 8000, 8000])
    assert outcomes == ["checked", "checked", "notifying"]
    [fired] = alert_posts(emulator)
    assert first_text(fired).startswith("🔥 *Low revenue* is firing: total revenue 8,000")
    assert alert_state(job_context, schedule_id).snoozed_until is None


def test_only_if_changed_sends_the_report_only_when_the_data_changes(job_context, recording_enqueue, emulator,
                                                                     warehouse):
    schedule_id, slot = make_alert(job_context, "only if it changed", name="Orders list")
    outcomes = checks(job_context, recording_enqueue, slot, warehouse, [100, 100, 100, 250, 250])
    assert outcomes == ["notifying", "checked", "checked", "notifying", "checked"]
    first, changed = alert_posts(emulator)
    assert first_text(first) == ("🔄 *Orders list*: the first check. From now on it is sent only when the data "
                                 "changes.")
    assert first_text(changed) == "🔄 *Orders list* changed since the previous check."
    assert "North" in changed["blocks"][1]["text"]["text"]  # the report's own rows come with it
    csvs = [u for u in emulator.uploads(OPS) if u.filename.endswith(".csv")]
    assert [u.content.decode().splitlines()[1] for u in csvs] == ["North,100.0,40,1", "North,250.0,40,1"]
    assert "same data as the previous check; nothing sent" in runs(job_context, schedule_id)[1].error


def test_waits_for_checks_in_a_row_before_firing(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000 for 3 checks")
    outcomes = checks(job_context, recording_enqueue, slot, warehouse, [9000, 9000, 12000, 9000, 9000, 9000])
    assert outcomes == ["checked"] * 5 + ["notifying"]
    assert [e.state for e in evaluations(job_context, schedule_id)] == [
        "pending", "pending", "ok", "pending", "pending", "firing"]
    assert "the condition is met (check 2 of 3); it fires once that lasts 3 checks in a row" in \
        runs(job_context, schedule_id)[1].error
    assert len(alert_posts(emulator)) == 1


def test_reminds_after_the_rearm_period(job_context, recording_enqueue, emulator, warehouse):
    _, slot = make_alert(job_context, "revenue < 10000, remind every 2 hours")
    outcomes = checks(job_context, recording_enqueue, slot, warehouse, [9000, 9000, 9000, 9000, 9000])
    assert outcomes == ["notifying", "checked", "notifying", "checked", "notifying"]
    assert [first_text(m).split(" ", 2)[:2] for m in alert_posts(emulator)] == [
        ["🔥", "*Low"], ["🔁", "*Low"], ["🔁", "*Low"]]
    assert "is still firing (since Mon 02:00 CET)" in first_text(alert_posts(emulator)[1])


def test_only_the_first_time_pauses_the_alert_after_it_fires(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "rows > 0, only the first time")
    warehouse.revenue(5)
    assert check(job_context, recording_enqueue, slot)[0] == "notifying"
    with job_context.database.session() as s:
        assert s.get(Schedule, schedule_id).status == ScheduleStatus.PAUSED
    job_context.now.jump_to(slot + 3 * HOUR)
    assert tick(job_context, recording_enqueue).created == []
    assert len(alert_posts(emulator)) == 1


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no handler catches it."""


def test_a_worker_dying_between_deciding_and_delivering_notifies_exactly_once(job_context, recording_enqueue,
                                                                              emulator, warehouse, monkeypatch):
    import jobs.alerts.evaluate as evaluate

    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    warehouse.revenue(9000)
    job_context.now.jump_to(slot)
    [run_id] = tick(job_context, recording_enqueue).created
    real_files = evaluate.notification_files

    def die(*args, **kwargs):
        raise _Killed

    monkeypatch.setattr(evaluate, "notification_files", die)
    with pytest.raises(_Killed):
        generate(job_context, run_id, recording_enqueue)
    monkeypatch.setattr(evaluate, "notification_files", real_files)
    assert alert_state(job_context, schedule_id).state == "firing"  # decided, and recorded
    warehouse.revenue(12000)  # the data moves on; the decision made for this slot stands
    job_context.now.jump_to(slot + dt.timedelta(minutes=5))  # the dead worker's lease runs out
    assert recover_expired(job_context, recording_enqueue, now=job_context.now()) == [run_id]
    assert generate(job_context, run_id, recording_enqueue) == "notifying"
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    assert generate(job_context, run_id, recording_enqueue) == "not-taken"  # a stray duplicate message
    assert deliver(job_context, run_id) == "not-taken"
    [fired] = alert_posts(emulator)
    assert first_text(fired).startswith("🔥 *Low revenue* is firing: total revenue 9,000")
    assert len(evaluations(job_context, schedule_id)) == 1


def test_a_check_later_than_a_newer_one_changes_nothing(job_context, recording_enqueue, emulator, warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    warehouse.revenue(9000)
    job_context.now.jump_to(slot)
    [stalled] = tick(job_context, recording_enqueue).created  # its worker stalls before checking
    outcome, newer = check(job_context, recording_enqueue, slot + HOUR)
    assert outcome == "notifying"
    warehouse.revenue(12000)  # had the stalled check counted, it would resolve the alert
    assert generate(job_context, stalled, recording_enqueue) == "superseded"
    assert len(alert_posts(emulator)) == 1
    state = alert_state(job_context, schedule_id)
    assert (state.state, state.last_slot) == ("firing", slot + HOUR)
    assert [(e.run_id, e.outcome) for e in evaluations(job_context, schedule_id)] == [
        (newer, "value"), (stalled, "superseded")]
    [late] = [r for r in runs(job_context, schedule_id) if r.id == stalled]
    assert late.status == RunStatus.SKIPPED and "A later check of this alert had already run" in late.error


def test_run_now_tells_only_the_person_who_asked_unless_it_fires(job_context, recording_enqueue, emulator,
                                                                 warehouse):
    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    warehouse.revenue(12430)
    job_context.now.jump_to(slot - dt.timedelta(minutes=30))
    url = emulator.new_response_url()
    with job_context.database.session() as s:
        schedule = s.get(Schedule, schedule_id)
    started = run_now(job_context, schedule, user_id=BOB, surface="button", enqueue=recording_enqueue,
                      progress=ProgressTarget(BOB, response_url=url))
    assert generate(job_context, started.run_id, recording_enqueue) == "checked"
    assert alert_posts(emulator) == []
    [reply] = emulator.responses()
    assert "Checked: total revenue 12,430 — OK (it fires when total revenue is below 10,000)" in reply["text"]
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    warehouse.revenue(9000)
    job_context.now.jump_to(slot - dt.timedelta(minutes=20))
    started = run_now(job_context, schedule, user_id=BOB, surface="button", enqueue=recording_enqueue)
    assert generate(job_context, started.run_id, recording_enqueue) == "notifying"
    deliver(job_context, started.run_id)
    assert len(alert_posts(emulator)) == 1


def test_history_shows_state_last_value_and_a_trend(job_context, recording_enqueue, emulator, warehouse):
    from jobs.alerts.messages import status_line

    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    checks(job_context, recording_enqueue, slot, warehouse, [12000, 11000, 10500, 9000])
    with job_context.database.session() as s:
        overview = alert_repo.overviews(s, [schedule_id])[schedule_id]
        points = alert_repo.recent_points(s, schedule_id, limit=3)
    assert overview.trend == (12000, 11000, 10500, 9000)
    assert [p.value for p in points] == [11000, 10500, 9000]
    assert status_line(overview, "Europe/Berlin", show_snoozer=True) == \
        "🔥 firing since Mon 05:00 CET · last value 9,000 █▅▄▁"


def test_quiet_checks_are_kept_a_week_and_the_rest_as_long_as_any_run(job_context, recording_enqueue, emulator,
                                                                      warehouse):
    from jobs.cleanup import cleanup

    schedule_id, slot = make_alert(job_context, "revenue < 10000")
    checks(job_context, recording_enqueue, slot, warehouse, [12000, 9000, 9000, 12000, 12000])
    kept = [(r.id, r.status) for r in runs(job_context, schedule_id)]
    result = cleanup(job_context, now=slot + dt.timedelta(days=8))
    assert result.quiet_alert_checks_deleted == 3
    left = [(r.id, r.status) for r in runs(job_context, schedule_id)]
    assert left == [kept[1], kept[3]]  # the two that told #ops (fired, resolved)
    assert [e.run_id for e in evaluations(job_context, schedule_id)] == [kept[1][0], kept[3][0]]
    assert alert_state(job_context, schedule_id).state == "ok"  # the alert itself is untouched
