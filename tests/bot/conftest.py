"""The real app served over HTTP against the emulator, and helpers to talk to it as Slack does.

`slack` runs on SQLite (a migrated template copied per test, so it is quick); `slack_any` runs on
SQLite and PostgreSQL for the scenarios whose storage matters. Both check, when the test ends, that
everything the app sent to Slack passed the emulator's Block Kit checks — including response_url
bodies, which the emulator only records.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field

import pytest
from slack_sdk import WebClient

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import DEFAULT_SCOPES, BotSettings
from bot.web.server import ServerThread, build_wsgi
from jobs.context import JobContext
from jobs.policy import PolicyDefaults
from slack_emulator import (
    SlackEmulator,
    SlackRequestSigner,
    block_actions_payload,
    post,
    validate_blocks,
    view_submission_payload,
)
from storage.db import Database
from tests.conftest import SIGNING_SECRET, RecordingEnqueue, make_context
from tests.support.listeners import ListenerTracker

# The shared ids (tests.support.people); scenario tests import them from here too.
from tests.support.people import ADMIN, ALICE, BOB, OPS, SALES, SLACK_ADMIN  # noqa: F401

BAD_CALL_ERRORS = {"invalid_blocks", "invalid_blocks_format", "invalid_arguments", "view_too_large",
                   "msg_blocks_too_long", "msg_too_long", "missing_argument", "invalid_trigger_id",
                   "exchanged_trigger_id"}


@dataclass
class SlackClientSide:
    """Sends signed requests into the app and reads what the user was shown."""

    url: str
    emulator: SlackEmulator
    signer: SlackRequestSigner
    last_response_id: str | None = None
    _dms: dict[str, str] = field(default_factory=dict)
    listeners: ListenerTracker | None = None

    def settle(self) -> None:
        """Wait until the app has finished with everything sent so far (to assert nothing happened)."""
        self.listeners.wait_idle()

    # --- slash commands -------------------------------------------------------
    def command(self, text: str, *, user_id: str = ALICE, channel_id: str = SALES, timeout: float = 10,
                expect_reply: bool = True) -> str:
        """Type `/report <text>`; return the ephemeral reply's text ("" when none is expected)."""
        response_url = self.emulator.new_response_url()
        self.last_response_id = response_url.rsplit("/", 1)[1]
        body, headers = self.signer.slash_command(text, user_id=user_id, channel_id=channel_id,
                                                  response_url=response_url, trigger_id=self.emulator.new_trigger_id())
        status, answer = post(self.url, body, headers)
        assert status == 200, (status, answer)
        if not expect_reply:
            return ""
        reply = self.emulator.wait_for(lambda: self.emulator.responses(self.last_response_id), timeout=timeout)[0]
        assert reply.get("response_type", "ephemeral") == "ephemeral"
        return reply["text"]

    def replies(self, response_id: str | None = None) -> list[dict]:
        """Every body posted to a command's response_url (the last command's by default)."""
        return self.emulator.responses(response_id or self.last_response_id)

    def wait_reply_count(self, count: int, response_id: str | None = None, timeout: float = 10) -> list[dict]:
        return self.emulator.wait_for(lambda: len(self.replies(response_id)) >= count and self.replies(response_id),
                                      timeout=timeout)

    # --- events -----------------------------------------------------------------
    def event(self, event: dict, **kwargs) -> tuple[int, str]:
        body, headers = self.signer.event(event, **kwargs)
        return post(self.url, body, headers)

    def dm_channel(self, user_id: str) -> str:
        if user_id not in self._dms:
            client = WebClient(token=self.emulator.bot_token(), base_url=self.emulator.base_url)
            self._dms[user_id] = client.conversations_open(users=user_id)["channel"]["id"]
        return self._dms[user_id]

    def dm(self, text: str, *, user_id: str = ALICE, **kwargs) -> tuple[int, str]:
        """The person writes to the bot in its Messages tab."""
        channel = self.dm_channel(user_id)
        return self.event({"type": "message", "channel_type": "im", "channel": channel, "user": user_id,
                           "text": text, "ts": f"{time.time():.6f}"}, **kwargs)

    def mention(self, text: str, *, user_id: str = ALICE, channel_id: str = SALES, **kwargs) -> tuple[int, str]:
        bot = self.emulator.bot_user_id()
        return self.event({"type": "app_mention", "channel": channel_id, "user": user_id,
                           "text": f"<@{bot}> {text}", "ts": f"{time.time():.6f}"}, **kwargs)

    def bot_messages(self, channel_id: str) -> list[dict]:
        return [m for m in self.emulator.messages(channel_id) if m.get("bot_id")]

    # --- interactivity ------------------------------------------------------------
    def interaction(self, payload: dict) -> tuple[int, str]:
        body, headers = self.signer.interaction(payload)
        return post(self.url, body, headers)

    def click(self, action_id: str, value: str | None = None, *, user_id: str = ALICE, channel_id: str | None = None,
              message: dict | None = None, ephemeral: bool = False, view: dict | None = None,
              selected_option: dict | None = None, action_type: str = "button",
              with_response_url: bool = True) -> str | None:
        """Click a button (in a message, an ephemeral reply, the Home tab or a modal); return the
        response_url id the app may answer through (message clicks only)."""
        response_url = self.emulator.new_response_url() if with_response_url and view is None else ""
        payload = block_actions_payload(action_id=action_id, user_id=user_id, value=value, channel_id=channel_id,
                                        message=message, view=view, trigger_id=self.emulator.new_trigger_id(),
                                        response_url=response_url, team_id=self.signer.team_id,
                                        selected_option=selected_option, action_type=action_type)
        if ephemeral:
            payload["container"]["is_ephemeral"] = True
        status, answer = self.interaction(payload)
        assert status == 200, (status, answer)
        return response_url.rsplit("/", 1)[1] if response_url else None

    def view_action(self, view: dict, action_id: str, block_id: str, action: dict, values: dict, *,
                    user_id: str = ALICE) -> None:
        """Act inside an open modal (select, Enter in a field, a button) with the modal holding `values`."""
        stored = dict(view, state={"values": values})
        payload = block_actions_payload(action_id=action_id, user_id=user_id, block_id=block_id, view=stored,
                                        trigger_id=self.emulator.new_trigger_id(), team_id=self.signer.team_id)
        payload["actions"][0].update(action)
        status, answer = self.interaction(payload)
        assert status == 200, (status, answer)

    def submit(self, view: dict, values: dict, *, user_id: str = ALICE) -> tuple[int, dict]:
        """Press the modal's submit button; return the HTTP status and the JSON answer ({} when empty)."""
        payload = view_submission_payload(view=view, values=values, user_id=user_id, team_id=self.signer.team_id,
                                          trigger_id=self.emulator.new_trigger_id())
        status, text = self.interaction(payload)
        return status, (json.loads(text) if text.strip() else {})

    def options(self, action_id: str, value: str, view: dict, *, block_id: str, user_id: str = ALICE) -> dict:
        payload = {"type": "block_suggestion", "action_id": action_id, "block_id": block_id, "value": value,
                   "user": {"id": user_id, "team_id": self.signer.team_id}, "team": {"id": self.signer.team_id},
                   "view": view, "api_app_id": self.signer.api_app_id, "container": {"type": "view"}}
        status, text = self.interaction(payload)
        assert status == 200, (status, text)
        return json.loads(text)

    def latest_view(self) -> dict:
        return self.emulator.wait_for(lambda: self.emulator.opened_views())[-1]


def check_what_slack_was_sent(emulator: SlackEmulator) -> None:
    """Everything the app sent passed Slack's checks, response_url bodies included."""
    assert emulator.server_errors() == []
    bad = [(c.method, c.error, c.response.get("errors")) for c in emulator.calls() if c.error in BAD_CALL_ERRORS]
    assert bad == []
    for body in emulator.responses():
        assert validate_blocks(body.get("blocks") or [], "message") == [], body
        assert len(body.get("text") or "") <= 40_000


def bot_settings(job_context: JobContext, **overrides) -> BotSettings:
    """The Slack surface's settings; `policy` (PolicyDefaults) goes on the job context, with ADMIN
    named in REPORTBOT_ADMINS unless it names admins itself."""
    policy = overrides.pop("policy", PolicyDefaults(run_now_cooldown_seconds=0))
    job_context.settings = dataclasses.replace(job_context.settings, policy=dataclasses.replace(
        policy, admin_user_ids=policy.admin_user_ids or frozenset({ADMIN})))
    values = dict(slack=job_context.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0)
    values.update(overrides)
    return BotSettings(**values)


class AppServer(ServerThread):
    """The app's HTTP server; stopping it first lets listeners still at work finish."""

    def __init__(self, app, database, deps: BotDeps) -> None:
        super().__init__(build_wsgi(app, database, deps))
        self.app = app
        self.listeners = ListenerTracker(app)

    def stop(self) -> None:
        self.app.listener_runner.listener_executor.shutdown(wait=True)
        super().stop()


def serve_app(job_context: JobContext, emulator: SlackEmulator, enqueue, **settings) -> tuple[str, AppServer]:
    deps = BotDeps(jobs=job_context, enqueue=enqueue, settings=bot_settings(job_context, **settings))
    server = AppServer(create_app(deps), job_context.database, deps)
    server.start()
    return server.url, server


@pytest.fixture
def fast_sqlite(sqlite_database) -> Database:
    """The app's scenarios on SQLite (a copy of the session's migrated file)."""
    return sqlite_database


@pytest.fixture
def people(emulator) -> SlackEmulator:
    """The workspace of the scenarios: alice and bob in #sales, bob alone in #ops, admins, and the
    bot scopes manifest.yml asks for."""
    emulator.set_bot_scopes(list(DEFAULT_SCOPES))
    emulator.add_user(ADMIN, "ada", real_name="Ada Admin", tz="Europe/London")
    emulator.add_user(SLACK_ADMIN, "sam", real_name="Sam Slack-Admin", tz="UTC", is_admin=True)
    emulator.add_channel(SALES, "sales", members=[ALICE, BOB, ADMIN])  # the admin joins #sales
    emulator.add_channel("C0LAUNCH1", "launch", members=[ALICE], bot_is_member=False)  # public, no bot
    emulator.add_channel("G0SECRET1", "secret", is_private=True, members=[ALICE], bot_is_member=False)
    return emulator


def _client_side(url: str, emulator: SlackEmulator, server: AppServer | None = None) -> SlackClientSide:
    return SlackClientSide(url, emulator, SlackRequestSigner(SIGNING_SECRET, team_id=emulator.default_team_id),
                           listeners=server.listeners if server else None)


def unpaced(context: JobContext) -> JobContext:
    """No client-side pacing of Web API calls: the emulator is not rate limited unless told to be."""
    if hasattr(context.settings, "slack_rate_multiplier"):
        context.settings = dataclasses.replace(context.settings, slack_rate_multiplier=1000.0)
    return context


@pytest.fixture
def ctx(fast_sqlite, tmp_path, people) -> JobContext:
    return unpaced(make_context(fast_sqlite, tmp_path, people))


@pytest.fixture
def slack(ctx, people, recording_enqueue: RecordingEnqueue):
    """The app on SQLite, with work recorded instead of run."""
    url, server = serve_app(ctx, people, recording_enqueue)
    yield _client_side(url, people, server)
    server.stop()
    check_what_slack_was_sent(people)


@pytest.fixture
def slack_any(job_context, people, recording_enqueue: RecordingEnqueue):
    """The app on SQLite and on PostgreSQL, with work recorded instead of run."""
    url, server = serve_app(unpaced(job_context), people, recording_enqueue)
    yield _client_side(url, people, server)
    server.stop()
    check_what_slack_was_sent(people)
