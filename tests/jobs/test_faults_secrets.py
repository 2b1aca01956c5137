"""No token, password, signing secret or link token in any log line: a full run (signed Slack
request, generation, Slack and email delivery over STARTTLS with a login, a 429, a permanent
failure with its fallback and owner DM, a download, an unsubscribe, the cleanup) with every
logger at DEBUG, and every line scanned."""

from __future__ import annotations

import base64
import logging
import urllib.request

import pytest

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings
from bot.web.server import ServerThread, build_wsgi
from jobs.cleanup import cleanup
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from slack_emulator import SlackRequestSigner, post
from storage.models import DestinationKind, RunStatus
from storage.schedules import NewDestination
from tests.conftest import SIGNING_SECRET, make_context
from tests.jobs.delivery_support import (
    LINK_SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    SmtpServer,
    due_run,
    self_signed_cert,
    with_email,
)
from tests.support.people import ALICE, SALES

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The test's own SMTP server stands for the mail provider; what it logs is not reportbot's.
OUTSIDE = ("mail.log",)


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(OUTSIDE):
            self.lines.append(self.format(record))  # message, args and any traceback


@pytest.fixture
def every_log_line():
    handler = _Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_a_full_run_logs_no_secret(database, tmp_path, emulator, recording_enqueue, every_log_line):
    cert, key = self_signed_cert(tmp_path)
    smtp = SmtpServer(tls_cert=cert, tls_key=key).start()
    ctx = make_context(database, tmp_path, emulator, slack_rate_multiplier=100)
    settings = BotSettings(slack=ctx.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0)
    deps = BotDeps(jobs=ctx, enqueue=recording_enqueue, settings=settings)
    server = ServerThread(build_wsgi(create_app(deps), ctx.database, deps))
    server.start()
    base = server.url.removesuffix("/slack/events")
    with_email(ctx, smtp, public_url=base, max_bytes=10)
    try:
        signer = SlackRequestSigner(SIGNING_SECRET)
        assert post(server.url, *signer.slash_command("help", user_id=ALICE, channel_id=SALES))[0] == 200
        assert post(server.url, *SlackRequestSigner("wrong-secret").slash_command(
            "help", user_id=ALICE, channel_id=SALES))[0] == 401
        run_id = due_run(ctx, recording_enqueue, destinations=[
            NewDestination(DestinationKind.SLACK_CHANNEL, SALES, "#sales"),
            NewDestination(DestinationKind.SLACK_CHANNEL, "C0GONE001", "#gone"),
            NewDestination(DestinationKind.EMAIL, "client@example.com", "client@example.com")])
        generate(ctx, run_id, recording_enqueue)
        emulator.fail("files.getUploadURLExternal", status=429, retry_after=0)
        assert deliver(ctx, run_id) == RunStatus.PARTIAL
        downloads, unsubscribes = [], []
        for received in smtp.received:
            text = received.message.get_body(("plain",)).get_content()
            downloads += [word for word in text.split() if "/files/" in word]
            unsubscribes += [word for word in text.split() if "/unsubscribe/" in word]
        assert downloads and unsubscribes
        for url in downloads:
            NO_PROXY.open(urllib.request.Request(url), timeout=10).read()
        NO_PROXY.open(urllib.request.Request(unsubscribes[0], data=b"List-Unsubscribe=One-Click", method="POST"),
                      timeout=10).read()
        tokens = [url.rsplit("/", 1)[1] for url in downloads + unsubscribes]
        cleanup(ctx)
    finally:
        server.stop()
        smtp.stop()

    secrets = {
        "bot token": emulator.bot_token(), "signing secret": SIGNING_SECRET, "SMTP password": SMTP_PASSWORD,
        "link secret": LINK_SECRET,
        "SMTP AUTH PLAIN blob": base64.b64encode(f"\0{SMTP_USER}\0{SMTP_PASSWORD}".encode()).decode(),
        **{f"link token {i}": token for i, token in enumerate(tokens)},
    }
    assert len(every_log_line) > 50  # DEBUG really was on: slack_sdk, sqlalchemy, waitress…
    leaks = {name: line for name, secret in secrets.items() for line in every_log_line if secret in line}
    assert leaks == {}
    for text in (repr(ctx), repr(ctx.email), repr(ctx.links), repr(ctx.slack_settings)):
        assert not [name for name, secret in secrets.items() if secret in text]
