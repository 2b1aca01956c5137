"""Webhooks over real HTTPS on loopback: signed JSON, retries and Retry-After on the context clock,
permanent failures told to the owner, redirects not followed, and the SSRF guard at send time
(allow-list, private addresses, DNS rebinding)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import socket

import pytest

from jobs.delivery.deliver import TransientDeliveryError, deliver
from jobs.delivery.outbound import WebhookSettings
from jobs.delivery.signing import issue_secrets
from jobs.generate import generate
from jobs.links import read_download_token
from storage.filestore import ArtifactStore
from storage.filestore.crypto import Keyring, new_key
from storage.models import (
    Delivery,
    DeliveryStatus,
    Destination,
    DestinationKind,
    RunStatus,
)
from storage.schedules import NewDestination
from storage.workspace import workspace_settings_for_update
from tests.conftest import make_context
from tests.factories import TEAM
from tests.jobs.alert_support import check, make_alert, make_warehouse
from tests.jobs.delivery_support import due_run, link_settings, load_run
from tests.support.people import ALICE, TO_OPS
from tests.support.tls_receiver import HOST, Reply, Resolver

PUBLIC = "93.184.215.14"  # a public address: nothing on loopback answers for it


@pytest.fixture
def keyring():
    return Keyring.from_setting(new_key())


@pytest.fixture
def ctx(database, tmp_path, emulator, receiver, keyring):
    ctx = make_context(database, tmp_path, emulator, slack_rate_multiplier=100,
                       artifacts=ArtifactStore(tmp_path / "artifacts", keyring=keyring))
    ctx.webhooks = WebhookSettings(ca_file=str(receiver.ca_file), timeout=5, resolve=Resolver({HOST: ["127.0.0.1"]}))
    ctx.links = link_settings("https://reportbot.example.com")
    ctx.settings = dataclasses.replace(ctx.settings, policy=dataclasses.replace(ctx.settings.policy,
                                                                                webhook_hosts=(HOST,)))
    allow_private(ctx, True)  # the receiver is on loopback
    return ctx


def allow_private(ctx, on: bool) -> None:
    with ctx.database.session() as s:
        workspace_settings_for_update(s, TEAM).webhook_private = on


def webhook(ctx, url: str) -> tuple[NewDestination, str]:
    """The destination as the app stores it (secret sealed with the store's keys), and the secret shown once."""
    [stored], [(_, secret)] = issue_secrets([NewDestination(DestinationKind.WEBHOOK, url, f"webhook {HOST}")], set(),
                                            ctx.artifacts.keyring)
    return stored, secret


def generated(ctx, enqueue, destinations, **kwargs) -> int:
    run_id = due_run(ctx, enqueue, destinations=list(destinations), **kwargs)
    assert generate(ctx, run_id, enqueue) == "generated"
    return run_id


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """The README's recipe, as a receiver would write it."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(now - timestamp) <= tolerance


def the_delivery(ctx, run_id) -> Delivery:
    [delivery] = load_run(ctx, run_id).deliveries
    return delivery


def dms(emulator, user_id=ALICE) -> list[dict]:
    opened = [c for c in emulator.calls("conversations.open") if c.params.get("users") == user_id and c.ok]
    return [m for channel in {c.response["channel"]["id"] for c in opened} for m in emulator.messages(channel)]


def test_signed_report_arrives_once_with_its_fields_and_signed_file_links(ctx, recording_enqueue, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    destination, secret = webhook(ctx, receiver.url("/reportbot?token=path-secret"))
    run_id = generated(ctx, recording_enqueue, [destination], formats=("csv", "xlsx"))
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    [request] = receiver.requests()
    now = int(ctx.now().timestamp())
    assert verify(secret, request.headers["reportbot-signature"], request.body, now)
    assert not verify("whsec_someone-else", request.headers["reportbot-signature"], request.body, now)
    assert request.server_name == HOST and request.headers["host"] == f"{HOST}:{receiver.port}"
    assert request.path == "/reportbot?token=path-secret"
    assert request.headers["content-type"] == "application/json" and request.headers["user-agent"] == "reportbot"
    delivery = the_delivery(ctx, run_id)
    assert request.headers["reportbot-delivery"] == str(delivery.id)
    body = json.loads(request.body)
    run = load_run(ctx, run_id)
    assert body["event"] == "report.delivered" and body["delivery_id"] == delivery.id
    assert body["schedule"] == {"id": run.schedule_id, "name": "Daily sales"}
    assert body["run"] == {"id": run_id, "slot": run.scheduled_for.isoformat(), "status": "generated",
                           "trigger": "schedule", "rows": 16}
    assert body["period"]["words"] and body["period"]["start"] < body["period"]["end"]
    assert body["key_figures"] and {"label", "value", "text", "change_pct"} == set(body["key_figures"][0])
    assert sorted(f["format"] for f in body["files"]) == ["csv", "xlsx"]
    for file in body["files"]:
        claim = read_download_token(ctx.links, file["url"].rsplit("/", 1)[1], now=ctx.now())
        assert claim.delivery_id == delivery.id and file["size"] > 0
    # stored sealed, never in the clear; logs name the host, not the URL's path or the secret
    with ctx.database.session() as s:
        [stored] = s.query(Destination).all()
        assert stored.secret.startswith("rbs1:") and secret not in stored.secret
    assert secret not in caplog.text and "path-secret" not in caplog.text
    # a pass run again (the actor's retry, a second worker) sends nothing more
    deliver(ctx, run_id)
    assert len(receiver.requests()) == 1 and delivery.status == DeliveryStatus.SENT


def test_a_5xx_is_retried_with_backoff_and_the_same_delivery_id(ctx, recording_enqueue, receiver):
    destination, _ = webhook(ctx, receiver.url())
    receiver.answer(Reply(500, body=b"oops"))
    run_id = generated(ctx, recording_enqueue, [destination])
    with pytest.raises(TransientDeliveryError):
        deliver(ctx, run_id)
    delivery = the_delivery(ctx, run_id)
    assert delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    assert delivery.last_error == f"the webhook at {HOST} answered 500 Internal Server Error (http_500)"
    ctx.now.jump_to(delivery.next_attempt_at)
    assert deliver(ctx, run_id, only_due=True) == RunStatus.DELIVERED
    first, second = receiver.requests()
    assert first.headers["reportbot-delivery"] == second.headers["reportbot-delivery"]


def test_429_waits_for_retry_after_on_the_context_clock(ctx, recording_enqueue, receiver):
    destination, _ = webhook(ctx, receiver.url())
    receiver.answer(Reply(429, headers={"Retry-After": "900"}))
    run_id = generated(ctx, recording_enqueue, [destination])
    asked_at = ctx.now()
    with pytest.raises(TransientDeliveryError) as raised:
        deliver(ctx, run_id)
    assert raised.value.retry_in_ms >= 899_000
    delivery = the_delivery(ctx, run_id)
    assert delivery.next_attempt_at >= asked_at + dt.timedelta(seconds=900)
    ctx.now.jump_to(asked_at + dt.timedelta(seconds=600))
    with pytest.raises(TransientDeliveryError):
        deliver(ctx, run_id, only_due=True)  # not due yet: nothing sent
    assert len(receiver.requests()) == 1
    ctx.now.jump_to(delivery.next_attempt_at)
    assert deliver(ctx, run_id, only_due=True) == RunStatus.DELIVERED
    assert len(receiver.requests()) == 2


def test_a_404_fails_for_good_and_the_owner_is_told_in_words(ctx, recording_enqueue, receiver, emulator):
    destination, _ = webhook(ctx, receiver.url())
    receiver.answer(Reply(404, body=b"x" * 100_000))
    run_id = generated(ctx, recording_enqueue, [destination])
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert len(receiver.requests()) == 1  # not retried
    assert the_delivery(ctx, run_id).last_error == f"the webhook at {HOST} answered 404 Not Found (http_404)"
    [dm] = dms(emulator)
    assert f"webhook {HOST}: the webhook at {HOST} answered 404 Not Found" in json.dumps(dm["blocks"])
    assert "/reportbot" not in json.dumps(dm)


def test_a_redirect_is_not_followed(ctx, recording_enqueue, receiver):
    destination, _ = webhook(ctx, receiver.url())
    receiver.answer(Reply(302, headers={"Location": receiver.url("/elsewhere")}))
    run_id = generated(ctx, recording_enqueue, [destination])
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert [r.path for r in receiver.requests()] == ["/reportbot"]
    assert "answered 302 Found; redirects are not followed" in the_delivery(ctx, run_id).last_error


def test_a_host_taken_off_the_allow_list_is_refused_at_send_time(ctx, recording_enqueue, receiver):
    destination, _ = webhook(ctx, receiver.url())
    run_id = generated(ctx, recording_enqueue, [destination])
    with ctx.database.session() as s:
        workspace_settings_for_update(s, TEAM).webhook_hosts = ["*.corp.example"]
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert receiver.requests() == []
    assert ("it is not on this workspace's list of webhook hosts (*.corp.example)"
            in the_delivery(ctx, run_id).last_error)


def test_a_private_address_is_refused_unless_an_admin_allowed_it(ctx, recording_enqueue, receiver):
    allow_private(ctx, False)
    destination, _ = webhook(ctx, receiver.url())
    run_id = generated(ctx, recording_enqueue, [destination])
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert receiver.requests() == []
    assert f"{HOST} resolves to 127.0.0.1, a loopback address" in the_delivery(ctx, run_id).last_error


@pytest.mark.parametrize("address", ["169.254.169.254", "::1", "fc00::5", "::ffff:127.0.0.1", "10.1.2.3", "0.0.0.0"])
def test_any_private_answer_among_several_refuses_the_host(ctx, recording_enqueue, receiver, address):
    allow_private(ctx, False)
    ctx.webhooks = dataclasses.replace(ctx.webhooks, resolve=Resolver({HOST: [PUBLIC, address]}))
    destination, _ = webhook(ctx, receiver.url())
    run_id = generated(ctx, recording_enqueue, [destination])
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert f"resolves to {address}" in the_delivery(ctx, run_id).last_error


def test_dns_rebinding_cannot_make_it_connect_to_a_private_address(ctx, recording_enqueue, receiver):
    """The host resolves to a public address when checked, then to loopback: the request goes to the
    checked address (or nowhere), never to the one a second lookup would give."""
    allow_private(ctx, False)
    resolver = Resolver({HOST: [[PUBLIC], ["127.0.0.1"]]})
    connected: list[str] = []

    def connect(address, timeout):
        connected.append(address[0])
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError("no route on this test machine")
        return socket.create_connection(address, timeout=timeout)

    ctx.webhooks = dataclasses.replace(ctx.webhooks, resolve=resolver, connect=connect)
    destination, _ = webhook(ctx, receiver.url())
    run_id = generated(ctx, recording_enqueue, [destination])
    with pytest.raises(TransientDeliveryError):
        deliver(ctx, run_id)
    assert connected == [PUBLIC] and resolver.calls == [HOST]  # one lookup, and the checked address used
    ctx.now.jump_to(the_delivery(ctx, run_id).next_attempt_at)
    assert deliver(ctx, run_id, only_due=True) == RunStatus.FAILED  # the next lookup says loopback: refused
    assert connected == [PUBLIC] and receiver.requests() == []
    assert "resolves to 127.0.0.1, a loopback address" in the_delivery(ctx, run_id).last_error


def test_an_untrusted_certificate_is_a_permanent_failure(ctx, recording_enqueue, receiver):
    ctx.webhooks = dataclasses.replace(ctx.webhooks, ca_file=None)
    destination, _ = webhook(ctx, receiver.url())
    run_id = generated(ctx, recording_enqueue, [destination])
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert "has a certificate that cannot be trusted" in the_delivery(ctx, run_id).last_error


def test_an_alert_fires_to_a_webhook(database, tmp_path, monkeypatch, ctx, recording_enqueue, receiver):
    warehouse = make_warehouse(tmp_path, monkeypatch)
    destination, secret = webhook(ctx, receiver.url())
    schedule_id, slot = make_alert(ctx, "revenue < 10000", destinations=(TO_OPS, destination))
    warehouse.revenue(9120)
    outcome, run_id = check(ctx, recording_enqueue, slot)
    assert outcome == "notifying" and load_run(ctx, run_id).status == RunStatus.DELIVERED
    [request] = receiver.requests()
    assert verify(secret, request.headers["reportbot-signature"], request.body, int(ctx.now().timestamp()))
    body = json.loads(request.body)
    assert body["event"] == "alert.fired" and body["schedule"]["id"] == schedule_id
    assert body["alert"]["state"] == "firing" and body["alert"]["value"] == 9120
