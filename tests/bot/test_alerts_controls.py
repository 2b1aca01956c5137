"""An alert's controls in Slack: the Snooze menu and Unsnooze on its notification (who may is one
rule), `/report snooze` and `unsnooze`, Run now telling only the person who asked, the alert's line
on App Home, `show` and `history`, and a preview from the modal. The worker side is the real tick,
batch check, generate and deliver."""

from __future__ import annotations

import json

import pytest

from jobs.alerts.snooze import menu_value
from jobs.slack_ids import (
    AlertActions,
    AlertBlocks,
    ModalActions,
    ModalBlocks,
    ScheduleActions,
)
from slack_emulator import validate_blocks
from storage.models import RunStatus, Schedule
from tests.bot.alert_support import (
    HOUR_WORDS,
    THURSDAY_WORDS,
    check_now,
    make_alert,
    state_of,
)
from tests.bot.conftest import ADMIN, ALICE, BOB, SALES
from tests.bot.test_alerts_create import with_condition
from tests.bot.test_home import card, open_home
from tests.bot.test_modal import block, open_modal
from tests.bot.test_progress import queued, settle
from tests.support.people import CAROL

CAROL, GUEST = CAROL, "U0GUEST01"


@pytest.fixture
def outsiders(people):
    """Carol, in no channel the alert posts to; a guest who is in #sales."""
    people.add_user(CAROL, "carol")
    people.add_user(GUEST, "gus", guest="multi")
    people.workspace.teams[people.default_team_id].channels[SALES].members.add(GUEST)
    return people


def notification(slack) -> dict:
    return slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(SALES) if m.get("blocks")])[-1]


def elements(message: dict) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def choose(slack, message: dict, schedule_id: int, choice: str, user_id: str) -> str:
    """Pick one option of the notification's Snooze menu; return the response_url id of the answer."""
    words = {"1h": "1 hour", "1d": "1 day", "resolved": "until resolved"}[choice]
    return slack.click(AlertActions.SNOOZE, None, user_id=user_id, channel_id=SALES, message=message,
                       action_type="static_select", selected_option={
                           "value": menu_value(schedule_id, choice), "text": {"type": "plain_text", "text": words}})


def test_a_channel_member_snoozes_from_the_notification_and_the_owner_is_told(slack_any, job_context,
                                                                              recording_enqueue, outsiders):
    slack, ctx = slack_any, job_context
    alert = make_alert(slack, ctx.database)
    check_now(ctx, recording_enqueue, alert)
    fired = notification(slack)
    assert validate_blocks(fired["blocks"], "message") == []
    assert elements(fired) == [AlertActions.SNOOZE, ScheduleActions.PAUSE, ScheduleActions.EDIT]

    answered = choose(slack, fired, alert.id, "1h", BOB)
    told = slack.wait_reply_count(1, answered)[0]["text"]
    assert told.startswith("😴 Snoozed *Big revenue* until Mon 23 Nov") and "Its checks go on" in told
    snoozed = slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(SALES) if m.get("edited")])[-1]
    line = next(b for b in snoozed["blocks"] if b.get("block_id") == AlertBlocks.SNOOZED)
    assert line["elements"][0]["text"].startswith("😴 Snoozed until Mon 23 Nov")  # the channel sees that, not who
    assert elements(snoozed) == [AlertActions.UNSNOOZE, ScheduleActions.PAUSE, ScheduleActions.EDIT]
    assert validate_blocks(snoozed["blocks"], "message") == []
    owner_dm = slack.dm_channel(ALICE)
    said = slack.emulator.wait_for(lambda: [m["text"] for m in slack.bot_messages(owner_dm) if "snoozed" in m["text"]])
    assert said[0].startswith(f"😴 <@{BOB}> snoozed your alert *Big revenue* until Mon 23 Nov")
    assert state_of(ctx.database, alert.id).snoozed_by == BOB

    unsnoozed = slack.click(AlertActions.UNSNOOZE, str(alert.id), user_id=BOB, channel_id=SALES, message=snoozed)
    assert "no longer snoozed" in slack.wait_reply_count(1, unsnoozed)[0]["text"]
    back = slack.emulator.wait_for(lambda: AlertActions.SNOOZE in elements(notification(slack)) and notification(slack))
    assert all(b.get("block_id") != AlertBlocks.SNOOZED for b in back["blocks"])
    state = state_of(ctx.database, alert.id)
    assert (state.snoozed_by, state.snoozed_until, state.snoozed_until_resolved) == (None, None, False)


@pytest.mark.parametrize("who, why", [
    (CAROL, "Only the people “Big revenue” reaches"),
    (GUEST, "Guest accounts get alerts but can't snooze them for everyone else"),
])
def test_people_the_alert_does_not_reach_and_guests_cannot_snooze_it(slack, ctx, recording_enqueue, outsiders,
                                                                     who, why):
    alert = make_alert(slack, ctx.database)
    check_now(ctx, recording_enqueue, alert)
    answered = choose(slack, notification(slack), alert.id, "1d", who)
    assert why in slack.wait_reply_count(1, answered)[0]["text"]
    assert state_of(ctx.database, alert.id).snoozed_by is None
    assert why in slack.command("snooze big revenue 1h", user_id=who)


def test_snooze_and_unsnooze_by_command(slack, ctx, recording_enqueue, outsiders):
    make_alert(slack, ctx.database)
    slack.command('new "Daily sales" every day at 9am in #sales')
    assert slack.command("snooze big revenue for 2 hours", user_id=BOB).startswith(
        "😴 Snoozed *Big revenue* until Mon 23 Nov")
    state = state_of(ctx.database, 1)
    assert (state.snoozed_until - state.snoozed_at).total_seconds() == 7200
    assert "until it resolves" in slack.command("snooze big revenue until resolved")
    assert state_of(ctx.database, 1).snoozed_until_resolved is True
    assert "Which alert, and for how long?" in slack.command("snooze big revenue")
    assert "between 1 minute and 30 days" in slack.command("snooze big revenue 45 days")
    assert "is a report, not an alert" in slack.command("snooze daily sales 1h")
    assert "no longer snoozed" in slack.command("unsnooze big revenue", user_id=ADMIN)
    assert "wasn't snoozed" in slack.command("unsnooze big revenue")


def test_run_now_tells_the_value_and_state_only_to_the_person_who_asked(slack_any, job_context, recording_enqueue):
    slack, ctx = slack_any, job_context
    make_alert(slack, ctx.database, '"Low revenue" every hour in #sales when revenue < 500')
    assert slack.command("run low revenue").startswith("⏳ Checking *Low revenue* now…")
    response_id = slack.last_response_id
    assert settle(ctx, queued(slack, recording_enqueue)) == RunStatus.SKIPPED
    final = slack.wait_reply_count(2, response_id)[-1]
    assert final["replace_original"] is True
    assert final["text"] == (f"🟢 *Low revenue*, checked just now (only you see this): Checked: total revenue "
                             f"{HOUR_WORDS} — OK (it fires when total revenue is below 500). Its destinations "
                             "hear of it only when its state changes.")
    assert slack.bot_messages(SALES) == []  # #sales heard nothing: the state did not change


def test_run_now_that_changes_the_state_tells_the_destinations_too(slack, ctx, recording_enqueue):
    make_alert(slack, ctx.database)
    slack.command("run big revenue")
    response_id = slack.last_response_id
    assert settle(ctx, queued(slack, recording_enqueue)) == RunStatus.DELIVERED
    final = slack.wait_reply_count(2, response_id)[-1]["text"]
    assert final.startswith(f"🔥 *Big revenue*, checked just now: Checked: total revenue {HOUR_WORDS} — firing")
    assert final.endswith("It reached #sales.")
    assert notification(slack)["blocks"][0]["text"]["text"].startswith("🔥 *Big revenue* is firing")


def test_home_show_and_history_carry_the_alert_line(slack, ctx, recording_enqueue, outsiders):
    alert = make_alert(slack, ctx.database)
    check_now(ctx, recording_enqueue, alert)
    check_now(ctx, recording_enqueue, alert)
    slack.command("snooze big revenue 1d", user_id=BOB)
    home = open_home(slack)
    rule, state = card(home, alert.id)["text"]["text"].splitlines()[3:5]
    assert rule == "🔔 Fires when total revenue is above 500, telling when it resolves"
    assert state.startswith(f"🔥 firing since Mon 02:00 CET · last value {HOUR_WORDS} ▄▄ · 😴 Snoozed by <@{BOB}> "
                            "until Tue 24 Nov")
    assert validate_blocks(home["blocks"], "home") == []
    owner = slack.command("show big revenue")
    assert "🔔 Fires when total revenue is above 500, telling when it resolves\n🔥 firing since" in owner
    assert f"Snoozed by <@{BOB}>" in owner
    member = slack.command("show big revenue", user_id=BOB)  # it reaches him: not who snoozed it
    assert "😴 Snoozed until Tue 24 Nov" in member and f"by <@{BOB}>" not in member
    history = slack.command("history big revenue")
    assert history.startswith("*History of Big revenue* (newest first)\n🔔 Fires when")
    assert "Checked: total revenue" in history


def test_an_alerts_preview_is_its_notification_when_it_would_tell_now(slack, ctx, recording_enqueue):
    view = open_modal(slack)
    slack.view_action(view, ModalActions.PREVIEW_NOW, ModalBlocks.PREVIEW, {"type": "button", "value": "p"},
                      with_condition("revenue > 1000", name="Big revenue"))
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    status = block(updated, ModalBlocks.PREVIEW_STATUS)["elements"][0]["text"]
    assert status.startswith("🔔 *Fires when total revenue is above 1,000") and "Generating a preview" in status
    run_id = queued(slack, recording_enqueue)
    with ctx.database.session() as s:
        from storage.models import Run

        hidden = s.get(Schedule, s.get(Run, run_id).schedule_id)
        assert hidden.condition["threshold"] == 1000 and hidden.status == "deleted"
    assert settle(ctx, run_id) == RunStatus.DELIVERED
    dm = slack.dm_channel(ALICE)
    posted = slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(dm) if "is firing" in json.dumps(m)])
    assert posted[0]["blocks"][0]["text"]["text"].startswith("🔥 *Preview · Big revenue* is firing")
    progress = slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(dm) if "Preview of" in m["text"]])
    assert "it would tell its destinations now" in progress[0]["text"]


def test_an_alerts_preview_says_nothing_would_be_sent_now(slack, ctx, recording_enqueue):
    view = open_modal(slack)
    slack.view_action(view, ModalActions.PREVIEW_NOW, ModalBlocks.PREVIEW, {"type": "button", "value": "p"},
                      with_condition("revenue < 10", name="Tiny revenue"))
    assert settle(ctx, queued(slack, recording_enqueue)) == RunStatus.SKIPPED
    dm = slack.dm_channel(ALICE)
    progress = slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(dm) if "Preview of" in m["text"]])
    assert progress[0]["text"].startswith("🟢 Preview of *Tiny revenue*: nothing would be sent now. Checked: total "
                                          f"revenue {THURSDAY_WORDS} — OK")
    assert not [m for m in slack.bot_messages(dm) if "is firing" in json.dumps(m)]
