"""The web process's email links: signed downloads that expire and are audited, RFC 8058 one-click
unsubscribe; Slack's signature check on the events endpoint; the Retry button of the failure DM
(handled by bot.listeners.actions through jobs.retry)."""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings
from bot.web.server import ServerThread, build_wsgi
from jobs import links
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.slack_ids import ScheduleActions
from jobs.views.run_message import retry_value
from slack_emulator import SlackRequestSigner, block_actions_payload, post
from storage import email as email_repo
from storage.models import (
    AuditEvent,
    Delivery,
    Destination,
    DestinationKind,
    Run,
    RunStatus,
)
from storage.schedules import NewDestination
from tests.conftest import SIGNING_SECRET
from tests.jobs.delivery_support import SmtpServer, due_run, load_run, with_email
from tests.support.listeners import ListenerTracker
from tests.support.people import ALICE, BOB, SALES, TO_CLIENT

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def web(request, job_context, emulator, recording_enqueue):
    """The real WSGI app under waitress, with the email links configured to point at it (behind
    trusted proxies when the test is parametrized with them)."""
    proxies = getattr(request, "param", ())
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0,
                           trusted_proxies=proxies)
    deps = BotDeps(jobs=job_context, enqueue=recording_enqueue, settings=settings)
    app = create_app(deps)
    listeners = ListenerTracker(app)
    server = ServerThread(build_wsgi(app, job_context.database, deps))
    server.start()
    smtp = SmtpServer().start()
    base = server.url.removesuffix("/slack/events")
    with_email(job_context, smtp, public_url=base)
    yield base, smtp, listeners
    smtp.stop()
    server.stop()


def _get(url: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _emailed(ctx, enqueue, smtp, **kwargs):
    ctx.email = smtp.settings(max_bytes=10)  # links, not attachments
    run_id = due_run(ctx, enqueue, destinations=[TO_CLIENT], **kwargs)
    generate(ctx, run_id, enqueue)
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    text = smtp.received[-1].message.get_body(("plain",)).get_content()
    return run_id, [line.rsplit(" ", 1)[1] for line in text.splitlines() if "/files/" in line], text


def test_download_link_serves_the_file_and_records_who_downloaded(job_context, recording_enqueue, web):
    base, smtp, _ = web
    run_id, [url], _ = _emailed(job_context, recording_enqueue, smtp)
    status, headers, body = _get(url, headers={"User-Agent": "mail-reader/1.0"})
    artifact = load_run(job_context, run_id).artifacts[0]
    assert status == 200 and body == job_context.artifacts.read_bytes(artifact.storage_key)
    assert headers["Content-Disposition"] == f'attachment; filename="{artifact.filename}"'
    assert headers["Cache-Control"] == "private, no-store" and headers["Referrer-Policy"] == "no-referrer"
    status, _, body = _get(url, method="HEAD")
    assert status == 200 and body == b""
    with job_context.database.session() as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all()  # HEAD not counted
        assert event.details["recipient"] == "client@example.com" and event.details["file"] == artifact.filename
        assert event.details["user_agent"] == "mail-reader/1.0" and event.surface == "link"


def test_a_webhooks_file_link_is_audited_with_the_webhooks_host_not_its_url(job_context, recording_enqueue, web):
    """Webhooks get the same signed links; the audit log names the webhook as everywhere else."""
    base, smtp, _ = web
    run_id, _, _ = _emailed(job_context, recording_enqueue, smtp)
    with job_context.database.session() as s:
        run = s.get(Run, run_id)
        hook = Delivery(run_id=run_id, destination="webhook:https://hooks.example.com/in/t0k3n-in-the-path",
                        status="sent", attempts=1)
        s.add(hook)
        s.flush()
        artifact = run.artifacts[0]
        url, _ = links.artifact_link(job_context.links, artifact_id=artifact.id, delivery_id=hook.id,
                                     created_at=artifact.created_at, retention=dt.timedelta(days=30),
                                     now=job_context.now())
    assert _get(url)[0] == 200
    with job_context.database.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "download"))
        assert event.details["recipient"] == "webhook hooks.example.com" and "t0k3n" not in str(event.details)


@pytest.mark.parametrize(("web", "recorded"), [((), "127.0.0.1"), (("127.0.0.0/8",), "198.51.100.7")],
                         indirect=["web"], ids=["no-proxy-trusted", "behind-a-trusted-proxy"])
def test_the_audit_log_believes_x_forwarded_for_only_from_a_trusted_proxy(job_context, recording_enqueue, web,
                                                                          recorded):
    base, smtp, _ = web
    _, [url], _ = _emailed(job_context, recording_enqueue, smtp)
    spoofed = {"X-Forwarded-For": "10.9.8.7, 198.51.100.7"}  # the client's claim, then what our proxy saw
    assert _get(url, headers=spoofed)[0] == 200
    with job_context.database.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "download"))
    assert event.details["ip"] == recorded


def test_an_oversized_unsubscribe_body_is_refused_unread(job_context, recording_enqueue, web):
    base, _, _ = web
    token = links.unsubscribe_token(job_context.links, schedule_id=1, address="client@example.com")
    status, _, body = _get(f"{base}/unsubscribe/{token}", method="POST", data=b"x" * 5000)
    assert status == 413 and b"unsubscribe button" in body


def test_download_links_expire_and_cannot_be_forged(job_context, recording_enqueue, web):
    base, smtp, _ = web
    run_id, [url], _ = _emailed(job_context, recording_enqueue, smtp)
    token = url.rsplit("/", 1)[1]
    payload, mac = token.split(".")
    forged = links.download_token(links.LinkSettings(base, "another-secret-of-enough-length"),
                                  artifact_id=1, delivery_id=1, expires_at=job_context.now() + dt.timedelta(days=1))
    unsubscribe = links.unsubscribe_token(job_context.links, schedule_id=1, address="client@example.com")
    for bad in (f"{payload}.{mac[:-2]}AA", f"{payload[:-2]}xx.{mac}", forged, "", "x" * 600, "a.b", unsubscribe,
                "../../etc/passwd"):
        status, _, body = _get(f"{base}/files/{bad}")
        assert status == 404 and b"not valid" in body, bad
    assert _get(url, method="POST", data=b"x")[0] == 405
    job_context.now.jump_to(job_context.now() + dt.timedelta(days=8))
    status, _, body = _get(url)
    assert status == 410 and b"expired" in body
    with job_context.database.session() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all() == []


def test_a_removed_file_is_gone_not_an_error(job_context, recording_enqueue, web):
    base, smtp, _ = web
    run_id, [url], _ = _emailed(job_context, recording_enqueue, smtp)
    job_context.artifacts.delete(load_run(job_context, run_id).artifacts[0].storage_key)
    status, _, body = _get(url)
    assert status == 410 and b"removed" in body


def test_one_click_unsubscribe_removes_the_address_from_the_schedule(job_context, recording_enqueue, web):
    base, smtp, _ = web
    run_id = due_run(job_context, recording_enqueue, destinations=[TO_CLIENT])
    schedule_id = load_run(job_context, run_id).schedule_id
    with job_context.database.session() as s:
        email_repo.set_email_options(s, schedule_id, cc=["boss@example.com"])
    generate(job_context, run_id, recording_enqueue)
    deliver(job_context, run_id)
    by_rcpt = {r.recipients[0]: r.message for r in smtp.received}
    url = by_rcpt["client@example.com"]["List-Unsubscribe"].strip("<>")
    assert url.startswith(f"{base}/unsubscribe/")
    status, _, body = _get(url)  # a link scanner's GET changes nothing
    assert status == 200 and b'<form method="post"' in body
    with job_context.database.session() as s:
        assert s.scalars(select(Destination).where(Destination.kind == DestinationKind.EMAIL)).all()
    status, _, body = _get(url, method="POST", data=b"List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and b"no longer receive" in body
    with job_context.database.session() as s:
        assert s.scalars(select(Destination).where(Destination.kind == DestinationKind.EMAIL)).all() == []
        assert email_repo.email_options(s, schedule_id).cc == ["boss@example.com"]  # only that address
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "unsubscribe"))
        assert event.details["removed"] == ["client@example.com"] and event.details["one_click"] is True
    assert _get(url, method="POST", data=b"")[0] == 200  # again: still fine
    boss = by_rcpt["boss@example.com"]["List-Unsubscribe"].strip("<>")
    _get(boss, method="POST", data=b"List-Unsubscribe=One-Click")
    with job_context.database.session() as s:
        assert email_repo.email_options(s, schedule_id).cc == []
    assert _get(f"{base}/unsubscribe/not-a-token", method="POST", data=b"")[0] == 404


def test_slack_endpoint_refuses_bad_missing_and_stale_signatures(job_context, web):
    base, _, _ = web
    url = f"{base}/slack/events"
    signer = SlackRequestSigner(SIGNING_SECRET)
    body, headers = signer.slash_command("help", user_id=ALICE, channel_id=SALES)
    assert post(url, body, headers)[0] == 200
    bad = dict(headers, **{"X-Slack-Signature": "v0=" + "0" * 64})
    assert post(url, body, bad)[0] == 401
    missing = {"Content-Type": headers["Content-Type"]}
    assert post(url, body, missing)[0] == 401
    stale_body, stale = signer.slash_command("help", user_id=ALICE, channel_id=SALES,
                                             timestamp=int(time.time()) - 600)
    assert post(url, stale_body, stale)[0] == 401
    other = SlackRequestSigner("a-different-signing-secret")
    assert post(url, *other.slash_command("help", user_id=ALICE, channel_id=SALES))[0] == 401
    tampered = body.replace("help", "list")
    assert post(url, tampered, headers)[0] == 401


def test_retry_button_retries_the_run_for_its_owner_only(job_context, recording_enqueue, web, emulator):
    base, _, listeners = web
    gone = NewDestination(DestinationKind.SLACK_CHANNEL, "C0GONE001", "#gone")
    run_id = due_run(job_context, recording_enqueue, destinations=[gone])
    generate(job_context, run_id, recording_enqueue)
    assert deliver(job_context, run_id) == RunStatus.PARTIAL  # #gone failed; the owner got it by email
    schedule_id = load_run(job_context, run_id).schedule_id
    signer = SlackRequestSigner(SIGNING_SECRET)

    def click(user_id: str):
        payload = block_actions_payload(action_id=ScheduleActions.RETRY, user_id=user_id,
                                        value=retry_value(schedule_id, run_id), channel_id=SALES)
        return post(f"{base}/slack/events", *signer.interaction(payload))

    calls = len(recording_enqueue.calls)
    assert click(BOB)[0] == 200  # not the owner: refused
    listeners.wait_idle()
    assert load_run(job_context, run_id).status == RunStatus.PARTIAL and len(recording_enqueue.calls) == calls
    assert click(ALICE)[0] == 200
    emulator.wait_for(lambda: load_run(job_context, run_id).status == RunStatus.DELIVERING)
    assert recording_enqueue.calls[-1] == (run_id, "deliver", 0)  # the same run, re-delivered
