"""Alert notifications as people see them: every kind of notice fits Block Kit (checked by
slack_sdk's models and the emulator's validator on the largest inputs), names and errors are
escaped, and the Snooze menu, the snooze rules and the one-line state read right."""

from __future__ import annotations

import datetime as dt

import pytest
from slack_sdk.models.blocks import Block

from jobs.access import Kind, Person, ensure_may_snooze
from jobs.alerts.messages import (
    alert_message_blocks,
    notification_blocks,
    snoozed_block,
    sparkline,
    status_line,
)
from jobs.alerts.notice import headline, notice_payload, notice_text
from jobs.alerts.snooze import (
    SnoozeError,
    SnoozeRequest,
    menu_value,
    parse_menu_value,
    parse_snooze,
    snooze,
    snooze_words,
    unsnooze,
)
from jobs.alerts.states import Notice, Step
from jobs.slack_ids import AlertActions
from reports.conditions import Measurement, parse_condition
from reports.conditions.bind import bind_condition
from reports.table import Column, ColumnType
from slack_emulator import validate_blocks
from storage import alerts as alert_repo
from storage.errors import PermissionDenied
from storage.models import AuditEvent, Destination, Schedule
from storage.schedules import NewDestination
from tests.factories import make_schedule
from tests.support.people import ADMIN, ALICE, BOB, CAROL, OPS, OTHER_TEAM, TEAM

NOW = dt.datetime(2026, 11, 23, 14, 5, tzinfo=dt.UTC)
HOSTILE = "<!channel> *Revenue* & <@U0EVIL001> `x` " + "y" * 200
COLUMNS = [Column("revenue", ColumnType.NUMBER)]


def payload(notice: str, *, condition: str = "revenue < 10000", value: float | None = 9120.0,
            detail: str | None = None, previous: float | None = 12430.0) -> dict:
    bound = bind_condition(parse_condition(condition), COLUMNS)
    step = Step(state="firing", announced="firing", state_since=NOW - dt.timedelta(hours=1), pending_since=None,
                pending_checks=0, failed_checks=0, notice=notice)
    result = Measurement(value, value is not None, 1) if value is not None or notice != Notice.NO_DATA else None
    return notice_payload(notice=notice, condition=bound, step=step, slot=NOW, timezone="Europe/Berlin",
                          result=result, previous_value=previous, detail=detail)


def _valid(blocks: list[dict]) -> None:
    assert validate_blocks(blocks) == []
    for block in blocks:
        Block.parse(block).to_dict()  # raises SlackObjectFormationError past a limit


@pytest.mark.parametrize("notice", [Notice.FIRING, Notice.REMINDER, Notice.RESOLVED, Notice.RECOVERED,
                                    Notice.NO_DATA, Notice.ERROR, Notice.CHANGED])
def test_every_notice_fits_block_kit_with_hostile_names_and_long_errors(notice):
    alert = payload(notice, detail=HOSTILE * 20, value=None if notice in (Notice.NO_DATA, Notice.ERROR) else 9120.0)
    summary = {"alert": alert, "report_text": "```\n" + "row\n" * 2000 + "```"}
    blocks = alert_message_blocks(123456789, HOSTILE, summary)
    _valid(blocks)
    text = blocks[0]["text"]["text"]
    assert "<!channel>" not in text and "<@U0EVIL001>" not in text
    assert "&lt;!channel&gt;" in text


def test_the_firing_message_shows_value_line_change_and_since():
    alert = payload(Notice.FIRING)
    blocks = alert_message_blocks(7, "Low revenue", {"alert": alert})
    assert blocks[0]["text"]["text"] == ("🔥 *Low revenue* is firing: total revenue 9,120\n"
                                         "It fires when total revenue is below 10,000.")
    assert [f["text"] for f in blocks[1]["fields"]] == [
        "*Value*\n9,120", "*Fires when*\ntotal revenue is below 10,000", "*Change*\n▼ 26.6% since the previous check",
        "*Since*\nMon 14:05 CET"]
    select = blocks[-1]["elements"][0]
    assert select["action_id"] == AlertActions.SNOOZE
    assert [parse_menu_value(o["value"]) for o in select["options"]] == [
        (7, SnoozeRequest(3600)), (7, SnoozeRequest(86400)), (7, SnoozeRequest(None))]
    assert headline(alert) == "Firing: total revenue 9,120"


def test_no_data_and_error_say_what_happened_in_words():
    assert notice_text("Low revenue", payload(Notice.NO_DATA, value=None, detail="the report returned no rows")) == (
        "❔ *Low revenue* has no data: the report returned no rows. I'll keep checking and tell you when values "
        "are back.")
    error = notice_text("Low revenue", payload(Notice.ERROR, value=None, detail="The query failed: <boom>"))
    assert error.startswith("⚠️ *Low revenue* could not be checked: The query failed: &lt;boom&gt;.")


def test_a_report_run_keeps_its_own_message():
    assert notification_blocks(1, "Daily sales", {"text": "*Daily sales*", "row_count": 3}) is None


def test_snoozed_line_and_status_line():
    until = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
    _valid([snoozed_block(until, False, BOB, "Europe/Berlin")])
    assert snooze_words(until, False, BOB, "Europe/Berlin") == (
        "😴 Snoozed by <@U0BOB0001> until Mon 23 Nov 16:00 CET")
    assert snooze_words(None, True, None, "UTC") == "😴 Snoozed until it resolves"
    assert snooze_words(None, False, "<!here>", "UTC") == "Not snoozed"
    overview = alert_repo.Overview(1, "firing", NOW, 9120.0, NOW, (12000.0, None, 9120.0), until, False,
                                   BOB, NOW)
    assert status_line(overview, "Europe/Berlin", show_snoozer=True) == (
        "🔥 firing since Mon 15:05 CET · last value 9,120 █·▁ · 😴 Snoozed by <@U0BOB0001> until Mon 23 Nov 16:00 CET")
    assert "<@U0BOB0001>" not in status_line(overview, "Europe/Berlin", show_snoozer=False)


@pytest.mark.parametrize("values,line", [((1, 2, 3, 4, 5, 6, 7, 8), "▁▂▃▄▅▆▇█"), ((5, 5, 5), "▄▄▄"), ((), ""),
                                          ((None, 3.0), "·▄")])
def test_sparkline(values, line):
    assert sparkline(values) == line


@pytest.mark.parametrize("text,seconds", [("1 hour", 3600), ("1h", 3600), ("an hour", 3600), ("for 90 minutes", 5400),
                                          ("2 days", 172800), ("a week", 604800), ("until resolved", None),
                                          ("until it's fixed", None), ("till it is resolved", None)])
def test_snooze_lengths_in_words(text, seconds):
    assert parse_snooze(text) == SnoozeRequest(seconds)


@pytest.mark.parametrize("text,words", [("", "For how long?"), ("forever", "couldn't read"), ("31 days", "30 days"),
                                        ("0 minutes", "between 1 minute"), ("5 parsecs", "couldn't read")])
def test_snooze_lengths_refused(text, words):
    with pytest.raises(SnoozeError, match=words):
        parse_snooze(text)


@pytest.mark.parametrize("value", ["", "7", "7:2h", "x:1h", "99999999999999999999:1h", "7:resolved:extra"])
def test_forged_menu_values_are_not_snoozes(value):
    assert parse_menu_value(value) is None
    assert parse_menu_value(menu_value(7, "1h")) == (7, SnoozeRequest(3600))


def _schedule() -> Schedule:
    schedule = Schedule(id=1, team_id=TEAM, name="Low revenue", owner_user_id=ALICE, condition={})
    schedule.destinations = [Destination(kind="slack_channel", target=OPS, label="#ops"),
                             Destination(kind="slack_user", target=CAROL, label="@carol")]
    return schedule


@pytest.mark.parametrize("who,reached,allowed", [
    (Person(ALICE, TEAM), False, True),  # the owner
    (Person(ADMIN, TEAM, is_admin=True), False, True),  # an admin
    (Person(BOB, TEAM), True, True),  # a member it reaches (in #ops, or by DM)
    (Person(BOB, TEAM), False, False),  # a member it does not reach
    (Person("U0GUEST01", TEAM, Kind.GUEST), True, False),  # a guest in #ops: receives, doesn't silence
    (Person("U0PARTNR1", TEAM, Kind.EXTERNAL), True, False),  # Slack Connect
    (Person(ALICE, OTHER_TEAM), True, False),  # the owner's id, another workspace
])
def test_who_may_snooze(who, reached, allowed):
    asked = []

    def receives():
        asked.append(who.user_id)
        return reached

    if allowed:
        ensure_may_snooze(who, _schedule(), receives)
    else:
        with pytest.raises(PermissionDenied):
            ensure_may_snooze(who, _schedule(), receives)
    # Slack is asked about channel membership only when the person is not the owner or an admin.
    assert asked == ([] if who.user_id in (ALICE, ADMIN) or not who.is_member
                     or who.team_id != TEAM else [who.user_id])


def test_snooze_and_unsnooze_are_recorded_with_who(database):
    with database.session() as s:
        alert = make_schedule(s, name="Low revenue", condition=parse_condition("revenue < 5").to_json(),
                              destinations=[NewDestination("slack_channel", OPS, "#ops")])
        report = make_schedule(s, name="Daily sales")
        done = snooze(s, alert, SnoozeRequest(3600), by=BOB, now=NOW, surface="button")
        assert done.until == NOW + dt.timedelta(hours=1)
        with pytest.raises(SnoozeError, match="a report, not an alert"):
            snooze(s, report, SnoozeRequest(3600), by=BOB, now=NOW, surface="button")
        state = alert_repo.get_state(s, alert.id)
        assert (state.snoozed_by, state.snoozed_until, state.snoozed_at) == (BOB, done.until, NOW)
        assert unsnooze(s, alert, by=ALICE, surface="slash_command") is True
        assert unsnooze(s, alert, by=ALICE, surface="slash_command") is False
        actions = [(e.actor, e.action) for e in s.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions == [(BOB, "alert_snoozed"), (ALICE, "alert_unsnoozed")]


def test_a_check_run_by_hand_is_told_in_words_escaped_with_check_again_when_it_failed():
    from jobs.alerts.progress import check_finished
    from jobs.slack_ids import ScheduleActions
    from jobs.views.run_message import RunOutcome
    from storage.models import AlertEvaluation

    quiet = AlertEvaluation(outcome="value", state="ok", value=5.0,
                            detail="Checked: total <!channel> 5 — OK; not told: the alert is snoozed by <@U0BOB0001>")
    text, blocks = check_finished(RunOutcome(3, 1, "<b>Low</b>", "skipped"), quiet)
    assert text == ("🟢 *&lt;b&gt;Low&lt;/b&gt;*, checked just now (only you see this): "
                    "Checked: total &lt;!channel&gt; 5 — OK; not told: the alert is snoozed by <@U0BOB0001> "
                    "Its destinations hear of it only when its state changes.")
    failed = AlertEvaluation(outcome="error", state="error", detail="The check failed: the source is down")
    text, blocks = check_finished(RunOutcome(4, 1, "Low", "failed", error="x"), failed)
    assert text.startswith("⚠️ *Low* could not be checked just now (only you see this). The check failed")
    assert [e["action_id"] for e in blocks[-1]["elements"]] == [ScheduleActions.RUN_NOW, ScheduleActions.EDIT]
    assert validate_blocks(blocks, "message") == []
    assert check_finished(RunOutcome(5, 1, "Low", "running"), quiet) is None  # not settled: not a check's answer
    assert check_finished(RunOutcome(6, 1, "Low", "delivered"), None) is None  # a report's run
