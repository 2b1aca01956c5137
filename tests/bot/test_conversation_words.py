"""The conversation in plain words, through the app: "send me …" is the person's DM, the cadence may
come first, "stop sending me …" mutes (asked first, with a button), "what reports do I get?" lists
what reaches them — by DM or in channels they are in, and nothing else."""

from __future__ import annotations

from jobs.slack_ids import ChatActions
from storage.models import ScheduleStatus
from tests.bot.alert_support import alerts
from tests.bot.conftest import ALICE, BOB
from tests.bot.test_conversation import button, click, last_dm
from tests.support.people import CAROL, SALES


def test_send_me_is_my_dm(slack, ctx):
    slack.dm("send me the demo sales report every day at 8am")
    question = last_dm(slack)
    for expected in ("Name: Demo sales report", "Report: Demo sales", "Where: @alice"):
        assert expected in question["text"]
    click(slack, question, ChatActions.CONFIRM)
    slack.emulator.wait_for(lambda: last_dm(slack)["text"].startswith("✅"))
    [schedule] = alerts(ctx.database)
    assert [(d.kind, d.target) for d in schedule.destinations] == [("slack_user", ALICE)]
    assert (schedule.name, schedule.cadence_text) == ("Demo sales report", "every day at 8am")


def test_the_cadence_may_come_first(slack, ctx):
    slack.dm("every day at 8am post demo sales to #sales")
    question = last_dm(slack)
    for expected in ("Name: Demo sales", "When: Every day at 08:00 in Europe/Berlin", "Where: #sales"):
        assert expected in question["text"]
    assert "Shall I create it?" in question["text"]


def test_stop_sending_me_a_report_is_confirmed_then_muted_and_the_owner_told(slack, ctx):
    slack.command('new "Numbers for Bob" every day at 9am in @bob and #sales')
    slack.dm("stop sending me numbers for bob", user_id=BOB)
    question = last_dm(slack, BOB)
    assert question["text"].startswith("Here's what I understood: stop sending you *Numbers for Bob* by DM?")
    assert sorted(d.target for d in alerts(ctx.database)[0].destinations) == [SALES, BOB]  # not yet
    click(slack, question, ChatActions.CONFIRM, user_id=BOB)
    done = slack.emulator.wait_for(lambda: "won't get" in last_dm(slack, BOB)["text"] and last_dm(slack, BOB))
    assert done["ts"] == question["ts"] and "still posted in #sales" in done["text"]
    assert [d.target for d in alerts(ctx.database)[0].destinations] == [SALES]
    owner_dm = slack.dm_channel(ALICE)
    assert slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(owner_dm) if "asked to stop" in m["text"]])


def test_stop_sending_me_my_own_report_offers_to_pause_it(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.dm("stop sending me daily sales")
    question = last_dm(slack)
    assert "You own *Daily sales*" in question["text"]
    assert button(question, ChatActions.CONFIRM)["text"]["text"] == "Pause it"
    click(slack, question, ChatActions.CONFIRM)
    slack.emulator.wait_for(lambda: "Paused" in last_dm(slack)["text"])
    assert alerts(ctx.database)[0].status == ScheduleStatus.PAUSED


def test_a_report_posted_in_a_channel_is_explained_not_muted(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.dm("unsubscribe me from daily sales", user_id=BOB)
    answer = last_dm(slack, BOB)
    assert "doesn't come to you by DM: it is posted in #sales" in answer["text"]
    assert not [b for b in answer.get("blocks", []) if b["type"] == "actions"]  # nothing to click: nothing done
    slack.emulator.add_user(CAROL, "carol")
    slack.dm("stop sending me daily sales", user_id=CAROL)
    assert "isn't sent to you" in last_dm(slack, CAROL)["text"]


def test_stop_sending_me_reports_mutes_them_all_after_asking(slack, ctx):
    slack.command('new "One" every day at 9am in @bob')
    slack.command('new "Two" every day at 9am in #sales and @bob')
    slack.dm("stop sending me reports", user_id=BOB)
    question = last_dm(slack, BOB)
    assert "*One*, *Two*" in question["text"] and button(question, ChatActions.CONFIRM)["style"] == "danger"
    click(slack, question, ChatActions.CONFIRM, user_id=BOB)
    slack.emulator.wait_for(lambda: "Nobody can send you reports by DM" in last_dm(slack, BOB)["text"])
    one, two = alerts(ctx.database)
    assert (one.status, [d.target for d in two.destinations]) == (ScheduleStatus.PAUSED, [SALES])
    assert "@bob has asked not to get this report by DM" in slack.command('new "Three" every day at 9am in @bob')


def test_what_reports_do_i_get_lists_what_reaches_me_and_nothing_else(slack, ctx):
    slack.command('new "Sales daily" every day at 9am in #sales')
    slack.command('new "For Bob" every monday at 9am in @bob')
    slack.command('new "Launch" every day at 9am in #launch')  # alice alone in #launch
    slack.command('new "Low revenue" every hour in #sales when revenue < 10')
    slack.command("pause for bob")
    slack.dm("what reports do I get?", user_id=BOB)
    text = last_dm(slack, BOB)["text"]
    assert text.startswith("*What reaches you*")
    assert "*Sales daily* (report) — Every day at 09:00 in Europe/Berlin, in #sales · next " in text
    assert f"*For Bob* (report) — Every Monday at 09:00 in Europe/Berlin, by DM · paused · from <@{ALICE}>" in text
    assert "*Low revenue* (🔔 alert) — Every hour" in text
    assert "Launch" not in text
    slack.emulator.add_user(CAROL, "carol")
    slack.dm("what do I get", user_id=CAROL)
    assert last_dm(slack, CAROL)["text"].startswith("Nothing reaches you from me right now")


def test_a_one_liner_to_me_is_my_dm_and_to_my_email_my_address(slack, ctx):
    from tests.bot.conftest import ADMIN

    assert "Scheduled" in slack.command('new "Mine" every day at 9am to me')
    slack.command("admin domains example.com", user_id=ADMIN)
    assert "Scheduled" in slack.command('new "Mailed" every day at 9am to my email')
    mine, mailed = alerts(ctx.database)
    assert [(d.kind, d.target) for d in mine.destinations] == [("slack_user", ALICE)]
    assert [(d.kind, d.target) for d in mailed.destinations] == [("email", "alice@example.com")]
