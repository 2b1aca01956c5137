"""Who may do what: owners and admins, channel membership, the bot joining or asking to be invited,
report types limited to named people, quotas, the run-now cool-down, the email domain allowlist.
Every refusal says why."""

from __future__ import annotations

from sqlalchemy import func, select

from jobs.policy import PolicyDefaults
from storage.models import Run, Schedule
from tests.bot.conftest import (
    ADMIN,
    ALICE,
    BOB,
    _client_side,
    check_what_slack_was_sent,
    serve_app,
)
from tests.support.people import GONE_PERSON, SLACK_ADMIN


def count(db, model=Schedule) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_schedules_per_person_quota(slack, ctx):
    slack.command("admin quota user 2", user_id=ADMIN)
    slack.command('new "One" every day at 9am in #sales')
    slack.command('new "Two" every day at 9am in #sales')
    reply = slack.command('new "Three" every day at 9am in #sales')
    assert reply.startswith("⚠️ You already have 2 scheduled reports") and "ask an admin" in reply
    assert count(ctx.database) == 2
    assert "Scheduled" in slack.command('new "Bobs" every day at 9am in #sales', user_id=BOB)  # per person


def test_workspace_quota_and_none_means_no_limit(slack, ctx):
    slack.command("admin quota workspace 1", user_id=ADMIN)
    slack.command('new "One" every day at 9am in #sales')
    assert "This workspace already has 1 scheduled reports" in slack.command(
        'new "Two" every day at 9am in #sales', user_id=BOB)
    slack.command("admin quota workspace none", user_id=ADMIN)
    assert "Scheduled" in slack.command('new "Two" every day at 9am in #sales', user_id=BOB)


def test_run_now_cool_down(ctx, people, recording_enqueue):
    url, server = serve_app(ctx, people, recording_enqueue, policy=PolicyDefaults(run_now_cooldown_seconds=120))
    slack = _client_side(url, people)
    try:
        slack.command('new "Daily sales" every day at 9am in #sales')
        slack.command("run daily sales")
        people.wait_for(lambda: count(ctx.database, Run) == 1)  # the run is created after the reply
        with ctx.database.session() as s:
            s.scalar(select(Run)).status = "delivered"  # the first run is done
        reply = slack.command("run daily sales")
        assert "You can run it again in 2 min" in reply
        assert count(ctx.database, Run) == 1
        assert slack.command("run daily sales", user_id=ADMIN).startswith("⏳")  # admins are not held back
    finally:
        server.stop()
    check_what_slack_was_sent(people)


def test_email_only_to_allowed_domains(slack, ctx):
    reply = slack.command('new "Mail" every day at 9am to ana@example.com')
    assert "has not allowed email to any domain yet" in reply and "/report admin domains" in reply
    slack.command("admin domains example.com", user_id=ADMIN)
    assert "not on this workspace's allowlist (example.com)" in slack.command(
        'new "Mail" every day at 9am to ana@elsewhere.org')
    assert "Scheduled" in slack.command('new "Mail" every day at 9am to ana@example.com')
    assert "Scheduled" in slack.command('new "Sub" every day at 9am to ana@eu.example.com')  # subdomains too


def test_report_types_limited_to_named_people(slack, ctx):
    slack.command("admin allow demo_sales <@U0BOB0001>", user_id=ADMIN)
    reply = slack.command('new "Daily sales" every day at 9am in #sales')
    assert "limited “Demo sales” to certain people" in reply
    assert "Scheduled" in slack.command('new "Daily sales" every day at 9am in #sales', user_id=BOB)
    assert "Scheduled" in slack.command('new "Admin sales" every day at 9am in #sales', user_id=ADMIN)
    slack.command("admin allow demo_sales everyone", user_id=ADMIN)
    assert "Scheduled" in slack.command('new "Alice sales" every day at 9am in #sales')


def test_the_bot_joins_public_channels_and_asks_to_be_invited_to_private_ones(slack, ctx):
    assert "Scheduled" in slack.command('new "Launch" every day at 9am in <#C0LAUNCH1|launch>')
    assert [c.params["channel"] for c in slack.emulator.calls("conversations.join")] == ["C0LAUNCH1"]
    reply = slack.command('new "Secret" every day at 9am in <#G0SECRET1|secret>')
    assert "private" in reply and "/invite @reportbot" in reply
    assert count(ctx.database) == 1


def test_people_must_be_active_humans(slack, people):
    people.add_user(GONE_PERSON, "gone", deleted=True)
    assert "deactivated" in slack.command('new "X" every day at 9am to <@U0GONE001>')


def test_admins_may_change_anyones_schedule_others_may_not(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    for verb in ("pause", "resume", "run", "delete", "edit"):
        assert "Only <@U0ALICE01> (the owner) or a workspace admin" in slack.command(f"{verb} daily sales",
                                                                                      user_id=BOB)
    assert "Paused" in slack.command("pause daily sales", user_id=SLACK_ADMIN)  # a Slack workspace admin
    assert "Resumed" in slack.command("resume daily sales", user_id=ADMIN)  # named in REPORTBOT_ADMINS
    with ctx.database.session() as s:
        assert s.scalar(select(Schedule.owner_user_id)) == ALICE
