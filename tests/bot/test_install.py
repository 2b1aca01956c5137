"""Multi-workspace install through OAuth (slack-sdk's SQLAlchemy stores on the app's database),
and the same app in Socket Mode."""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
import urllib.request

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import text

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings, OAuthConfig
from jobs.home import publish_home
from jobs.policy import PolicyDefaults
from jobs.settings import SlackSettings
from slack_emulator import SlackRequestSigner, post
from storage.errors import SettingsError
from tests.bot.api_support import Api, problem, token_for
from tests.bot.conftest import (
    ALICE,
    AppServer,
    SlackClientSide,
    check_what_slack_was_sent,
)
from tests.conftest import SIGNING_SECRET
from tests.factories import make_schedule
from tests.support.people import OTHER_TEAM, SALES, TEAM


def get(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def oauth_app(ctx, emulator, enqueue, allowed=("*",)):
    ctx.slack_settings = SlackSettings(bot_token=None, api_url=emulator.base_url)
    settings = BotSettings(slack=ctx.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0,
                           oauth=OAuthConfig("1111.2222", "client-secret-not-real"))
    ctx.settings = dataclasses.replace(ctx.settings, policy=PolicyDefaults(run_now_cooldown_seconds=0,
                                                                           allowed_teams=frozenset(allowed)))
    deps = BotDeps(jobs=ctx, enqueue=enqueue, settings=settings)
    server = AppServer(create_app(deps), ctx.database, deps)
    server.start()
    return server


def install(base: str, emulator, team_id: str) -> str:
    status, page, headers = get(f"{base}/slack/install")
    assert status == 200
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page).group(1)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link.replace("&amp;", "&")).query)
    assert query["client_id"] == ["1111.2222"] and "chat:write" in query["scope"][0]
    state = query["state"][0]
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    code = emulator.new_oauth_code(team_id, installer_user_id="U0OTHER01")
    status, page, _ = get(f"{base}/slack/oauth_redirect?code={code}&state={state}", {"Cookie": cookie})
    return f"{status} {page}"


def test_a_second_workspace_installs_and_uses_the_app(ctx, people, recording_enqueue):
    people.add_team(OTHER_TEAM, "Other Corp", "other")
    people.add_user("U0OTHER01", "olga", team_id=OTHER_TEAM, tz="Asia/Tokyo")
    people.add_channel("C0OTHER01", "general", team_id=OTHER_TEAM, members=["U0OTHER01"])
    people.set_oauth_client("1111.2222", "client-secret-not-real")
    server = oauth_app(ctx, people, recording_enqueue)
    base = server.url.rsplit("/slack/events", 1)[0]
    try:
        result = install(base, people, OTHER_TEAM)
        assert result.startswith("200")
        with ctx.database.engine.connect() as conn:
            assert conn.execute(text("select team_id from slack_bots")).scalars().all() == [OTHER_TEAM]
            assert conn.execute(text("select count(*) from slack_oauth_states")).scalar() == 0  # state consumed
        signer = SlackRequestSigner(SIGNING_SECRET, team_id=OTHER_TEAM)
        slack = SlackClientSide(server.url, people, signer)
        reply = slack.command('new "Tokyo sales" every day at 9am in #general', user_id="U0OTHER01",
                              channel_id="C0OTHER01")
        assert "Scheduled *Tokyo sales*" in reply and "Asia/Tokyo" in reply
        # work done outside a request (the worker) finds the workspace's token the same way
        publish_home(ctx, OTHER_TEAM, "U0OTHER01")
        assert "Tokyo sales" in str(people.home_view("U0OTHER01")["blocks"])
        # so does a worker process, which has only the environment (SLACK_CLIENT_ID) to go on
        worker_ctx = dataclasses.replace(ctx, client_for_team=None, _clients={},
                                         slack_settings=SlackSettings(None, people.base_url, client_id="1111.2222"))
        assert worker_ctx.slack(OTHER_TEAM).auth_test()["team_id"] == OTHER_TEAM
        # a workspace that never installed the app is not served
        response_url = people.new_response_url()
        body, headers = SlackRequestSigner(SIGNING_SECRET, team_id=TEAM).slash_command(
            "help", user_id=ALICE, channel_id=SALES, response_url=response_url)
        assert post(server.url, body, headers)[0] == 200
        told = people.wait_for(lambda: people.responses(response_url))[0]["text"]
        assert "isn't installed in this workspace" in told and "/slack/install" in told
    finally:
        server.stop()
    check_what_slack_was_sent(people)


def test_a_forged_oauth_state_is_refused(ctx, people, recording_enqueue):
    server = oauth_app(ctx, people, recording_enqueue)
    base = server.url.rsplit("/slack/events", 1)[0]
    try:
        code = people.new_oauth_code()
        status, _, _ = get(f"{base}/slack/oauth_redirect?code={code}&state=forged",
                           {"Cookie": "slack-app-oauth-state=forged"})
        assert status >= 400
        with ctx.database.engine.connect() as conn:
            assert conn.execute(text("select count(*) from slack_bots")).scalar() == 0
    finally:
        server.stop()


def socket_app(ctx, emulator, enqueue):
    settings = BotSettings(slack=ctx.slack_settings, signing_secret=None, app_token="xapp-test-1", port=0)
    ctx.settings = dataclasses.replace(ctx.settings, policy=PolicyDefaults(run_now_cooldown_seconds=0))
    return create_app(BotDeps(jobs=ctx, enqueue=enqueue, settings=settings))


def test_socket_mode_serves_commands_buttons_and_events_without_signatures(ctx, people, recording_enqueue):
    app = socket_app(ctx, people, recording_enqueue)
    response_url = people.new_response_url()
    body = {"command": "/report", "text": 'new "Daily sales" every day at 9am in #sales', "user_id": ALICE,
            "team_id": people.default_team_id, "channel_id": SALES, "response_url": response_url,
            "trigger_id": people.new_trigger_id()}
    assert app.dispatch(BoltRequest(body=body, mode="socket_mode")).status == 200
    reply = people.wait_for(lambda: people.responses(response_url))[0]
    assert "Scheduled *Daily sales*" in reply["text"]
    event = {"type": "event_callback", "team_id": people.default_team_id, "event_id": "Ev0SOCKET1",
             "api_app_id": "A0EMUREPORT", "event": {"type": "app_home_opened", "user": ALICE, "tab": "home"}}
    assert app.dispatch(BoltRequest(body=event, mode="socket_mode")).status == 200
    people.wait_for(lambda: "Daily sales" in str(people.home_view(ALICE)))
    app.listener_runner.listener_executor.shutdown(wait=True)
    check_what_slack_was_sent(people)


def test_only_allowed_workspaces_install_or_are_served(ctx, people, recording_enqueue):
    """REPORTBOT_ALLOWED_TEAMS: an outside workspace that finds the install page is refused, and a
    workspace taken off the list is no longer served (nor are its runs' Slack calls made)."""
    people.add_team(OTHER_TEAM, "Other Corp", "other")
    people.add_user("U0OTHER01", "olga", team_id=OTHER_TEAM)
    people.set_oauth_client("1111.2222", "client-secret-not-real")
    server = oauth_app(ctx, people, recording_enqueue, allowed=("T0SOMEONE",))
    base = server.url.rsplit("/slack/events", 1)[0]
    try:
        result = install(base, people, OTHER_TEAM)
        assert result.startswith("403") and "not allowed to install this reportbot" in result
        with ctx.database.engine.connect() as conn:
            assert conn.execute(text("select count(*) from slack_bots")).scalar() == 0
    finally:
        server.stop()
    server = oauth_app(ctx, people, recording_enqueue, allowed=(OTHER_TEAM,))
    base = server.url.rsplit("/slack/events", 1)[0]
    try:
        assert install(base, people, OTHER_TEAM).startswith("200")
    finally:
        server.stop()
    server = oauth_app(ctx, people, recording_enqueue, allowed=("T0SOMEONE",))  # OTHER_TEAM taken off the list
    try:
        response_url = people.new_response_url()
        body, headers = SlackRequestSigner(SIGNING_SECRET, team_id=OTHER_TEAM).slash_command(
            "help", user_id="U0OTHER01", channel_id="C0OTHER01", response_url=response_url)
        assert post(server.url, body, headers)[0] == 200
        assert "isn't installed in this workspace" in people.wait_for(lambda: people.responses(response_url))[0]["text"]
        with pytest.raises(SettingsError, match="REPORTBOT_ALLOWED_TEAMS"):
            ctx.slack(OTHER_TEAM)
        # Nor through the REST API: neither a workspace token nor a person's reads or changes anything.
        with ctx.database.session() as s:
            schedule_id = make_schedule(s, team_id=OTHER_TEAM, owner="U0OTHER01").id
        api = Api(server.url.replace("/slack/events", "/api/v1"))
        for token in (token_for(ctx.database, team_id=OTHER_TEAM), token_for(ctx.database, team_id=OTHER_TEAM,
                                                                        acting_as="U0OTHER01")):
            assert "no longer served" in problem(api.call("GET", "/schedules", token=token), 403)["detail"]
            problem(api.call("POST", f"/schedules/{schedule_id}/pause", token=token), 403)
    finally:
        server.stop()
