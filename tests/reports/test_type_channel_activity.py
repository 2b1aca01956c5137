"""`channel_activity` against the Slack emulator: paging at 15, Retry-After, views, privacy, errors."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from reports.errors import ReportError
from reports.registry import ReportRequest, get_report_type
from reports.types.slack_history import HistorySettings, from_ts, to_ts
from reports.window import compute_window
from tests.conftest import SHARED_SLACK
from tests.support.people import ALICE, BOB, CAROL, OPS, SALES, TEAM

BERLIN = ZoneInfo("Europe/Berlin")
SLOT = dt.datetime(2026, 11, 23, 9, tzinfo=BERLIN)  # the report for Mon 16 – Sun 22 Nov


def at(day: int, hour: int, minute: int = 0) -> str:
    return to_ts(dt.datetime(2026, 11, day, hour, minute, tzinfo=BERLIN))


def seed_week(emulator, channel: str = SALES) -> None:
    add = emulator.add_message
    add(channel, "before the window", user_id=ALICE, ts=at(15, 23, 30))
    kickoff = add(channel, "Kickoff for the quarter", user_id=ALICE, ts=at(16, 10))
    add(channel, "on it", user_id=BOB, ts=at(16, 10, 5), thread_ts=kickoff)
    add(channel, "thanks", user_id=ALICE, ts=at(16, 10, 10), thread_ts=kickoff)
    add(channel, "also in channel", user_id=BOB, ts=at(16, 10, 20), thread_ts=kickoff, subtype="thread_broadcast")
    add(channel, "done", user_id=BOB, ts=at(16, 11), thread_ts=kickoff)
    add(channel, "Lunch?", user_id=BOB, ts=at(16, 12))
    numbers = add(channel, "Numbers are in", user_id=ALICE, ts=at(17, 9))
    add(channel, "joined", user_id=CAROL, ts=at(17, 9, 30), subtype="channel_join")
    add(channel, "nice", user_id=BOB, ts=at(18, 9), thread_ts=numbers)
    add(channel, "deploy finished", user_id=ALICE, ts=at(18, 10), bot_id="B0DEPLOY1", subtype="bot_message")
    add(channel, "late on Sunday", user_id=ALICE, ts=at(22, 23, 30))
    add(channel, "next week already", user_id=BOB, ts=at(23, 0, 30))


def run(emulator, *, owner: str = ALICE, settings: HistorySettings | None = None, sleeps: list | None = None,
        **params):
    kind = get_report_type("channel_activity")
    window = compute_window("previous_week", SLOT, "Europe/Berlin")
    client = WebClient(token=emulator.bot_token(), base_url=emulator.base_url)  # no retry handlers: we retry
    services = {"slack": lambda: client, "slack_history_settings": settings or HistorySettings()}
    if sleeps is not None:
        services["sleep"] = sleeps.append
    request = ReportRequest(params=kind.validate_params({"channels": "#sales", **params}), window=window,
                            timezone="Europe/Berlin", slot=SLOT, services=services, owner_user_id=owner,
                            team_id=TEAM)
    return kind.fetch(request)


def test_per_day_counts_messages_replies_and_members_for_every_local_day(emulator):
    seed_week(emulator)
    table = run(emulator)
    assert table.column_names == ["date", "channel", "messages", "replies", "active_members"]
    rows = list(table.rows())
    assert [r[0] for r in rows] == [dt.date(2026, 11, d) for d in range(16, 23)]
    assert [r[2:] for r in rows] == [(3, 3, 2), (1, 0, 1), (0, 1, 1), (0, 0, 0), (0, 0, 0), (0, 0, 0), (1, 0, 1)]
    assert {r[1] for r in rows} == {"#sales"}
    assert table.title == "Channel activity · #sales"
    assert table.window_label == "Mon 16 Nov – Sun 22 Nov 2026 (week 47), Europe/Berlin"
    assert table.meta["key_columns"] == ["messages", "replies"] and table.meta["notes"] == []


def test_history_is_paged_15_at_a_time_within_the_window(emulator):
    for minute in range(40):
        emulator.add_message(SALES, f"message {minute}", user_id=ALICE, ts=at(19, 9, minute))
    table = run(emulator)
    assert sum(r[2] for r in table.rows()) == 40
    history = emulator.calls("conversations.history")
    assert len(history) == 3 and all(str(c.params["limit"]) == "15" for c in history)
    assert history[0].params["oldest"] == at(16, 0)
    assert from_ts(history[0].params["latest"]) == dt.datetime(2026, 11, 23, tzinfo=BERLIN) - dt.timedelta(
        microseconds=1)
    assert "cursor" not in history[0].params and history[1].params["cursor"]


def test_members_view_ranks_people_and_names_them(emulator):
    seed_week(emulator)
    rows = list(run(emulator, view="members").rows())
    # bob: 2 messages (one a broadcast reply) + 3 replies; alice: 3 messages + 1 reply, started 2 threads.
    assert rows == [("bob", BOB, 2, 3, 0, 1, 2), ("alice", ALICE, 3, 1, 2, 1, 3)]


def test_threads_view_lists_the_busiest_threads_with_links(emulator):
    seed_week(emulator)
    table = run(emulator, view="threads")
    rows = list(table.rows())
    assert [r[7] for r in rows] == ["Kickoff for the quarter", "Numbers are in"]
    kickoff = rows[0]
    assert kickoff[0] == "#sales" and kickoff[1] == dt.datetime(2026, 11, 16, 10, tzinfo=BERLIN)
    assert kickoff[2] == "alice" and kickoff[3:6] == (3, 4, 2)
    assert kickoff[8].endswith(f"/archives/C0SALES01/p{at(16, 10).replace('.', '')}")


def test_only_the_top_threads_are_read_in_full(emulator):
    seed_week(emulator)
    table = run(emulator, top=1)
    assert sum(r[3] for r in table.rows()) == 3  # the "Numbers" reply was not read
    assert len(emulator.calls("conversations.replies")) == 1
    assert "1 more thread counted from Slack's reply totals" in table.meta["notes"][0]


def test_bots_are_left_out_unless_asked_for(emulator):
    seed_week(emulator)
    rows = list(run(emulator, include_bots="yes").rows())
    assert rows[2][2] == 1  # the deploy bot's message on Wednesday


def test_a_429_is_waited_out_as_retry_after_says(emulator):
    seed_week(emulator)
    emulator.fail("conversations.history", error="ratelimited", status=429, retry_after=7, times=2)
    sleeps: list[float] = []
    table = run(emulator, sleeps=sleeps)
    assert sleeps == [7.0, 7.0]
    assert sum(r[2] for r in table.rows()) == 5 and table.meta["rate_limited"] == 2


def test_waiting_longer_than_the_budget_fails_with_advice(emulator):
    seed_week(emulator)
    emulator.fail("conversations.history", error="ratelimited", status=429, retry_after=60, times=5)
    with pytest.raises(ReportError, match="kept me waiting more than 30 seconds; choose fewer channels"):
        run(emulator, settings=HistorySettings(max_wait_seconds=30), sleeps=[])


def test_the_call_budget_stops_a_runaway_report(emulator):
    for minute in range(30):
        emulator.add_message(SALES, f"m{minute}", user_id=ALICE, ts=at(19, 9, minute))
    with pytest.raises(ReportError, match="more than 3 Slack calls"):
        run(emulator, settings=HistorySettings(page_size=5, max_calls=3))


def test_the_emulators_real_rate_limit_is_honoured_end_to_end():
    from slack_emulator import SlackEmulator

    # Tier 3 is 50 calls a minute; scaled 30x that is 50 calls per 2 s, and 60 pages need more.
    with SlackEmulator(reference_dir=SHARED_SLACK / "method-reference", enforce_rate_limits=True,
                       rate_limit_scale=30) as emulator:
        emulator.add_user(ALICE, "alice")
        emulator.add_channel(SALES, "sales", members=[ALICE])
        for minute in range(120):
            emulator.add_message(SALES, f"m{minute}", user_id=ALICE, ts=at(19, 9 + minute // 60, minute % 60))
        table = run(emulator, settings=HistorySettings(page_size=2))
        assert sum(r[2] for r in table.rows()) == 120
        assert emulator.ratelimited_count() >= 1 and table.meta["rate_limited"] >= 1


def test_private_channels_are_reported_only_to_their_members(emulator):
    emulator.add_channel("G0SECRET1", "secret", is_private=True, members=[BOB])
    emulator.add_message("G0SECRET1", "psst", user_id=BOB, ts=at(17, 9))
    with pytest.raises(ReportError, match="#secret is private, and only its members can get reports on it"):
        run(emulator, channels="<#G0SECRET1|secret>")
    assert sum(r[2] for r in run(emulator, owner=BOB, channels="#secret").rows()) == 1


def test_channels_i_am_not_in_or_cannot_find_are_explained(emulator):
    emulator.add_channel("C0QUIET01", "quiet", members=[ALICE], bot_is_member=False)
    with pytest.raises(ReportError, match="I'm not a member of <#C0QUIET01>. Invite me with `/invite @reportbot`"):
        run(emulator, channels="#quiet")
    with pytest.raises(ReportError, match="can't find a channel called #nowhere"):
        run(emulator, channels="#nowhere")


def test_several_channels_share_one_table(emulator):
    seed_week(emulator)
    emulator.add_message(OPS, "ops here", user_id=BOB, ts=at(20, 15))
    rows = list(run(emulator, owner=BOB, channels="#sales #ops").rows())
    assert len(rows) == 14 and ("#ops", 1) in {(r[1], r[2]) for r in rows}


def test_without_slack_access_the_report_says_so():
    kind = get_report_type("channel_activity")
    window = compute_window("previous_week", SLOT, "Europe/Berlin")
    request = ReportRequest(params=kind.validate_params({"channels": SALES}), window=window,
                            timezone="Europe/Berlin", slot=SLOT)
    with pytest.raises(ReportError, match="needs access to Slack"):
        kind.fetch(request)


def test_slack_timestamps_round_trip_exactly():
    instant = dt.datetime(2026, 11, 16, 9, 0, 0, 123456, tzinfo=dt.UTC)
    assert to_ts(instant) == f"{int(instant.timestamp())}.123456" and from_ts(to_ts(instant)) == instant
