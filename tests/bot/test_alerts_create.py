"""Making an alert in Slack: the one-liner's `when …`, the modal's "Alert when…" field with its live
read-back (checked against the data after Slack's 3 seconds), the conversation, and editing a
condition — each read back with the report's value now, errors naming the report's columns."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jobs.slack_ids import ChatActions, ModalActions, ModalBlocks
from reports.conditions import Aggregate, Kind, condition_from_json
from slack_emulator import validate_blocks
from storage import alerts as alert_repo
from storage.models import AlertStates, Schedule
from tests.bot.alert_support import (
    HOUR_ROWS,
    HOUR_WORDS,
    THURSDAY_ROWS,
    THURSDAY_WORDS,
    alerts,
    make_alert,
    state_of,
)
from tests.bot.conftest import ALICE
from tests.bot.test_conversation import click, last_dm
from tests.bot.test_modal import block, open_modal, values
from tests.support.people import SALES

COLUMNS = "date, region, product, units, revenue"


def count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Schedule))


def test_a_one_liner_with_a_condition_is_an_alert_read_back_with_its_value(slack_any, job_context):
    reply = slack_any.command('new "Low revenue" every hour in #sales when revenue < 500')
    assert "Scheduled *Low revenue*" in reply
    assert f"Fires when total revenue is below 500, telling when it resolves*\ntotal revenue now " \
           f"{HOUR_WORDS} — would not fire" in reply
    [alert] = alerts(job_context.database)
    condition = condition_from_json(alert.condition)
    assert (condition.kind, condition.measure.column, condition.measure.aggregate, condition.threshold) == (
        Kind.THRESHOLD, "revenue", Aggregate.SUM, 500)  # bound to the report's columns when saved
    assert (alert.cadence_text, condition.text) == ("every hour", "when revenue < 500")


def test_only_if_it_changed_and_waiting_periods_are_kept(slack, ctx):
    slack.command('new "Orders list" every day at 8am in #sales only if it changed')
    slack.command('new "Busy" every 5 minutes in #sales when rows > 0 for 3 checks')
    changed, busy = (condition_from_json(a.condition) for a in alerts(ctx.database))
    assert changed.kind == Kind.CHANGED
    assert (busy.measure.aggregate, busy.options.for_checks) == (Aggregate.ROWS, 3)


@pytest.mark.parametrize("condition, says", [
    ("revnue < 10k", f"The report has no column “revnue”. Did you mean “revenue”? Its columns are: {COLUMNS}."),
    ("when sales look bad", f"This report's columns: {COLUMNS}."),
    ("when revenue is low", "too vague"),
    ("revenue drops", "By how much?"),
    ("region > 5", "region"),
])
def test_a_condition_that_does_not_fit_is_refused_naming_the_columns(slack, ctx, condition, says):
    reply = slack.command(f'new "Low revenue" every hour in #sales when {condition}')
    assert says in reply and "Scheduled" not in reply
    assert count(ctx.database) == 0  # nothing half-written


def test_the_modal_reads_the_condition_back_when_enter_is_pressed(slack):
    view = open_modal(slack)
    assert block(view, ModalBlocks.CONDITION)["optional"] is True
    slack.view_action(view, ModalActions.CONDITION, ModalBlocks.CONDITION,
                      {"type": "plain_text_input", "value": "revenue < 10k"}, with_condition("revenue < 10k"))
    read = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    said = block(read, ModalBlocks.CONDITION_PREVIEW)["elements"][0]["text"]
    assert said == (f"🔔 *Fires when total revenue is below 10,000, telling when it resolves*\n"
                    # the form's weekdays: Friday's slot, Thursday
                    f"total revenue now {THURSDAY_WORDS} — would not fire")
    assert block(read, ModalBlocks.CONDITION)["element"]["initial_value"] == "revenue < 10k"
    slack.view_action(read, ModalActions.CONDITION, ModalBlocks.CONDITION,
                      {"type": "plain_text_input", "value": "revnue < 10k"}, with_condition("revnue < 10k"))
    wrong = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 2 and slack.latest_view())
    said = block(wrong, ModalBlocks.CONDITION_PREVIEW)["elements"][0]["text"]
    assert said.startswith("⚠️ The report has no column “revnue”.") and COLUMNS in said


def with_condition(condition: str, **kwargs) -> dict:
    state = values(**kwargs)
    state[ModalBlocks.CONDITION] = {ModalActions.CONDITION: {"type": "plain_text_input", "value": condition}}
    return state


def test_saving_an_alert_from_the_modal_checks_it_after_the_ack(slack_any, job_context):
    slack = slack_any
    view = open_modal(slack)
    status, answer = slack.submit(view, with_condition("rows > 0", name="Any sales"))
    assert status == 200 and answer["response_action"] == "update"  # at once: "Checking…"
    assert "Checking the condition of “Any sales”" in answer["view"]["blocks"][0]["text"]["text"]
    assert validate_blocks(answer["view"]["blocks"], "modal") == []
    saved = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    text = saved["blocks"][0]["text"]["text"]
    assert text.startswith("✅ Scheduled *Any sales*") and f"{len(THURSDAY_ROWS)} rows now — would fire now" in text
    [alert] = alerts(job_context.database)
    assert condition_from_json(alert.condition).measure.aggregate == Aggregate.ROWS


def test_too_long_a_condition_is_shown_next_to_the_field_at_once(slack, ctx):
    view = open_modal(slack)
    status, answer = slack.submit(view, with_condition("revenue < 1 " * 60))
    assert answer["response_action"] == "errors" and "keep it under 500" in answer["errors"][ModalBlocks.CONDITION]
    assert count(ctx.database) == 0


@pytest.mark.parametrize("condition, says", [
    ("revnue < 10k", "no column “revnue”"),
    ("when revenue is low", "too vague"),  # words that cannot be read: named with the columns to pick from
])
def test_a_condition_that_does_not_fit_brings_the_form_back_with_the_problem(slack, ctx, condition, says):
    view = open_modal(slack)
    status, answer = slack.submit(view, with_condition(condition, name="Low revenue"))
    assert answer["response_action"] == "update"
    back = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    said = block(back, ModalBlocks.CONDITION_PREVIEW)["elements"][0]["text"]
    assert says in said and COLUMNS in said and "Nothing is saved yet" in said
    assert block(back, ModalBlocks.NAME)["element"]["initial_value"] == "Low revenue"  # what was typed stays
    assert count(ctx.database) == 0


def test_editing_the_condition_restarts_what_the_checks_counted(slack_any, job_context):
    alert = make_alert(slack_any, job_context.database)
    with job_context.database.session() as s:
        state = alert_repo.lock_state(s, alert.id)
        state.state, state.announced, state.last_value, state.pending_checks = (
            AlertStates.FIRING, AlertStates.FIRING, 20000.0, 0)
    view = edit_modal(slack_any, alert.id)
    assert block(view, ModalBlocks.CONDITION)["element"]["initial_value"] == "when revenue > 500"
    slack_any.submit(view, with_condition("revenue > 50000", name="Big revenue", channels=(SALES,)))
    slack_any.emulator.wait_for(lambda: "Updated" in str(slack_any.latest_view()["blocks"]))
    [edited] = alerts(job_context.database)
    assert condition_from_json(edited.condition).threshold == 50000
    state = state_of(job_context.database, alert.id)
    # Told "firing" before: its next check says resolved if the new line is not crossed.
    assert (state.state, state.announced, state.last_value) == (AlertStates.FIRING, AlertStates.FIRING, None)


def test_an_edit_that_keeps_the_condition_keeps_its_state(slack, ctx):
    alert = make_alert(slack, ctx.database)
    with ctx.database.session() as s:
        alert_repo.lock_state(s, alert.id).last_value = 20000.0
    view = edit_modal(slack, alert.id)
    slack.submit(view, with_condition("when revenue > 500", name="Bigger revenue", channels=(SALES,)))
    slack.emulator.wait_for(lambda: "Updated" in str(slack.latest_view()["blocks"]))
    assert [a.name for a in alerts(ctx.database)] == ["Bigger revenue"]
    assert state_of(ctx.database, alert.id).last_value == 20000.0


def edit_modal(slack, schedule_id: int) -> dict:
    count_before = len(slack.emulator.opened_views())
    slack.command(f"edit #{schedule_id}", expect_reply=False)
    return slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > count_before and slack.latest_view())


def understood_alert(slack, words: str) -> dict:
    """Say `words` to the bot; return its question, which must be about a new alert."""
    slack.dm(words)
    question = last_dm(slack)
    assert question["text"].startswith("Here's what I understood — *a new alert*"), question["text"]
    return question


def test_an_alert_in_conversation_is_read_back_then_created_on_confirmation(slack, ctx):
    question = understood_alert(slack, "tell me in #sales when revenue drops below 500")
    understood, runs = question["text"].split("\nNext runs (Europe/Berlin, with UTC):\n")
    assert understood.split("\n• ")[1:] == [
        "Name: Revenue drops below 500", "Report: Demo sales", "When: Every hour in Europe/Berlin", "Where: #sales",
        f"Alert: Fires when total revenue is below 500, telling when it resolves · total revenue now "
        f"{HOUR_WORDS} — would not fire"]
    assert runs.split("\n") == [f"• Mon 23 Nov 2026 0{h + 2}:00 CET  (Mon 23 Nov 0{h + 1}:00 UTC)" for h in range(5)] \
        + ["Shall I create it?"]
    assert count(ctx.database) == 0
    click(slack, question, ChatActions.CONFIRM)
    done = slack.emulator.wait_for(lambda: last_dm(slack)["text"].startswith("✅") and last_dm(slack))
    assert "Scheduled *Revenue drops below 500*" in done["text"] and "would not fire" in done["text"]
    [alert] = alerts(ctx.database)
    assert condition_from_json(alert.condition).threshold == 500


def test_tell_me_without_a_place_is_the_persons_dm(slack, ctx):
    question = understood_alert(slack, "let me know when there are more than 3 rows")
    assert "Where: @alice" in question["text"] and f"{len(HOUR_ROWS)} rows now — would fire now" in question["text"]
    click(slack, question, ChatActions.CONFIRM)
    slack.emulator.wait_for(lambda: last_dm(slack)["text"].startswith("✅"))
    [alert] = alerts(ctx.database)
    assert [(d.kind, d.target) for d in alert.destinations] == [("slack_user", ALICE)]


def test_a_conversation_alert_that_does_not_fit_offers_the_form(slack, ctx):
    slack.dm("tell me in #sales when revnue drops below 10k")
    question = last_dm(slack)
    assert "no column “revnue”" in question["text"] and COLUMNS in question["text"]
    assert [e["action_id"] for e in question["blocks"][-1]["elements"]] == [ChatActions.OPEN_MODAL, ChatActions.CANCEL]
    click(slack, question, ChatActions.OPEN_MODAL)
    form = slack.latest_view()
    assert block(form, ModalBlocks.CONDITION)["element"]["initial_value"] == "when revnue drops below 10k"
