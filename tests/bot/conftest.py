"""The real app served over HTTP against the emulator, and helpers to talk to it as Slack does."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.app import create_app
from bot.deps import BotDeps
from bot.emulator import SlackEmulator, SlackRequestSigner, post
from bot.server import ServerThread, build_wsgi
from bot.settings import BotSettings
from jobs.context import JobContext
from tests.conftest import SIGNING_SECRET, RecordingEnqueue


@dataclass
class SlackClientSide:
    """Sends signed requests into the app and reads what the user was shown."""

    url: str
    emulator: SlackEmulator
    signer: SlackRequestSigner

    def command(self, text: str, *, user_id: str = "U0ALICE01", channel_id: str = "C0SALES01",
                timeout: float = 10) -> str:
        """Type `/report <text>`; return the ephemeral reply's text."""
        response_url = self.emulator.new_response_url()
        body, headers = self.signer.slash_command(text, user_id=user_id, channel_id=channel_id,
                                                  response_url=response_url, trigger_id=self.emulator.new_trigger_id())
        status, answer = post(self.url, body, headers)
        assert status == 200, (status, answer)
        response_id = response_url.rsplit("/", 1)[1]
        reply = self.emulator.wait_for(lambda: self.emulator.responses(response_id), timeout=timeout)[-1]
        assert reply.get("response_type", "ephemeral") == "ephemeral"
        return reply["text"]

    def event(self, event: dict, **kwargs) -> tuple[int, str]:
        body, headers = self.signer.event(event, **kwargs)
        return post(self.url, body, headers)

    def interaction(self, payload: dict) -> tuple[int, str]:
        body, headers = self.signer.interaction(payload)
        return post(self.url, body, headers)


def serve_app(job_context: JobContext, emulator: SlackEmulator, enqueue) -> tuple[str, object]:
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0,
                           admin_user_ids=frozenset({"U0ADMIN01"}))
    deps = BotDeps(jobs=job_context, enqueue=enqueue, settings=settings)
    server = ServerThread(build_wsgi(create_app(deps), job_context.database))
    server.start()
    return server.url, server


@pytest.fixture
def slack(job_context, emulator, recording_enqueue: RecordingEnqueue):
    """The app with work recorded instead of run (tests of what people see and what is stored)."""
    url, server = serve_app(job_context, emulator, recording_enqueue)
    yield SlackClientSide(url, emulator, SlackRequestSigner(SIGNING_SECRET, team_id=emulator.default_team_id))
    server.stop()
