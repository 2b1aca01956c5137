"""Every `/report` subcommand besides `new`: what the person sees and what was stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jobs.slack_ids import ModalBlocks, ReplyBlocks, ScheduleActions
from storage.models import (
    AuditEvent,
    Delivery,
    Run,
    RunStatus,
    Schedule,
    ScheduleStatus,
)
from tests.bot.conftest import ADMIN, ALICE, BOB
from tests.factories import WINTER
from tests.support.people import SALES, SLACK_ADMIN

NEW = 'new "Daily sales" every weekday at 9am in #sales'


def status_of(db, name="Daily sales"):
    with db.session() as s:
        return s.scalar(select(Schedule.status).where(Schedule.name == name))


def test_list_all_is_for_admins(slack):
    slack.command(NEW)
    slack.command('new "Bob digest" every day at 8am in #sales', user_id=BOB)
    everyone = slack.command("list all", user_id=ADMIN)
    assert "All scheduled reports" in everyone and "Daily sales" in everyone and "Bob digest" in everyone
    assert "<@U0BOB0001>" in everyone  # owners are named
    mine = slack.command("list all", user_id=ALICE)
    assert "Only workspace admins" in mine and "Daily sales" in mine and "Bob digest" not in mine


def test_slack_workspace_admins_count_as_admins(slack):
    slack.command('new "Bob digest" every day at 8am in #sales', user_id=BOB)
    assert "Bob digest" in slack.command("list all", user_id=SLACK_ADMIN)  # is_admin in users.info


def test_show_gives_details_next_runs_and_buttons(slack):
    slack.command(NEW)
    reply = slack.command("show daily sales")
    assert "Every weekday at 09:00" in reply and "#sales" in reply and "Next runs" in reply
    body = slack.replies()[0]
    actions = next(b for b in body["blocks"] if b.get("block_id") == ReplyBlocks.ACTIONS)
    assert [e["action_id"] for e in actions["elements"]] == [
        ScheduleActions.RUN_NOW, ScheduleActions.PAUSE, ScheduleActions.EDIT, ScheduleActions.HISTORY,
        ScheduleActions.DELETE]
    assert "Which schedule?" in slack.command("show")


def test_edit_opens_the_form_prefilled_and_only_for_the_owner(slack):
    slack.command(NEW)
    slack.command("edit daily sales", expect_reply=False)
    view = slack.latest_view()
    assert view["title"]["text"] == "Edit scheduled report" and '"mode":"edit"' in view["private_metadata"]
    values = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}
    assert values[ModalBlocks.NAME]["initial_value"] == "Daily sales"
    assert values[ModalBlocks.CADENCE]["initial_value"] == "every weekday at 9am"
    assert values[ModalBlocks.CHANNELS]["initial_conversations"] == [SALES]
    assert "Only <@U0ALICE01>" in slack.command("edit daily sales", user_id=BOB)


def test_pause_and_resume(slack_any, job_context):
    slack_any.command(NEW)
    assert "Paused “Daily sales”" in slack_any.command("pause daily sales")
    assert status_of(job_context.database) == ScheduleStatus.PAUSED
    assert "already paused" in slack_any.command("pause daily sales")
    reply = slack_any.command("resume Daily Sales")
    assert "Resumed “Daily sales”. Next run:" in reply
    with job_context.database.session() as s:
        schedule = s.scalar(select(Schedule))
        assert schedule.status == ScheduleStatus.ACTIVE and schedule.next_run_at > job_context.now()
        assert [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
            "create", "pause", "resume"]
    assert "already active" in slack_any.command("resume daily sales")
    assert "Only <@U0ALICE01>" in slack_any.command("pause daily sales", user_id=BOB)


def test_an_admin_may_pause_someone_elses_schedule(slack, ctx):
    slack.command(NEW)
    assert "Paused" in slack.command("pause daily sales", user_id=ADMIN)


def test_delete_asks_first_then_deletes_on_confirmation(slack_any, job_context):
    slack_any.command(NEW)
    question = slack_any.command("delete daily sales")
    assert question.startswith("Delete *Daily sales*")
    assert status_of(job_context.database) == ScheduleStatus.ACTIVE  # nothing happened yet
    body = slack_any.replies()[0]
    buttons = next(b for b in body["blocks"] if b.get("block_id") == ReplyBlocks.ACTIONS)["elements"]
    assert buttons[0]["action_id"] == ScheduleActions.DELETE_CONFIRM and buttons[0]["style"] == "danger"
    response_id = slack_any.click(ScheduleActions.DELETE_CONFIRM, buttons[0]["value"], channel_id=SALES,
                                  ephemeral=True)
    answer = slack_any.emulator.wait_for(lambda: slack_any.emulator.responses(response_id))[-1]
    assert answer["text"].startswith("🗑️ Deleted “Daily sales”") and answer["replace_original"] is True
    assert status_of(job_context.database) == ScheduleStatus.DELETED
    assert "couldn't find" in slack_any.command("show daily sales")
    assert "Scheduled" in slack_any.command(NEW)  # the name is free again


def test_delete_can_be_cancelled(slack, ctx):
    slack.command(NEW)
    slack.command("delete daily sales")
    value = slack.replies()[0]["blocks"][1]["elements"][1]["value"]
    response_id = slack.click(ScheduleActions.DELETE_CANCEL, value, channel_id=SALES, ephemeral=True)
    answer = slack.emulator.wait_for(lambda: slack.emulator.responses(response_id))[-1]
    assert "nothing was deleted" in answer["text"]
    assert status_of(ctx.database) == ScheduleStatus.ACTIVE


def test_delete_is_refused_to_others(slack, ctx):
    slack.command(NEW)
    assert "Only <@U0ALICE01>" in slack.command("delete daily sales", user_id=BOB)
    slack.command("delete daily sales")
    value = slack.replies()[0]["blocks"][1]["elements"][0]["value"]
    response_id = slack.click(ScheduleActions.DELETE_CONFIRM, value, user_id=BOB, channel_id=SALES,
                              ephemeral=True)
    answer = slack.emulator.wait_for(lambda: slack.emulator.responses(response_id))[-1]
    assert "Only <@U0ALICE01>" in answer["text"]
    assert status_of(ctx.database) == ScheduleStatus.ACTIVE


def test_history_lists_runs_with_per_destination_status_in_plain_words(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales and @bob')
    assert "No runs yet" in slack.command("history daily sales")
    with ctx.database.session() as s:
        schedule = s.scalar(select(Schedule))
        run = Run(schedule_id=schedule.id, scheduled_for=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC),
                  status=RunStatus.PARTIAL, row_count=1234, finished_at=dt.datetime(2026, 11, 20, 8, 1,
                                                                                    tzinfo=dt.UTC))
        run.deliveries = [Delivery(destination="slack_channel:C0SALES01", status="sent", slack_file_ids=["F1"]),
                          Delivery(destination="slack_user:U0BOB0001", status="failed", last_error="user_disabled")]
        s.add(run)
    reply = slack.command("history daily sales")
    assert "partial" in reply and "1,234 rows" in reply
    assert "✅ #sales · ❌ @bob: that person's account is deactivated" in reply


def test_preview_reads_a_cadence_back_with_five_runs_local_and_utc(slack, ctx):
    ctx.now.jump_to(WINTER)  # five Mondays in a row on CET
    reply = slack.command("preview every monday at 9")
    assert "*Every Monday at 09:00 in Europe/Berlin*" in reply
    assert reply.count("CET") == 5 and reply.count(":00 UTC)") == 5
    assert "08:00 UTC" in reply
    assert "25:00" in slack.command("preview every day at 25:00")
    assert "e.g." in slack.command("preview")


def test_preview_with_a_named_zone(slack):
    assert "Asia/Tokyo" in slack.command("preview every weekday at 9am in Tokyo time")


def test_admin_settings_are_for_admins(slack, ctx):
    assert "Only workspace admins" in slack.command("admin quota user 3")
    reply = slack.command("admin quota user 3", user_id=ADMIN)
    assert "Saved" in reply and "Schedules per person: 3" in reply
    assert "Email allowed to: nobody yet" in reply
    reply = slack.command("admin domains example.com, Partner.org", user_id=ADMIN)
    assert "example.com, partner.org" in reply
    assert "not domain names" in slack.command("admin domains not_a_domain", user_id=ADMIN)
    assert "Run-now cool-down: 300 s" in slack.command("admin cooldown 5m", user_id=ADMIN)
    assert "<@U0BOB0001>" in slack.command("admin allow demo_sales <@U0BOB0001|bob>", user_id=ADMIN)
    assert "There is no report type" in slack.command("admin allow nope everyone", user_id=ADMIN)
    assert "didn't understand" in slack.command("admin frob", user_id=ADMIN)
    with ctx.database.session() as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "settings")) == "settings"


def test_numeric_dates_are_read_in_the_persons_locale(slack, people):
    people.workspace.teams[people.default_team_id].users[BOB].locale = "en-GB"
    assert "Every year on May 3 at 07:00" in slack.command("preview every 5/3 at 7")  # Alice: en-US, month first
    assert "Every year on March 5 at 07:00" in slack.command("preview every 5/3 at 7", user_id=BOB)  # en-GB
