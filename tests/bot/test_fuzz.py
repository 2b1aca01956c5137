"""Fuzz `/report` and what people say to the bot with random and adversarial text, through the
real app over HTTP: never an unhandled error, always a helpful answer. "payload" is in the mix
because Bolt's body parser reads any form body containing it as an interactivity payload."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.bot.conftest import ALICE
from tests.support.people import SALES

SUBCOMMANDS = ["", "new", "list", "list all", "show", "edit", "run", "pause", "resume", "delete", "history",
               "preview", "help", "admin", "admin quota user", "admin domains", "admin allow", "payload"]
NASTY = ["payload", "payload=", "payload={}", "payload=%7B%22type%22%3A%22x%22%7D", "&payload=1", "%", "%%", "&", "=",
         "+", "\\", '"', "“", "'", "`", "*", "<", ">", "<#C0SALES01|sales>", "<#G0SECRET1>", "<@U0BOB0001>",
         "<@UNKNOWN>", "<!channel>", "<mailto:a@b.co|a@b.co>", "#sales", "#nope", "@bob", "a@example.com", "every",
         "every day at 9am", "at 25:00", "0 9 * * 1-5", "* * * * *", "as csv,xlsx,png,pdf", "as exe", "using nope",
         "using demo_sales", "in", "to", "🙂", "𝕿𝖊𝖝𝖙", "\u200b", "\u202e", "\t", "\n", "\x00", "\x1b[31m", "null",
         "None", "-1", "99999999999999999999", "#1", "1", "'; drop table schedules; --", "{{7*7}}", "${jndi:x}"]
words = st.sampled_from(NASTY) | st.text(min_size=0, max_size=40)
phrases = st.lists(words, min_size=0, max_size=8).map(" ".join)
FUZZ = settings(max_examples=45, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
UNHANDLED = "something went wrong on my side"


@pytest.fixture
def errors(caplog):
    caplog.set_level(logging.ERROR, logger="bot")
    yield caplog
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bot") and "unhandled" in r.getMessage()] == []


@FUZZ
@given(subcommand=st.sampled_from(SUBCOMMANDS), rest=phrases)
@example(subcommand="show", rest="payload")
@example(subcommand="new", rest='"payload" every day at 9am in #sales')
@example(subcommand="run", rest="payload=%7B%7D")
@example(subcommand="preview", rest="every 0 minutes")
@example(subcommand="admin", rest="cooldown 99999999999999999999")
@example(subcommand="show", rest="99999999999999999999")  # once reached SQLite as an overflow
def test_report_command_always_answers_helpfully(slack, errors, subcommand, rest):
    text = f"{subcommand} {rest}".strip()
    opened = len(slack.emulator.opened_views())
    reply = slack.command(text, expect_reply=False)
    assert reply == ""
    answer = slack.emulator.wait_for(
        lambda: slack.replies() or len(slack.emulator.opened_views()) > opened, timeout=10)
    if isinstance(answer, list):
        body = answer[0]
        assert body.get("text") and UNHANDLED not in body["text"], body
        assert "Traceback" not in body["text"]


@settings(FUZZ, max_examples=25)
@given(text=phrases)
@example(text="payload")
@example(text="send payload to #sales every day at 9")
@example(text="pause <#C0SALES01|sales>")
@example(text="when does \x00 run next")
def test_mentions_and_dms_always_get_an_answer(slack_any, errors, text):
    """On both databases: what people type reaches queries (names are looked up)."""
    slack = slack_any
    before = len(slack.emulator.ephemerals(SALES, ALICE))
    assert slack.mention(text)[0] == 200
    answer = slack.emulator.wait_for(lambda: slack.emulator.ephemerals(SALES, ALICE)[before:], timeout=10)[0]
    assert answer.get("text") and UNHANDLED not in answer["text"]
    dm = slack.dm_channel(ALICE)
    seen = len(slack.bot_messages(dm))
    assert slack.dm(text)[0] == 200
    reply = slack.emulator.wait_for(lambda: slack.bot_messages(dm)[seen:], timeout=10)[0]
    assert reply.get("text") and UNHANDLED not in reply["text"]
