"""Core Web API methods through the real slack_sdk WebClient."""

from __future__ import annotations

import json
import logging
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support.people import ALICE, BOB, GONE_PERSON, SLACK_ADMIN, TEAM

from .conftest import GENERAL, OLD, PRIVATE, RANDOM, SECRET


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]


def test_auth_test_identifies_bot_and_scopes(emu, client):
    response = client.auth_test()
    assert response["team_id"] == TEAM and response["team"] == "Acme"
    assert response["user_id"] == emu.bot_user_id() and response["bot_id"] == emu.bot_id()
    assert "chat:write" in response.headers["x-oauth-scopes"].split(",")
    assert emu.calls("auth.test")[0].token == emu.bot_token()
    assert "xoxb" not in emu.calls("auth.test")[0].headers["authorization"]


def test_bad_or_missing_token(emu):
    assert error_of(WebClient(token="xoxb-nope", base_url=emu.base_url).auth_test) == "invalid_auth"
    assert error_of(WebClient(base_url=emu.base_url).auth_test) == "not_authed"


def test_post_message_into_member_channel_records_history(emu, client):
    first = client.chat_postMessage(channel=GENERAL, text="hello")
    second = client.chat_postMessage(channel="#general", text="again", thread_ts=first["ts"])
    assert first["channel"] == GENERAL and first["message"]["bot_id"] == emu.bot_id()
    assert float(second["ts"]) > float(first["ts"])
    assert len(first["ts"].split(".")[1]) == 6
    history = emu.messages(GENERAL)
    assert [m["text"] for m in history] == ["hello", "again"]
    assert history[0]["reply_count"] == 1


def test_post_message_channel_rules(emu, client):
    assert error_of(lambda: client.chat_postMessage(channel=SECRET, text="x")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel=OLD, text="x")) == "is_archived"
    # A public channel the bot has not joined works thanks to chat:write.public ...
    assert client.chat_postMessage(channel=RANDOM, text="x")["ok"]
    # ... and fails without it.
    emu.set_bot_scopes(["chat:write"])
    assert error_of(lambda: client.chat_postMessage(channel=RANDOM, text="x")) == "not_in_channel"
    emu.set_bot_scopes(["commands"])
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=GENERAL, text="x")
    assert info.value.response["error"] == "missing_scope"
    assert info.value.response["needed"] == "chat:write"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_needs_content_and_to_user_goes_to_dm(emu, client):
    assert error_of(lambda: client.chat_postMessage(channel=GENERAL)) == "no_text"
    response = client.chat_postMessage(channel=ALICE, text="dm")
    assert response["channel"] == "D0ALICE01"
    assert emu.messages("D0ALICE01")[0]["text"] == "dm"


def test_update_and_ephemeral(emu, client):
    ts = client.chat_postMessage(channel=GENERAL, text="v1")["ts"]
    client.chat_update(channel=GENERAL, ts=ts, text="v2", blocks=[{"type": "divider"}])
    assert emu.messages(GENERAL)[0]["text"] == "v2"
    assert error_of(lambda: client.chat_update(channel=GENERAL, ts="1.000001", text="x")) == "message_not_found"
    human_ts = emu.add_message(GENERAL, "hi", user_id=ALICE)
    assert error_of(lambda: client.chat_update(channel=GENERAL, ts=human_ts, text="x")) == "cant_update_message"
    client.chat_postEphemeral(channel=GENERAL, user=BOB, text="psst")
    assert emu.ephemerals(GENERAL, BOB)[0]["text"] == "psst"
    assert error_of(lambda: client.chat_postEphemeral(channel=RANDOM, user=BOB, text="x")) == "user_not_in_channel"


def test_users_info_timezone_email_and_scopes(emu, client):
    user = client.users_info(user=ALICE)["user"]
    assert user["tz"] == "Europe/Berlin" and user["tz_offset"] in (3600, 7200) and user["tz_label"]
    assert user["profile"]["email"] == "alice@example.com" and user["is_admin"] is False
    assert client.users_info(user=SLACK_ADMIN)["user"]["is_admin"] is True
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"
    emu.set_bot_scopes(["users:read"])
    assert "email" not in client.users_info(user=ALICE)["user"]["profile"]
    assert error_of(lambda: client.users_lookupByEmail(email="alice@example.com")) == "missing_scope"


def test_users_list_paging_and_lookup(emu, client):
    ids, cursor = [], None
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        ids += [m["id"] for m in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(ids) == sorted([ALICE, BOB, GONE_PERSON, SLACK_ADMIN, emu.bot_user_id()])
    assert client.users_lookupByEmail(email="BOB@example.com")["user"]["id"] == BOB
    assert error_of(lambda: client.users_lookupByEmail(email="x@example.com")) == "users_not_found"


def test_conversations_open_is_stable_per_user(emu, client):
    first = client.conversations_open(users=ALICE)
    again = client.conversations_open(users=[ALICE])
    assert first["channel"]["id"] == again["channel"]["id"] == "D0ALICE01"
    assert again["already_open"] is True
    assert error_of(lambda: client.conversations_open(users="U0NOBODY")) == "user_not_found"
    assert error_of(lambda: client.conversations_open(users=GONE_PERSON)) == "user_disabled"
    assert error_of(lambda: client.api_call("conversations.open")) == "users_list_not_supplied"
    emu.set_bot_scopes(["chat:write", "channels:manage"])
    assert error_of(lambda: client.conversations_open(users=BOB)) == "missing_scope"


def test_conversations_info_members_and_visibility(emu, client):
    info = client.conversations_info(channel=GENERAL, include_num_members=True)["channel"]
    assert info["is_member"] is True and info["num_members"] == 3 and info["name"] == "general"
    assert client.conversations_info(channel=RANDOM)["channel"]["is_member"] is False
    # Bots cannot see private channels they are not in.
    assert error_of(lambda: client.conversations_info(channel=SECRET)) == "channel_not_found"
    members, cursor = [], None
    while True:
        page = client.conversations_members(channel=PRIVATE, limit=1, cursor=cursor)
        members += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(members) == sorted([ALICE, BOB, emu.bot_user_id()])
    assert error_of(lambda: client.conversations_members(channel=GENERAL, cursor="bogus")) == "invalid_cursor"


def test_conversations_list_types_and_paging(emu, client):
    public = client.conversations_list()["channels"]
    assert {c["id"] for c in public} == {GENERAL, RANDOM, OLD}
    every = client.conversations_list(types="public_channel,private_channel", exclude_archived=True, limit=1)
    assert every["response_metadata"]["next_cursor"]
    ids, cursor = [], None
    while True:
        page = client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                          limit=2, cursor=cursor)
        ids += [c["id"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(ids) == sorted([GENERAL, RANDOM, PRIVATE])
    assert error_of(lambda: client.conversations_list(types="bogus")) == "invalid_types"
    assert error_of(lambda: client.conversations_list(types="im")) == "missing_scope"


def test_join_needs_scope_then_works(emu, client):
    assert error_of(lambda: client.conversations_join(channel=RANDOM)) == "missing_scope"
    emu.set_bot_scopes(["channels:join", "channels:read"])
    assert client.conversations_join(channel=RANDOM)["channel"]["is_member"] is True
    assert client.conversations_join(channel=RANDOM)["warning"] == "already_in_channel"
    assert error_of(lambda: client.conversations_join(channel=OLD)) == "is_archived"


def test_history_paging_filters_and_replies(emu, client):
    stamps = [emu.add_message(GENERAL, f"m{i}", user_id=ALICE, ts=f"1700000{i:03d}.000100") for i in range(7)]
    emu.add_message(GENERAL, "reply", user_id=BOB, thread_ts=stamps[0])
    texts, cursor = [], None
    while True:
        page = client.conversations_history(channel=GENERAL, limit=3, cursor=cursor)
        texts += [m["text"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert texts == [f"m{i}" for i in reversed(range(7))]
    window = client.conversations_history(channel=GENERAL, oldest=stamps[1], latest=stamps[4])["messages"]
    assert [m["text"] for m in window] == ["m3", "m2"]
    inclusive = client.conversations_history(channel=GENERAL, oldest=stamps[1], latest=stamps[4], inclusive=True)
    assert len(inclusive["messages"]) == 4
    assert len(client.conversations_history(channel=GENERAL, limit=5000)["messages"]) == 7
    thread = client.conversations_replies(channel=GENERAL, ts=stamps[0])["messages"]
    assert [m["text"] for m in thread] == ["m0", "reply"]
    assert error_of(lambda: client.conversations_history(channel=RANDOM)) == "not_in_channel"
    assert error_of(lambda: client.conversations_history(channel=GENERAL, oldest="abc")) == "invalid_ts_oldest"
    assert error_of(lambda: client.conversations_replies(channel=GENERAL, ts="1.000002")) == "thread_not_found"


def test_missing_required_arguments_rejected_like_slack(emu, client):
    assert error_of(lambda: client.api_call("conversations.info")) == "channel_not_found"
    assert error_of(lambda: client.api_call("chat.postMessage", json={"text": "x"})) == "channel_not_found"
    assert error_of(lambda: client.api_call("users.info")) == "user_not_found"
    assert error_of(lambda: client.api_call("chat.update", json={"channel": GENERAL, "text": "x"})) \
        == "message_not_found"
    with pytest.raises(SlackApiError) as info:
        client.api_call("views.publish", json={"view": {"type": "home", "blocks": []}})
    assert info.value.response["error"] == "invalid_arguments"
    assert "user_id" in info.value.response["response_metadata"]["messages"][0]


def test_unknown_method_and_get_with_query_string(emu, client):
    assert error_of(lambda: client.api_call("chat.teleport")) == "unknown_method"
    url = f"{emu.base_url}conversations.info?channel={GENERAL}&token={emu.bot_token()}"
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.loads(response.read())
    assert body["ok"] is True and body["channel"]["id"] == GENERAL
    assert emu.calls("conversations.info")[-1].token == emu.bot_token()
    assert "token" not in emu.calls("conversations.info")[-1].params


def test_form_encoded_blocks_are_decoded(emu, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    client.api_call("chat.postMessage", params={"channel": GENERAL, "blocks": json.dumps(blocks)})
    assert emu.messages(GENERAL)[-1]["blocks"] == blocks
    assert emu.calls("chat.postMessage")[-1].params["blocks"] == blocks
    assert error_of(lambda: client.api_call("chat.postMessage", params={"channel": GENERAL, "blocks": "[oops"})) \
        == "invalid_blocks_format"


def test_multi_workspace_oauth_install(emu):
    emu.add_team("T0TEST02", "Globex")
    emu.add_channel("C0GLOBEX", "general", team_id="T0TEST02")
    emu.set_oauth_client("cid", "csecret")
    code = emu.new_oauth_code("T0TEST02", installer_user_id="U0GLOBEXADMIN")
    anonymous = WebClient(base_url=emu.base_url)
    install = anonymous.oauth_v2_access(client_id="cid", client_secret="csecret", code=code)
    assert install["team"]["id"] == "T0TEST02" and install["access_token"] == emu.bot_token("T0TEST02")
    assert install["bot_user_id"] == emu.bot_user_id("T0TEST02")
    assert error_of(lambda: anonymous.oauth_v2_access(client_id="cid", client_secret="csecret", code=code)) \
        == "invalid_code"
    assert error_of(lambda: anonymous.oauth_v2_access(client_id="cid", client_secret="bad", code="x")) \
        == "bad_client_secret"
    globex = WebClient(token=install["access_token"], base_url=emu.base_url)
    assert globex.auth_test()["team_id"] == "T0TEST02"
    assert globex.chat_postMessage(channel="C0GLOBEX", text="hi")["ok"]
    # Channels of another workspace are invisible.
    assert error_of(lambda: globex.chat_postMessage(channel=GENERAL, text="x")) == "channel_not_found"


def test_socket_mode_url_needs_app_token(emu):
    client = WebClient(base_url=emu.base_url)
    assert client.apps_connections_open(app_token=emu.app_token())["url"].startswith("ws://127.0.0.1:")
    assert error_of(lambda: client.apps_connections_open(app_token=emu.bot_token())) == "invalid_auth"


def test_history_limit_is_capped_at_999(emu, client):
    for i in range(1001):
        emu.add_message(GENERAL, f"m{i}", user_id=ALICE)
    page = client.conversations_history(channel=GENERAL, limit=5000)
    assert len(page["messages"]) == 999 and page["has_more"] is True
    assert error_of(lambda: client.conversations_members(channel=GENERAL, limit=-1)) == "invalid_limit"


def test_concurrent_posts_get_unique_increasing_ts(emu, client):
    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = list(pool.map(lambda i: client.chat_postMessage(channel=GENERAL, text=str(i))["ts"], range(40)))
    assert len(set(stamps)) == 40
    history = [m["ts"] for m in emu.messages(GENERAL)]
    assert history == sorted(history, key=float) and len(history) == 40
    assert len(emu.calls("chat.postMessage")) == 40


def test_wait_for_reports_recent_calls_on_timeout(emu, client):
    client.auth_test()
    with pytest.raises(AssertionError, match="auth.test:ok"):
        emu.wait_for(lambda: emu.messages(GENERAL), timeout=0.05)
    assert emu.wait_for(lambda: 42) == 42


def test_debug_logging_never_shows_tokens(emu, caplog):
    caplog.set_level(logging.DEBUG, logger="slack_emulator")
    url = f"{emu.base_url}auth.test?token={emu.bot_token()}"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True
    emu.wait_for(lambda: any("auth.test" in r.getMessage() for r in caplog.records))
    assert caplog.records and all(emu.bot_token() not in r.getMessage() for r in caplog.records)
