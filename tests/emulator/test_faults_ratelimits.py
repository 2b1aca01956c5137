"""Injected faults and enforced rate limits, seen through slack_sdk."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from slack_emulator import SlackEmulator
from slack_emulator.ratelimit import RateLimiter
from tests.support.people import ALICE

from .conftest import GENERAL, HAS_REFERENCE, PRIVATE, REFERENCE_DIR, populate


def test_fault_returns_error_code_once(emu, client):
    emu.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=GENERAL, text="x")
    assert info.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel=GENERAL, text="x")["ok"]


def test_http_500_fault(emu, client):
    emu.fail("users.info", status=500)
    with pytest.raises(SlackApiError) as info:
        client.users_info(user=ALICE)
    assert info.value.response.status_code == 500
    assert info.value.response["error"] == "internal_error"


def test_429_fault_exposes_retry_after(emu, client):
    emu.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=GENERAL, text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    assert emu.ratelimited_count() == 1


def test_retry_handler_recovers_from_429(emu):
    client = WebClient(token=emu.bot_token(), base_url=emu.base_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    # The handler sleeps int(Retry-After) + random() seconds, so one retry keeps this under a second.
    emu.fail("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel=GENERAL, text="eventually")["ok"]
    assert [c.status for c in emu.calls("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in emu.messages(GENERAL)] == ["eventually"]


def test_persistent_fault_until_cleared(emu, client):
    emu.fail("*", error="fatal_error", times=None)
    for _ in range(3):
        with pytest.raises(SlackApiError):
            client.auth_test()
    emu.clear_faults()
    assert client.auth_test()["ok"]


def limited_emulator(scale: float) -> SlackEmulator:
    """Return a started emulator enforcing rate limits, time-compressed by `scale`."""
    emulator = SlackEmulator(REFERENCE_DIR if HAS_REFERENCE else None, enforce_rate_limits=True,
                             rate_limit_scale=scale)
    return populate(emulator).start()


@pytest.fixture
def limited():
    # rate_limit_scale=60: a one-minute window lasts one second.
    emulator = limited_emulator(60)
    yield emulator
    emulator.stop()


def test_tier_limit_returns_429_with_integer_retry_after(limited):
    client = WebClient(token=limited.bot_token(), base_url=limited.base_url)
    for _ in range(20):  # conversations.list is Tier 2: 20 per minute
        client.conversations_list()
    with pytest.raises(SlackApiError) as info:
        client.conversations_list()
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "1"
    assert info.value.response["error"] == "ratelimited"
    assert limited.ratelimited_count() == 1
    # Other methods and other teams have their own buckets.
    assert client.users_info(user=ALICE)["ok"]
    limited.add_team("T0TEST02", "Globex")
    assert WebClient(token=limited.bot_token("T0TEST02"), base_url=limited.base_url).conversations_list()["ok"]


def test_sliding_window_with_fake_clock():
    now = [1000.0]
    limiter = RateLimiter(scale=1.0, clock=lambda: now[0])
    buckets = limiter.limits_for("conversations.history", "t3", "T1", None)
    assert [limiter.check(buckets) for _ in range(50)] == [None] * 50
    assert limiter.check(buckets) == 60
    now[0] += 30.5
    assert limiter.check(buckets) == 30  # the oldest hit leaves the window in 29.5 s
    now[0] += 29.6
    assert limiter.check(buckets) is None
    special = limiter.limits_for("auth.test", "t5", "T1", None)
    assert special[0][1].count == 600
    assert limiter.limits_for("oauth.v2.access", "t5", "T1", None) == []


def test_post_message_per_channel_burst():
    emulator = limited_emulator(1)  # real time: 3 messages per 3 s per channel
    try:
        client = WebClient(token=emulator.bot_token(), base_url=emulator.base_url)
        for i in range(3):
            client.chat_postMessage(channel=GENERAL, text=str(i))
        with pytest.raises(SlackApiError) as info:
            client.chat_postMessage(channel=GENERAL, text="too fast")
        assert info.value.response.status_code == 429
        assert 1 <= int(info.value.response.headers["Retry-After"]) <= 3
        # Another channel is not affected by GENERAL's burst.
        assert client.chat_postMessage(channel=PRIVATE, text="elsewhere")["ok"]
    finally:
        emulator.stop()


def test_injected_codes_are_not_flagged_as_undocumented(emu, client):
    emu.fail("users.info", error="team_is_on_fire")
    with pytest.raises(SlackApiError) as info:
        client.users_info(user=ALICE)
    assert info.value.response["error"] == "team_is_on_fire"
    assert emu.undocumented_errors() == []
