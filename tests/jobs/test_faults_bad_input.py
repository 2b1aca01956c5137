"""Bad input meets delivery and the web routes: malformed payloads, oversized fields, invalid
email addresses and unknown destinations. Nothing crashes, every run still ends final with a
reason, the bad destinations get nothing and the good ones get the report exactly once."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings
from bot.web.server import ServerThread, build_wsgi
from jobs import links
from jobs.delivery.deliver import TransientDeliveryError, deliver
from jobs.generate import generate
from slack_emulator import SlackRequestSigner, post
from storage.models import Destination, DestinationKind, Run, RunStatus
from storage.schedules import NewDestination
from tests.conftest import SIGNING_SECRET, make_context
from tests.jobs.delivery_support import (
    check_invariants,
    due_run,
    emails_by_run,
    load_run,
    slack_posts_by_run,
    with_email,
)
from tests.jobs.fault_support import report_figures
from tests.support.people import SALES, TO_CLIENT, TO_SALES

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

BAD_DESTINATIONS = [
    NewDestination(DestinationKind.EMAIL, "not-an-address", "x"),
    NewDestination(DestinationKind.EMAIL, "a@example.com\r\nBcc: victim@example.org", "header injection"),
    NewDestination(DestinationKind.EMAIL, "x" * 300 + "@example.com", "too long"),
    NewDestination(DestinationKind.EMAIL, "someone@not-allowed.net", "outside domain"),
    NewDestination(DestinationKind.SLACK_CHANNEL, "C" + "9" * 31, "#nonexistent"),
    NewDestination(DestinationKind.SLACK_USER, "U0NOBODY1", "@nobody"),
    NewDestination("fax", "+1 555 0100", "a fax machine"),
]


@pytest.fixture
def ctx(database, tmp_path, emulator, smtp):
    return with_email(make_context(database, tmp_path, emulator, slack_rate_multiplier=100), smtp)


def test_bad_destinations_fail_alone_with_a_reason(ctx, recording_enqueue, emulator, smtp):
    run_id = due_run(ctx, recording_enqueue, destinations=[TO_SALES, TO_CLIENT, *BAD_DESTINATIONS])
    assert generate(ctx, run_id, recording_enqueue) == "generated"
    assert deliver(ctx, run_id) == RunStatus.PARTIAL
    run = load_run(ctx, run_id)
    statuses = {d.destination: (d.status, d.attempts) for d in run.deliveries}
    assert statuses.pop("slack_channel:C0SALES01") == ("sent", 1)
    assert statuses.pop("email:client@example.com") == ("sent", 1)
    statuses.pop("email:alice@example.com", None)  # the owner's fallback for the Slack ones
    assert set(statuses.values()) == {("failed", 1)}  # each tried once: none of these is temporary
    for phrase in ("is not a valid email address", "not-allowed.net is not on this workspace's list",
                   "channel_not_found", "user_not_found", "“fax” is not a kind of destination"):
        assert phrase in run.error
    found = check_invariants(ctx.database, schedules=1, slack_posts=slack_posts_by_run(emulator, ctx.database),
                             emails=emails_by_run(smtp))
    found.assert_hold()
    assert {r for item in smtp.received for r in item.recipients} == {"client@example.com", "alice@example.com"}
    report_figures("bad_destinations", {"runs": found.runs, "bad_destinations": len(BAD_DESTINATIONS),
                                        "sent_to_bad": 0, "duplicates": len(found.duplicate_deliveries)})


def test_oversized_names_summaries_and_templates_are_clipped_not_fatal(ctx, recording_enqueue, emulator, smtp):
    from storage import email as email_repo

    name = "Q4 <b>*revenue*</b> & _margins_ " + "ü" * 160
    run_id = due_run(ctx, recording_enqueue, name=name[:200], destinations=[TO_SALES, TO_CLIENT])
    with ctx.database.session() as s:
        email_repo.set_email_options(s, load_run(ctx, run_id).schedule_id, subject_template="{name} " * 40)
    assert generate(ctx, run_id, recording_enqueue) == "generated"
    with ctx.database.session() as s:  # a report type that produced a huge summary
        run = s.get(Run, run_id)
        run.summary = {**run.summary, "text": "*big* " * 20_000, "figures": [{"label": "x" * 5000, "value": 1e308}]}
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    [message] = [m for m in emulator.messages(SALES) if m.get("files")]
    assert len(message["blocks"][0]["text"]["text"]) <= 3000
    subject = smtp.received[0].message["Subject"]
    assert len(subject) <= 200 and "\n" not in subject


def test_a_destination_removed_mid_delivery_is_not_sent(ctx, recording_enqueue, emulator):
    run_id = due_run(ctx, recording_enqueue, destinations=[TO_SALES, TO_CLIENT])
    generate(ctx, run_id, recording_enqueue)
    emulator.fail("files.getUploadURLExternal", status=503)
    with pytest.raises(TransientDeliveryError):
        deliver(ctx, run_id)
    with ctx.database.session() as s:  # the owner edits the schedule while the retry waits
        for destination in s.scalars(select(Destination).where(Destination.kind == DestinationKind.SLACK_CHANNEL)):
            s.delete(destination)
    assert deliver(ctx, run_id) == RunStatus.PARTIAL
    assert emulator.uploads() == []
    assert "removed from the schedule" in load_run(ctx, run_id).error


@pytest.fixture
def web(job_context, emulator, recording_enqueue, smtp):
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0)
    deps = BotDeps(jobs=job_context, enqueue=recording_enqueue, settings=settings)
    server = ServerThread(build_wsgi(create_app(deps), job_context.database, deps))
    server.start()
    with_email(job_context, smtp, public_url=server.url.removesuffix("/slack/events"))
    yield server.url.removesuffix("/slack/events")
    server.stop()


def _request(url: str, data: bytes | None = None, method: str = "GET", headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_malformed_requests_get_clear_4xx_never_a_crash(job_context, web):
    signer = SlackRequestSigner(SIGNING_SECRET)
    statuses = Counter()
    cases = [
        (post(f"{web}/slack/events", *signer.sign("{not json", "application/json"))[0], {400, 401}),
        (post(f"{web}/slack/events", *signer.sign("payload=%7Bbroken", "application/x-www-form-urlencoded"))[0],
         {200, 400, 401, 404}),
        (post(f"{web}/slack/events", *signer.sign(json.dumps({"type": "event_callback", "event": None}),
                                                  "application/json"))[0], {200, 400, 404}),
    ]
    secret = links.LinkSettings(web, job_context.links.secret)
    forged_payload = links._b64(b"\xff\xfe not json")  # a genuine signature over garbage
    garbage = f"{forged_payload}.{links._mac(secret.secret, forged_payload)}"
    wrong_types = links._sign(secret, {"k": "d", "a": "one", "d": [], "e": "soon"})
    huge_expiry = links._sign(secret, {"k": "d", "a": 1, "d": 1, "e": 10 ** 30})
    for path in (f"/files/{garbage}", f"/files/{wrong_types}", f"/files/{huge_expiry}", "/files/",
                 "/files/" + "%00" * 10, f"/unsubscribe/{garbage}", "/unsubscribe/"):
        cases.append((_request(web + path), {404, 410}))
    token = links.unsubscribe_token(job_context.links, schedule_id=424242, address="nobody@example.com")
    # A one-click body is 26 bytes: a megabyte is refused unread rather than parsed.
    cases.append((_request(f"{web}/unsubscribe/{token}", data=b"x" * 1_000_000, method="POST"), {413}))
    cases.append((_request(f"{web}/unsubscribe/{token}", method="PUT", data=b""), {405}))
    for got, allowed in cases:
        statuses[got] += 1
        assert got in allowed and got < 500, (got, allowed)
    report_figures("malformed_requests", {"requests": len(cases), "statuses": dict(statuses), "server_errors": 0})
