"""Webhooks in Slack, through the real app against the emulator: admins allow hosts (and private
addresses), a one-liner, the modal and an alert add a webhook, its signing secret is shown once to
the person who added it and never again (show, list, Home, logs), and refusals are in words."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import re

import pytest
from sqlalchemy import select

from jobs.delivery.deliver import deliver
from jobs.delivery.outbound import WebhookSettings
from jobs.generate import generate
from jobs.slack_ids import ModalActions, ModalBlocks
from jobs.tick import tick
from storage.filestore.crypto import Keyring, new_key
from storage.models import (
    Destination,
    DestinationKind,
    RunStatus,
    Schedule,
    WorkspaceSettings,
)
from tests.bot.conftest import ADMIN, ALICE
from tests.bot.test_home import open_home, texts
from tests.bot.test_modal import block, open_modal, stored, text, values
from tests.support.people import SALES, TEAM
from tests.support.tls_receiver import HOST, Resolver

SECRET = re.compile(r"`(whsec_[A-Za-z0-9_-]{43})`")


@pytest.fixture
def hooks(slack, ctx, receiver):
    """The app's webhooks reach the receiver on loopback; an admin allowed its host and private addresses;
    stored files and secrets are encrypted (ARTIFACT_ENCRYPTION_KEYS)."""
    ctx.artifacts.keyring = Keyring.from_setting(new_key())
    ctx.webhooks = WebhookSettings(ca_file=str(receiver.ca_file), timeout=5,
                                   resolve=Resolver({HOST: ["127.0.0.1"], "evil.example.net": ["127.0.0.1"]}))
    assert "Webhooks allowed to: hooks.example.com" in slack.command(f"admin webhooks {HOST}", user_id=ADMIN)
    assert "(private addresses too)" in slack.command("admin webhooks private on", user_id=ADMIN)
    return receiver


def secret_in(reply: str) -> str:
    [secret] = SECRET.findall(reply)
    return secret


def test_admins_set_the_webhook_hosts_and_the_private_switch(slack, ctx):
    assert "Only workspace admins" in slack.command("admin webhooks hooks.example.com")
    reply = slack.command("admin webhooks hooks.example.com, *.Corp.example", user_id=ADMIN)
    assert "Webhooks allowed to: *.corp.example, hooks.example.com" in reply
    assert "not host names" in slack.command("admin webhooks not_a_host", user_id=ADMIN)
    assert "Say `on` or `off`" in slack.command("admin webhooks private maybe", user_id=ADMIN)
    slack.command("admin webhooks private on", user_id=ADMIN)
    assert "Webhooks allowed to: no host yet" in slack.command("admin webhooks none", user_id=ADMIN)
    with ctx.database.session() as s:
        row = s.get(WorkspaceSettings, TEAM)
        assert (row.webhook_hosts, row.webhook_private) == ([], True)


def test_a_one_liner_adds_a_webhook_whose_secret_is_shown_once_and_signs_every_request(
        slack, ctx, hooks, recording_enqueue, caplog):
    caplog.set_level(logging.DEBUG)
    reply = slack.command(f'new "Daily sales" every day at 9am in #sales and {hooks.url("/in?token=t0ps3cret")} as csv')
    assert "Scheduled *Daily sales*" in reply and f"#sales, webhook {HOST}" in reply
    secret = secret_in(reply)
    assert "shown only now" in reply
    shown = slack.command("show daily sales")
    listed = slack.command("list")
    home = texts(open_home(slack))
    for place in (shown, listed, home):
        assert f"webhook {HOST}" in place and secret not in place and "t0ps3cret" not in place
    with ctx.database.session() as s:
        [hook] = s.scalars(select(Destination).where(Destination.kind == DestinationKind.WEBHOOK)).all()
        assert hook.target == hooks.url("/in?token=t0ps3cret")
        assert hook.secret.startswith("rbs1:") and secret not in hook.secret
        slot = s.scalar(select(Schedule.next_run_at))
    # the worker signs with the secret the person was shown
    ctx.now.jump_to(slot)
    [run_id] = tick(ctx, recording_enqueue).created
    assert generate(ctx, run_id, recording_enqueue) == "generated"
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    [request] = hooks.requests()
    timestamp, mac = (part.split("=", 1)[1] for part in request.headers["reportbot-signature"].split(","))
    assert hmac.compare_digest(mac, hmac.new(secret.encode(), f"{timestamp}.".encode() + request.body,
                                             hashlib.sha256).hexdigest())
    assert json.loads(request.body)["schedule"]["name"] == "Daily sales"
    assert f"webhook {HOST}" in slack.command("history daily sales")
    # the app's own logs, at any level, name the host only (slack_sdk's DEBUG output echoes message bodies)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("bot", "jobs", "storage"))
    assert secret not in ours and "t0ps3cret" not in ours


def test_a_host_off_the_allow_list_or_plain_http_is_refused_when_saving(slack, ctx, hooks):
    reply = slack.command('new "Daily sales" every day at 9am to https://evil.example.net/x')
    assert "evil.example.net: it is not on this workspace's list of webhook hosts (hooks.example.com)" in reply
    reply = slack.command(f'new "Daily sales" every day at 9am to http://{HOST}/x')
    assert "Webhooks are sent over https only" in reply
    assert stored(ctx.database) == []


def test_a_private_address_is_refused_when_saving_unless_allowed(slack, ctx, hooks):
    slack.command("admin webhooks private off", user_id=ADMIN)
    reply = slack.command(f'new "Daily sales" every day at 9am to {hooks.url()}')
    assert f"{HOST} resolves to 127.0.0.1, a loopback address" in reply and "webhooks private on" in reply
    assert stored(ctx.database) == []
    ctx.webhooks = dataclasses.replace(ctx.webhooks, resolve=Resolver({HOST: ["8.8.8.8", "169.254.169.254"]}))
    reply = slack.command(f'new "Daily sales" every day at 9am to {hooks.url()}')
    assert "169.254.169.254, a link-local address" in reply


def test_the_modal_has_a_webhooks_field_and_an_edit_keeps_the_secret(slack, ctx, hooks):
    view = open_modal(slack)
    assert "Allowed hosts: hooks.example.com" in block(view, ModalBlocks.WEBHOOKS)["hint"]["text"]
    state = values()
    state[ModalBlocks.WEBHOOKS] = {ModalActions.WEBHOOKS: text(f"{hooks.url()}, https://evil.example.net/x")}
    status, answer = slack.submit(view, state)
    assert answer["response_action"] == "errors"
    assert "not on this workspace's list" in answer["errors"][ModalBlocks.WEBHOOKS]
    state[ModalBlocks.WEBHOOKS] = {ModalActions.WEBHOOKS: text(hooks.url())}
    assert slack.submit(view, state) == (200, {})
    told = slack.emulator.wait_for(lambda: slack.emulator.ephemerals(SALES, ALICE))[-1]
    secret = secret_in(told["text"])
    [schedule] = stored(ctx.database)
    sealed = next(d.secret for d in schedule.destinations if d.kind == DestinationKind.WEBHOOK)

    edit = open_modal(slack, "edit daily sales")
    assert block(edit, ModalBlocks.WEBHOOKS)["element"]["initial_value"] == hooks.url()
    assert secret not in json.dumps(edit)
    state[ModalBlocks.NAME] = {ModalActions.NAME: text("Daily sales v2")}
    assert slack.submit(edit, state) == (200, {})
    again = slack.emulator.wait_for(lambda: [m for m in slack.emulator.ephemerals(SALES, ALICE)
                                             if "Updated" in m["text"]])[-1]
    assert "Signing secret" not in again["text"]  # the same webhook keeps its secret: not shown again
    [schedule] = stored(ctx.database)
    assert next(d.secret for d in schedule.destinations if d.kind == DestinationKind.WEBHOOK) == sealed


def test_an_alert_can_go_to_a_webhook(slack, ctx, hooks):
    reply = slack.command(f'new "Low revenue" every hour to {hooks.url()} when revenue < 500')
    assert "Scheduled *Low revenue*" in reply and secret_in(reply)
    [alert] = stored(ctx.database)
    assert alert.condition and [d.kind for d in alert.destinations] == [DestinationKind.WEBHOOK]
