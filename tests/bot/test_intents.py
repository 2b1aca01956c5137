"""What plain-words requests are understood as (pure, table-driven)."""

from __future__ import annotations

import pytest

from bot.intents import Intent, target_variants, understand

BOT = "UB0TEST01"


@pytest.mark.parametrize(("text", "expected"), [
    (f"<@{BOT}> send the demo sales report to #sales every monday at 9",
     Intent("create", words="the demo sales report to #sales every monday at 9")),
    ("schedule daily sales every day at 9am in #sales",
     Intent("create", words="daily sales every day at 9am in #sales")),
    ("send weekly sales to #sales every monday", Intent("create", words="weekly sales to #sales every monday")),
    ("every monday at 9 to #sales", Intent("create", words="every monday at 9 to #sales")),
    ("what reports do I have", Intent("list")),
    ("What reports do I have?", Intent("list")),
    ("which reports are there", Intent("list")),
    ("show my reports", Intent("list")),
    ("list", Intent("list")),
    ("my reports", Intent("list")),
    ("pause weekly sales", Intent("pause", target="weekly sales")),
    ("please pause the weekly sales report", Intent("pause", target="the weekly sales report")),
    ("can you stop Weekly Sales please", Intent("pause", target="Weekly Sales")),
    ("resume weekly sales", Intent("resume", target="weekly sales")),
    ("run weekly sales now", Intent("run", target="weekly sales")),
    ("send weekly sales now", Intent("run", target="weekly sales")),
    ("run daily sales", Intent("run", target="daily sales")),
    ("when does weekly sales run next", Intent("next_run", target="weekly sales")),
    ("when does the weekly sales report go out?", Intent("next_run", target="weekly sales report")),
    ("when is weekly sales next", Intent("next_run", target="weekly sales")),
    ("history of weekly sales", Intent("history", target="weekly sales")),
    ("delete weekly sales", Intent("delete", target="weekly sales")),
    ("tell me about weekly sales", Intent("show", target="weekly sales")),
    ("help", Intent("help")),
    ("what can you do?", Intent("help")),
    ("hi", Intent("greeting")),
    (f"<@{BOT}>", Intent("greeting")),
    ("", Intent("greeting")),
    ("payload", Intent("unknown", words="payload")),
    ("blah blah", Intent("unknown", words="blah blah")),
])
def test_understand(text, expected):
    assert understand(text, BOT) == expected


def test_a_mention_of_someone_else_is_kept_as_a_destination():
    assert understand(f"<@{BOT}> send sales to <@U0BOB0001> every day at 9", BOT) == Intent(
        "create", words="sales to <@U0BOB0001> every day at 9")


def test_names_said_in_passing():
    assert target_variants("the weekly sales report") == ["the weekly sales report", "weekly sales report",
                                                          "weekly sales"]
    assert target_variants("Daily sales") == ["Daily sales"]
