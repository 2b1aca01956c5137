"""Plain words the conversation must understand (the plain-words issue): many phrasings per intent,
table-driven and pure — "send me", free word order, alerts, "stop sending me …", "what do I get"."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.create_flow import read_words
from bot.intents import Intent, understand
from bot.oneliner import parse_one_liner

BOT = "UB0TEST01"
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


def created(text: str) -> str:
    intent = understand(text, BOT)
    assert intent.kind == "create", (text, intent)
    return intent.words


@pytest.mark.parametrize("text, name, cadence", [
    ("send me the demo sales report every day at 8am", "the demo sales report", "every day at 8am"),
    ("Send me demo sales every monday at 9", "demo sales", "every monday at 9"),
    ("please send me daily sales every weekday at 8:30", "daily sales", "every weekday at 8:30"),
    ("DM me the demo sales report every friday at 5pm", "the demo sales report", "every friday at 5pm"),
    ("dm me demo sales daily at 7", "demo sales", "daily at 7"),
    ("message me demo sales every day at noon", "demo sales", "every day at noon"),
    ("send the demo sales report to me every monday at 9", "the demo sales report", "every monday at 9"),
    ("post demo sales in my DMs every day at 8am", "demo sales", "every day at 8am"),
    ("send demo sales to me privately every day at 6pm", "demo sales", "every day at 6pm"),
    ("can you send me demo sales every day at 8am please", "demo sales", "every day at 8am"),
    (f"<@{BOT}> send me demo sales every day at 8am", "demo sales", "every day at 8am"),
    ("send demo sales by DM every tuesday at 10", "demo sales", "every tuesday at 10"),
])
def test_send_me_is_the_persons_own_dm(text, name, cadence):
    parsed = read_words(created(text), NOW)
    assert (parsed.name, parsed.cadence_text, parsed.to_me, parsed.destinations) == (name, cadence, True, [])


@pytest.mark.parametrize("text", [
    "email me demo sales every day at 8am",
    "e-mail me the demo sales report every monday at 9",
    "send demo sales to my email every day at 8am",
])
def test_email_me_is_the_persons_own_address(text):
    parsed = read_words(created(text), NOW)
    assert (parsed.to_my_email, parsed.to_me) == (True, False)


@pytest.mark.parametrize("text, name, cadence, where", [
    ("every day at 8am post demo sales to #ops", "demo sales", "every day at 8am", "ops"),
    ("every day at 8am, send demo sales to #ops", "demo sales", "every day at 8am", "ops"),
    ("every monday at 9 send the weekly numbers to #sales", "the weekly numbers", "every monday at 9", "sales"),
    ("at 8am every day post demo sales in #ops", "demo sales", "at 8am every day", "ops"),
    ("daily at 7 share demo sales with #ops", "demo sales", "daily at 7", "ops"),
    ("every weekday at 9 deliver demo sales to #sales", "demo sales", "every weekday at 9", "sales"),
    ("every monday at 9 the demo sales report to #sales", "the demo sales report", "every monday at 9", "sales"),
    ("every day at 8am demo sales to #ops", "demo sales", "every day at 8am", "ops"),
    ("send demo sales to #ops every day at 8am", "demo sales", "every day at 8am", "ops"),
    ("demo sales every day at 8am in #ops", "demo sales", "every day at 8am", "ops"),
])
def test_word_order_is_free(text, name, cadence, where):
    parsed = read_words(created(text), NOW)
    assert (parsed.name, parsed.cadence_text) == (name, cadence)
    assert [r.name for r in parsed.destinations] == [where]


def test_more_of_a_cadence_after_it_is_not_taken_for_a_name():
    # "until 1 March 2020" is a schedule's end, not a report's name: the whole text keeps its own error.
    parsed = parse_one_liner("every day at 9 until 1 March 2020 demo",
                             is_cadence=lambda words: words == "every day at 9")
    assert (parsed.name, parsed.cadence_text) == ("", "every day at 9 until 1 March 2020 demo")


@pytest.mark.parametrize("text, where, to_me, condition", [
    ("tell me in #ops when revenue drops below 10k", ["ops"], False, "when revenue drops below 10k"),
    ("tell me when revenue drops below 10k", [], True, "when revenue drops below 10k"),
    ("let me know when revenue < 10000", [], True, "when revenue < 10000"),
    ("alert me if there are no rows", [], True, "if there are no rows"),
    ("notify us in #ops when units > 500", ["ops"], False, "when units > 500"),
    ("ping me as soon as revenue is above 50k", [], True, "as soon as revenue is above 50k"),
    ("warn me every 15 minutes when rows > 0", [], True, "when rows > 0"),
    ("please tell the channel #sales when revenue drops by more than 10%", ["sales"], False,
     "when revenue drops by more than 10%"),
    ("message me when revenue < 5k for 3 checks", [], True, "when revenue < 5k for 3 checks"),
    ("send me demo sales every day at 8am only if it changed", [], True, "only if it changed"),
])
def test_alerts_in_plain_words(text, where, to_me, condition):
    parsed = read_words(created(text), NOW)
    assert ([r.name for r in parsed.destinations], parsed.to_me, parsed.condition_text) == (where, to_me, condition)
    assert parsed.cadence_text  # every hour unless said


def test_an_alert_without_a_cadence_or_name_is_checked_hourly_and_named_after_its_condition():
    parsed = read_words("in #ops when revenue drops below 10k", NOW)
    assert (parsed.name, parsed.cadence_text) == ("Revenue drops below 10k", "every hour")
    parsed = read_words('"Low revenue" every 5 minutes in #ops when revenue < 10000', NOW)
    assert (parsed.name, parsed.cadence_text, parsed.condition_text) == ("Low revenue", "every 5 minutes",
                                                                         "when revenue < 10000")
    quoted = read_words('"Alert when low" every hour in #ops when revenue < 5', NOW)
    assert (quoted.name, quoted.condition_text) == ("Alert when low", "when revenue < 5")


@pytest.mark.parametrize("text, target", [
    ("stop sending me weekly sales", "weekly sales"),
    ("Stop sending me the weekly sales report", "the weekly sales report"),
    ("please stop sending me weekly sales", "weekly sales"),
    ("stop DMing me weekly sales", "weekly sales"),
    ("stop messaging me weekly sales anymore", "weekly sales"),
    ("unsubscribe me from weekly sales", "weekly sales"),
    ("unsubscribe from weekly sales", "weekly sales"),
    ("unsubscribe weekly sales", "weekly sales"),
    ("mute weekly sales", "weekly sales"),
    ("silence weekly sales", "weekly sales"),
    ("remove me from weekly sales", "weekly sales"),
    ("take me off weekly sales", "weekly sales"),
    ("take me off the list for weekly sales", "weekly sales"),
    ("I don't want weekly sales any more", "weekly sales"),
    ("i do not want to get weekly sales anymore", "weekly sales"),
    (f"<@{BOT}> stop sending me “Weekly sales”", "Weekly sales"),
])
def test_stop_sending_me_one_report(text, target):
    assert understand(text, BOT) == Intent("mute", target=target)


@pytest.mark.parametrize("text", [
    "stop sending me reports", "stop sending me reports please", "Stop sending me all reports",
    "stop sending me these reports", "stop sending me anything", "stop sending me stuff", "stop sending me alerts",
    "stop DMing me", "unsubscribe me", "unsubscribe me from everything", "unsubscribe from all reports",
    "mute all", "mute everything", "I don't want any more reports", "i don't want reports anymore",
    "no more reports", "stop sending me them",
])
def test_stop_sending_me_everything(text):
    assert understand(text, BOT) == Intent("mute_all")


@pytest.mark.parametrize("text", [
    "what reports do I get?", "What reports do I receive", "which reports am I getting", "what alerts do I get",
    "what do I get", "what do I get from you", "what am I subscribed to", "what am I signed up for",
    "which reports are sent to me", "what reports come to me", "which schedules reach me",
    "list the reports I get", "show me the reports sent to me", "my subscriptions", "what are my subscriptions",
])
def test_what_reaches_me(text):
    assert understand(text, BOT) == Intent("received")


@pytest.mark.parametrize("text, expected", [
    ("what reports do I have", Intent("list")),  # mine, not what reaches me
    ("pause weekly sales", Intent("pause", target="weekly sales")),
    ("stop weekly sales", Intent("pause", target="weekly sales")),  # stopping a schedule, not muting it
    ("remove weekly sales", Intent("delete", target="weekly sales")),
    ("send me weekly sales now", Intent("run", target="weekly sales")),
    ("tell me about weekly sales", Intent("show", target="weekly sales")),
])
def test_nearby_requests_keep_their_meaning(text, expected):
    assert understand(text, BOT) == expected
