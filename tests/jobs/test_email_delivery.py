"""Email over a real SMTP server on loopback: the message, copies, links over the size limit,
unsubscribe headers, SMTP errors, and the fallback when Slack delivery fails for good."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.delivery.addresses import valid_address
from jobs.delivery.deliver import TransientDeliveryError, deliver
from jobs.delivery.email_compose import render_subject
from jobs.generate import generate
from jobs.links import read_download_token, read_unsubscribe_token
from storage import deliveries as delivery_repo
from storage import email as email_repo
from storage.models import DeliveryStatus, DestinationKind, OwnerContact, RunStatus
from storage.schedules import NewDestination
from tests.conftest import make_context
from tests.jobs.delivery_support import (
    SmtpServer,
    due_run,
    load_run,
    self_signed_cert,
    with_email,
)
from tests.support.people import ALICE, TEAM, TO_CLIENT, TO_GONE, TO_SALES


@pytest.fixture
def ctx(database, tmp_path, emulator, smtp):
    return with_email(make_context(database, tmp_path, emulator, slack_rate_multiplier=100), smtp)


def _generated(ctx, enqueue, destinations, **kwargs) -> int:
    run_id = due_run(ctx, enqueue, destinations=list(destinations), **kwargs)
    assert generate(ctx, run_id, enqueue) == "generated"
    return run_id


def _parts(message):
    return {part.get_content_type(): part for part in message.walk()}


def test_report_email_has_text_html_inline_chart_attachments_and_unsubscribe(ctx, recording_enqueue, smtp):
    run_id = _generated(ctx, recording_enqueue, [TO_CLIENT], formats=("csv", "xlsx", "png"))
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    [received] = smtp.received
    assert received.recipients == ["client@example.com"] and received.sender == "reports@example.com"
    message = received.message
    assert message["Subject"] == "Daily sales · Sun 22 Nov 2026, Europe/Berlin"
    assert message["To"] == "client@example.com" and message["Auto-Submitted"] == "auto-generated"
    parts = _parts(message)
    assert {"text/plain", "text/html", "image/png", "text/csv"} <= set(parts)
    text = parts["text/plain"].get_content()
    assert "16 rows" in text and "Attached:" in text and "Unsubscribe: http://127.0.0.1:9/unsubscribe/" in text
    covers = "Covers the previous day, Sun 22 Nov 2026, Europe/Berlin"  # as the Slack message says it
    assert text.splitlines()[0] == f"Daily sales · {covers}" and covers in parts["text/html"].get_content()
    cid = parts["image/png"]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in parts["text/html"].get_content()
    attachments = [p.get_filename() for p in message.iter_attachments() if p.get_content_disposition() == "attachment"]
    assert sorted(a.rsplit(".", 1)[1] for a in attachments) == ["csv", "xlsx"]
    # RFC 8058: a one-click unsubscribe URL, and the POST marker
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    claim = read_unsubscribe_token(ctx.links, url.rsplit("/", 1)[1])
    assert claim.schedule_id == load_run(ctx, run_id).schedule_id
    delivery = load_run(ctx, run_id).deliveries[0]
    assert delivery.smtp_message_id == message["Message-ID"].strip() and delivery.confirmed_by == "response"


def test_over_the_size_limit_files_come_as_signed_expiring_links_with_a_notice(ctx, recording_enqueue, smtp):
    ctx.email = smtp.settings(max_bytes=100)  # every report is "too large" now
    run_id = _generated(ctx, recording_enqueue, [TO_CLIENT], formats=("csv", "xlsx"))
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    message = smtp.received[0].message
    assert [p for p in message.iter_attachments() if p.get_content_disposition() == "attachment"] == []
    text = _parts(message)["text/plain"].get_content()
    assert "too large to attach" in text and "the limit is 100 bytes" in text and "The links expire on" in text
    urls = [line.rsplit(" ", 1)[1] for line in text.splitlines() if "/files/" in line]
    assert len(urls) == 2
    claims = [read_download_token(ctx.links, url.rsplit("/", 1)[1], now=ctx.now()) for url in urls]
    assert {c.artifact_id for c in claims} == {a.id for a in load_run(ctx, run_id).artifacts}
    assert all(ctx.now() + dt.timedelta(days=6) < c.expires_at <= ctx.now() + dt.timedelta(days=7) for c in claims)


def test_too_large_without_download_links_fails_instead_of_sending_an_empty_email(ctx, recording_enqueue, smtp):
    ctx.email = smtp.settings(max_bytes=100)
    ctx.links = type(ctx.links)()  # not configured
    run_id = _generated(ctx, recording_enqueue, [TO_CLIENT])
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert smtp.received == []
    assert "download links are not set up" in load_run(ctx, run_id).error


def test_subject_template_cc_and_bcc_each_get_one_copy(ctx, recording_enqueue, smtp):
    other = NewDestination(DestinationKind.EMAIL, "second@example.org", "second@example.org")
    run_id = due_run(ctx, recording_enqueue, destinations=[TO_CLIENT, other])
    schedule_id = load_run(ctx, run_id).schedule_id
    with ctx.database.session() as s:
        email_repo.set_email_options(s, schedule_id, subject_template="[{rows} rows] {name} for {date}\nBcc: x@y.z",
                                      cc=["boss@example.com", "client@example.com"], bcc=["audit@example.com"])
    assert generate(ctx, run_id, recording_enqueue) == "generated"
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    by_rcpt = {r.recipients[0]: r.message for r in smtp.received}
    assert sorted(by_rcpt) == ["audit@example.com", "boss@example.com", "client@example.com", "second@example.org"]
    for message in by_rcpt.values():
        assert message["To"] == "client@example.com, second@example.org"
        assert message["Cc"] == "boss@example.com" and message["Bcc"] is None
        assert message["Subject"] == "[16 rows] Daily sales for 2026-11-23 Bcc: x@y.z"  # one line, no injection
    assert len({m["Message-ID"].strip() for m in by_rcpt.values()}) == 4
    assert len(load_run(ctx, run_id).deliveries) == 4


def test_invalid_address_and_disallowed_domain_fail_without_contacting_the_server(ctx, recording_enqueue, smtp):
    bad = NewDestination(DestinationKind.EMAIL, "not an address@", "bad")
    outside = NewDestination(DestinationKind.EMAIL, "someone@elsewhere.net", "outside")
    run_id = _generated(ctx, recording_enqueue, [bad, outside, TO_CLIENT])
    assert deliver(ctx, run_id) == RunStatus.PARTIAL
    errors = {d.destination: d.last_error for d in load_run(ctx, run_id).deliveries}
    assert "is not a valid email address" in errors["email:not an address@"]
    assert "elsewhere.net is not on this workspace's list" in errors["email:someone@elsewhere.net"]
    assert [r.recipients for r in smtp.received] == [["client@example.com"]]


def test_smtp_5xx_is_permanent_and_4xx_is_retried(ctx, recording_enqueue, smtp):
    later = NewDestination(DestinationKind.EMAIL, "later@example.com", "later@example.com")
    smtp.refuse["client@example.com"] = "550 5.1.1 No such user"
    smtp.refuse["later@example.com"] = "451 4.3.0 Try again later"
    run_id = _generated(ctx, recording_enqueue, [TO_CLIENT, later])
    with pytest.raises(TransientDeliveryError):
        deliver(ctx, run_id, only_due=True)
    deliveries = {d.destination: d for d in load_run(ctx, run_id).deliveries}
    assert deliveries["email:client@example.com"].status == DeliveryStatus.FAILED
    assert "550 5.1.1 No such user" in deliveries["email:client@example.com"].last_error
    assert deliveries["email:later@example.com"].status == DeliveryStatus.PENDING
    del smtp.refuse["later@example.com"]
    assert deliver(ctx, run_id) == RunStatus.PARTIAL
    assert [r.recipients for r in smtp.received] == [["later@example.com"]]
    assert deliveries["email:client@example.com"].attempts == 1  # never tried again


def test_smtp_down_then_up(ctx, recording_enqueue, smtp):
    run_id = _generated(ctx, recording_enqueue, [TO_CLIENT])
    smtp.stop()
    with pytest.raises(TransientDeliveryError) as raised:
        deliver(ctx, run_id, only_due=True)
    assert "mail server could not be reached" in str(raised.value)
    smtp.start()
    ctx.now.jump_to(ctx.now() + dt.timedelta(seconds=raised.value.retry_in_ms / 1000 + 1))
    assert deliver(ctx, run_id, only_due=True) == RunStatus.DELIVERED
    assert len(smtp.received) == 1


def test_starttls_and_login_against_a_tls_server(database, tmp_path, emulator, recording_enqueue):
    cert, key = self_signed_cert(tmp_path)
    server = SmtpServer(tls_cert=cert, tls_key=key).start()
    try:
        ctx = with_email(make_context(database, tmp_path, emulator), server)
        run_id = _generated(ctx, recording_enqueue, [TO_CLIENT])
        assert deliver(ctx, run_id) == RunStatus.DELIVERED
        assert len(server.received) == 1
        ctx.email = server.settings(password="wrong-fake-password")
        run_id = _generated(ctx, recording_enqueue, [TO_CLIENT], name="Second")
        assert deliver(ctx, run_id) == RunStatus.FAILED  # 535: permanent, not retried
        assert "535" in load_run(ctx, run_id).error
    finally:
        server.stop()


def test_interrupted_email_is_not_sent_twice_but_reported(ctx, recording_enqueue, smtp):
    run_id = _generated(ctx, recording_enqueue, [TO_CLIENT])
    with ctx.database.session() as s:  # marked sending with its Message-ID, then the worker died
        [delivery] = delivery_repo.ensure_deliveries(s, run_id, ["email:client@example.com"])
        delivery.status, delivery.smtp_message_id = DeliveryStatus.SENDING, "<fixed.id@example.com>"
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert smtp.received == []  # the server may already have it: never a second copy
    assert "interrupted" in load_run(ctx, run_id).error


def test_permanent_slack_failure_falls_back_to_the_owners_email(ctx, recording_enqueue, smtp, emulator):
    run_id = _generated(ctx, recording_enqueue, [TO_SALES, TO_GONE])
    assert deliver(ctx, run_id) == RunStatus.PARTIAL
    [received] = smtp.received
    assert received.recipients == ["alice@example.com"]  # the owner, from users.info
    text = _parts(received.message)["text/plain"].get_content()
    assert text.startswith("This report could not be posted to #gone (C0GONE001) in Slack")
    assert received.message["List-Unsubscribe"] is None  # the owner is not on a list
    run = load_run(ctx, run_id)
    fallback = next(d for d in run.deliveries if d.destination == "email:alice@example.com")
    assert fallback.fallback_for == "slack_channel:C0GONE001" and fallback.status == DeliveryStatus.SENT
    assert "emailed to alice@example.com instead" in run.error


def test_fallback_uses_the_remembered_address_when_slack_refuses_the_app(ctx, recording_enqueue, smtp, emulator):
    run_id = _generated(ctx, recording_enqueue, [TO_SALES])
    assert deliver(ctx, run_id) == RunStatus.DELIVERED  # while Slack works, the owner's address is remembered
    with ctx.database.session() as s:
        assert s.get(OwnerContact, (TEAM, ALICE)).email == "alice@example.com"
    emulator.fail("*", error="invalid_auth", times=None)
    ctx.now.jump_to(ctx.now() + dt.timedelta(days=1))
    run_id = _generated(ctx, recording_enqueue, [TO_SALES], name="Next")
    assert deliver(ctx, run_id) == RunStatus.PARTIAL
    assert [r.recipients for r in smtp.received] == [["alice@example.com"]]
    assert "invalid_auth" in load_run(ctx, run_id).error


def test_no_fallback_without_a_known_address(ctx, recording_enqueue, smtp, emulator):
    emulator.set_bot_scopes(["files:write", "chat:write", "im:write", "users:read", "channels:history"])
    run_id = _generated(ctx, recording_enqueue, [TO_GONE])
    assert deliver(ctx, run_id) == RunStatus.FAILED  # users.info hides the email without users:read.email
    assert smtp.received == []


@pytest.mark.parametrize("address, ok", [
    ("a@example.com", True), ("first.last+tag@sub.example.co.uk", True), ("no-at-sign", False),
    ("two@@example.com", False), ("spaces in@example.com", False), ("a@example.com\r\nBcc: x@y.z", False),
    ("a@localhost", False), ("x" * 65 + "@example.com", False), ("a@" + "b" * 250 + ".com", False),
    ("Name <a@example.com>", False),
])
def test_address_validation(address, ok):
    assert valid_address(address) is ok


def test_subject_templates_cannot_reach_attributes():
    values = {"name": "Sales", "window": "May", "date": "2026-05-01", "rows": "3"}
    assert render_subject("{name.__class__} {name} {unknown}", values) == "{name.__class__} Sales {unknown}"
    assert render_subject(None, values) == "Sales · May"
    assert len(render_subject("x" * 1000, values)) == 200
