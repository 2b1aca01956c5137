"""Trust and safety on the Slack surfaces, as an attacker with a Slack account would try them:
guests and other organisations' people, reading other people's schedules, DMs nobody can stop,
previews without limit, names that ping channels or look like other names."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from jobs.slack_ids import ModalActions, ModalBlocks, ScheduleActions
from storage import email as email_repo
from storage.models import Run, Schedule, ScheduleStatus
from tests.bot.conftest import (
    ADMIN,
    ALICE,
    BOB,
    SALES,
    _client_side,
    check_what_slack_was_sent,
    serve_app,
)
from tests.bot.test_modal import block, open_modal, values
from tests.support.people import CAROL, SLACK_ADMIN

GUEST_SINGLE, GUEST_MULTI, PARTNER, CAROL = "U0GUEST01", "U0GUEST02", "U0PARTNR1", CAROL


@pytest.fixture
def strangers(people):
    """Guests and a Slack Connect admin from another organisation, all in #sales; Carol in nothing."""
    people.add_user(GUEST_SINGLE, "gus", guest="single")
    people.add_user(GUEST_MULTI, "gwen", guest="multi")
    people.add_user(PARTNER, "pat", is_admin=True, is_owner=True, home_team_id="T0PARTNER")
    people.add_user(CAROL, "carol")
    for user in (GUEST_SINGLE, GUEST_MULTI, PARTNER):
        people.workspace.teams[people.default_team_id].channels[SALES].members.add(user)
    return people


def schedules(db) -> list[Schedule]:
    with db.session() as s:
        return list(s.scalars(select(Schedule).where(Schedule.status != ScheduleStatus.DELETED)
                              .order_by(Schedule.id)))


@pytest.mark.parametrize("who, why", [
    (GUEST_SINGLE, "Guest accounts can receive reports but not schedule"),
    (GUEST_MULTI, "Guest accounts can receive reports but not schedule"),
    (PARTNER, "You're in another organisation (Slack Connect)"),
])
def test_guests_and_other_organisations_cannot_schedule_run_or_change(slack, ctx, strangers, who, why):
    assert why in slack.command('new "Mine" every day at 9am in #sales', user_id=who)
    slack.command('new "Daily sales" every day at 9am in #sales')
    for verb in ("run", "pause", "delete", "edit"):
        assert why in slack.command(f"{verb} daily sales", user_id=who), verb
    assert [(s.name, s.status) for s in schedules(ctx.database)] == [("Daily sales", "active")]
    with ctx.database.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 0


def test_an_admin_of_a_partner_organisation_is_not_an_admin_here(slack, strangers):
    assert "Only workspace admins" in slack.command("admin cooldown 0", user_id=PARTNER)
    assert "Only workspace admins can list everyone's" in slack.command("list all", user_id=PARTNER)
    assert "Saved" in slack.command("admin cooldown 0", user_id=SLACK_ADMIN)  # this workspace's admin may


def test_show_and_history_are_for_the_owner_admins_and_the_people_it_reaches(slack, ctx, strangers):
    slack.command("admin domains example.com", user_id=ADMIN)
    slack.command('new "Daily sales" every day at 9am in #sales and carol@example.com')
    schedule_id = schedules(ctx.database)[0].id
    with ctx.database.session() as s:
        email_repo.set_email_options(s, schedule_id, bcc=["boss@example.com"], cc=["cfo@example.com"])
    full = slack.command("show daily sales", user_id=ADMIN)
    assert "carol@example.com" in full and "boss@example.com" in full and "you typed" in full
    member = slack.command("show daily sales", user_id=BOB)  # in #sales: it reaches him
    assert "#sales" in member and "1 more (only its owner sees who)" in member
    assert not re.search(r"carol|boss|cfo|you typed|region", member)
    history = slack.command("history daily sales", user_id=BOB)
    assert "History of Daily sales" in history and "carol" not in history
    assert "isn't yours and isn't sent to you" in slack.command("show daily sales", user_id=CAROL)
    assert "isn't yours and isn't sent to you" in slack.command("history #1", user_id=CAROL)


def test_a_recipient_stops_a_dm_nobody_asked_for_and_cannot_be_added_back(slack, ctx, strangers):
    slack.command('new "Spam" every minute in @carol')
    schedule_id = schedules(ctx.database)[0].id
    dm = slack.dm_channel(CAROL)
    answered = slack.click(ScheduleActions.MUTE, str(schedule_id), user_id=CAROL, channel_id=dm)
    told = slack.wait_reply_count(1, answered)[0]["text"]
    assert "You won't get “Spam” by DM any more" in told and "its owner can't add you back" in told
    [schedule] = schedules(ctx.database)
    assert schedule.status == ScheduleStatus.PAUSED and schedule.destinations == []
    assert schedule.paused_reason == f"its last recipient, <@{CAROL}>, asked to stop getting it"
    owner_dm = slack.dm_channel(ALICE)
    assert slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(owner_dm) if "asked to stop" in m["text"]])
    # The owner cannot put her back, in this schedule or (after "mute all") in a new one.
    slack.command("mute all", user_id=CAROL)
    reply = slack.command('new "More spam" every minute in @carol')
    assert "@carol has asked not to get this report by DM" in reply
    assert "You can get reports from others by DM again" in slack.command("unmute all", user_id=CAROL)
    assert "Scheduled" in slack.command('new "More spam" every minute in @carol')


def test_mute_all_removes_every_dm_others_send_and_tells_each_owner(slack, ctx, strangers):
    slack.command('new "One" every day at 9am in @carol')
    slack.command('new "Two" every day at 9am in #sales and @carol', user_id=BOB)
    reply = slack.command("mute all", user_id=CAROL)
    assert "“One”" in reply and "“Two”" in reply
    one, two = schedules(ctx.database)
    assert (one.status, two.status) == (ScheduleStatus.PAUSED, ScheduleStatus.ACTIVE)  # Two still posts in #sales
    assert [d.target for d in two.destinations] == [SALES]


def test_a_person_cannot_mute_their_own_schedule_or_one_posted_in_a_channel_for_others(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    assert "You own “Daily sales”" in slack.command("mute daily sales")
    reply = slack.command("mute daily sales", user_id=BOB)
    assert "still posted in #sales" in reply
    assert [d.target for d in schedules(ctx.database)[0].destinations] == [SALES]


def test_twenty_preview_clicks_make_one_preview(slack_any, job_context, recording_enqueue):
    slack, ctx = slack_any, job_context
    view = open_modal(slack)
    for _ in range(20):
        slack.view_action(view, ModalActions.PREVIEW_NOW, ModalBlocks.PREVIEW, {"type": "button", "value": "p"},
                          values(name="Daily sales"))
    # Every click answers by updating the modal (most updates lose to a newer one: hash_conflict).
    slack.emulator.wait_for(lambda: len([c for c in slack.emulator.calls() if c.method == "views.update"]) >= 20)
    assert len(recording_enqueue.calls) == 1
    with ctx.database.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 1
        assert s.scalar(select(func.count()).select_from(Schedule)) == 1  # one hidden schedule, not 20


def test_previews_wait_out_the_cool_down_and_are_capped_per_hour(ctx, people, recording_enqueue):
    from jobs.policy import PolicyDefaults

    url, server = serve_app(ctx, people, recording_enqueue,
                            policy=PolicyDefaults(run_now_cooldown_seconds=60, previews_per_hour=2))
    slack = _client_side(url, people)
    try:
        def preview() -> str:
            count = len(people.opened_views())
            view = slack.latest_view()  # the modal as it is now (an older hash would lose to it)
            slack.view_action(view, ModalActions.PREVIEW_NOW, ModalBlocks.PREVIEW, {"type": "button", "value": "p"},
                              values(name="Daily sales"))
            updated = people.wait_for(lambda: len(people.opened_views()) > count and slack.latest_view())
            return block(updated, ModalBlocks.PREVIEW_STATUS)["elements"][0]["text"]

        def finish_runs() -> None:
            with ctx.database.session() as s:
                for run in s.scalars(select(Run)):
                    run.status = "delivered"

        open_modal(slack)
        assert "Generating a preview" in preview()
        finish_runs()
        assert "You can ask for another in 60 s" in preview()
        ctx.now.jump_to(ctx.now() + dt.timedelta(seconds=61))
        assert "Generating a preview" in preview()
        finish_runs()
        ctx.now.jump_to(ctx.now() + dt.timedelta(seconds=61))
        assert "2 previews in the last hour" in preview()
    finally:
        server.stop()
        check_what_slack_was_sent(people)


@pytest.mark.parametrize("name", ["<!channel> urgent", "<!here>", "<@U0BOB0001> pay up",
                                  "<https://evil.example|the Slack login page>", "a & b"])
def test_names_reach_slack_escaped_never_as_mentions_or_links(slack, ctx, name):
    reply = slack.command(f'new "{name}" every day at 9am in #sales')
    assert "Scheduled" in reply and "<!" not in reply and "<@U0BOB" not in reply and "<https://evil" not in reply
    listing = slack.command("list")
    assert "&lt;" in listing or "&amp;" in listing
    assert "<!" not in listing and "<https://evil" not in listing and "<@U0BOB0001>" not in listing


def test_invisible_direction_and_look_alike_names(slack, ctx):
    assert "letters or numbers" in slack.command('new "\u200b\u202e\u2066" every day at 9am in #sales')
    slack.command('new "Daily\u202e sales" every day at 9am in #sales')
    assert [s.name for s in schedules(ctx.database)] == ["Daily sales"]  # the override is stripped
    assert "already exists" in slack.command('new "Ｄａｉｌｙ sales" every day at 9am in #sales')  # full-width


def test_too_long_says_the_real_length(slack):
    assert "(1,500 characters)" in slack.command(f'new "{"x" * 1500}" every day at 9am in #sales')
    assert "(5,000 characters)" in slack.command("x" * 5000)


@pytest.mark.parametrize("address, words", [
    ("a..b@example.com", "is not an email address I can send to"),
    ("user%evil.com@example.com", "routes mail through another server"),
    ("bang!host@example.com", "routes mail through another server"),
])
def test_email_addresses_follow_one_rule_on_every_surface(slack, ctx, address, words):
    """The form refuses what delivery would refuse (the same function decides both)."""
    from jobs.delivery.addresses import valid_address

    slack.command("admin domains example.com", user_id=ADMIN)
    view = open_modal(slack)
    _, answer = slack.submit(view, values(channels=(), emails=address))
    assert words in answer["errors"][ModalBlocks.EMAILS]
    assert schedules(ctx.database) == [] and not valid_address(address)


def test_a_dmd_report_carries_a_stop_button_only_for_people_who_do_not_own_it(slack, ctx):
    from jobs.views.run_message import report_message_blocks

    mine = report_message_blocks(1, "text")[-1]["elements"]
    theirs = report_message_blocks(1, "text", mutable=True)[-1]["elements"]
    assert ScheduleActions.MUTE not in [e["action_id"] for e in mine]
    assert [e["action_id"] for e in theirs][-1] == ScheduleActions.MUTE



@pytest.fixture
def shop_sources(monkeypatch, tmp_path):
    """Two SQLite data sources: `shop` for Alice, `payroll` for Bob only."""
    import sqlite3

    for name in ("shop", "payroll"):
        path = tmp_path / f"{name}.db"
        with sqlite3.connect(path) as conn:
            conn.execute("create table orders (id integer, amount real)")
            conn.execute("insert into orders values (1, 9.5)")
        monkeypatch.setenv(f"REPORTBOT_SOURCE_{name.upper()}", f"sqlite:///{path}")
    monkeypatch.setenv("REPORTBOT_SOURCE_SHOP__USERS", ALICE)
    monkeypatch.setenv("REPORTBOT_SOURCE_PAYROLL__USERS", BOB)


def sql_values(source: str, query: str) -> dict:
    return values(report="sql", params={
        "source": {"type": "static_select", "selected_option": {"value": source}},
        "query": {"type": "plain_text_input", "value": query}})


def sql_modal(slack) -> dict:
    """The form, switched to the `sql` report."""
    view = open_modal(slack)
    count = len(slack.emulator.opened_views())
    slack.view_action(view, ModalActions.REPORT_TYPE, ModalBlocks.REPORT_TYPE,
                      {"type": "static_select", "selected_option": {"value": "sql"}}, values(report="sql"))
    return slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > count and slack.latest_view())


def test_the_source_picker_lists_only_sources_the_person_may_use(slack, shop_sources):
    updated = sql_modal(slack)
    picker = block(updated, f"{ModalBlocks.PARAM_PREFIX}source")["element"]
    assert [o["value"] for o in picker["options"]] == ["shop"]


@pytest.mark.parametrize("source, query, words", [
    ("shop", "delete from orders", "read-only"),
    ("shop", "select * from no_such_table", "no_such_table"),
    ("payroll", "select * from orders", "may not use the data source"),
])
def test_a_sql_schedule_that_would_fail_at_every_run_is_not_saved(slack, ctx, shop_sources, source, query, words):
    view = sql_modal(slack)
    _, answer = slack.submit(view, sql_values(source, query))
    assert words in answer["errors"][f"{ModalBlocks.PARAM_PREFIX}query"]
    assert schedules(ctx.database) == []
    _, answer = slack.submit(view, sql_values("shop", "select id, amount from orders"))
    assert answer == {} and [s.report_type for s in schedules(ctx.database)] == ["sql"]
