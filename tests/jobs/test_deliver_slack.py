"""Slack delivery: one marked message per destination, retries per destination with backoff and
Retry-After, permanent errors not retried, and no second post after a crash mid-send."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from jobs.delivery.deliver import TransientDeliveryError, deliver
from jobs.delivery.policy import backoff_seconds
from jobs.delivery.slack import marker
from jobs.generate import generate
from storage import deliveries as delivery_repo
from storage import runs as run_repo
from storage.models import Delivery, DeliveryStatus, DestinationKind, RunStatus
from storage.schedules import NewDestination
from tests.jobs.delivery_support import due_run, load_run
from tests.support.people import SALES, TO_BOB, TO_SALES


def _generated(ctx, enqueue, destinations=(TO_SALES,), **kwargs) -> int:
    run_id = due_run(ctx, enqueue, destinations=list(destinations), **kwargs)
    assert generate(ctx, run_id, enqueue) == "generated"
    return run_id


def _delivery(ctx, run_id, key="slack_channel:C0SALES01") -> Delivery:
    return next(d for d in load_run(ctx, run_id).deliveries if d.destination == key)


def test_one_message_with_every_file_and_a_marker_per_destination(job_context, recording_enqueue, emulator):
    run_id = _generated(job_context, recording_enqueue, (TO_SALES, TO_BOB), formats=("csv", "xlsx"))
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    assert len(emulator.calls("files.completeUploadExternal")) == 2  # one call per destination
    [message] = [m for m in emulator.messages(SALES) if m.get("files")]
    assert len(message["files"]) == 2
    sales = _delivery(job_context, run_id)
    assert message["blocks"][0]["block_id"] == marker(sales.id)
    assert (sales.status, sales.confirmed_by, sales.attempts) == (DeliveryStatus.SENT, "response", 1)
    assert sales.message_ts == message["ts"] and len(sales.slack_file_ids) == 2
    assert [b["type"] for b in message["blocks"]][-1] == "actions"  # the buttons


def test_interrupted_send_that_reached_slack_is_found_and_not_sent_again(job_context, recording_enqueue, emulator):
    """The worker died after Slack posted but before recording it: the next worker finds the post."""
    run_id = _generated(job_context, recording_enqueue)
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    with job_context.database.session() as s:  # rewind the records to "sending", as a crash leaves them
        run = s.get(run_repo.Run, run_id)
        run.status, run.finished_at = RunStatus.DELIVERING, None
        delivery = run.deliveries[0]
        delivery.status, delivery.sent_at, delivery.message_ts = DeliveryStatus.SENDING, None, None
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1
    delivery = _delivery(job_context, run_id)
    assert delivery.confirmed_by == "history" and delivery.message_ts
    assert len(emulator.calls("conversations.history")) == 1


def test_interrupted_send_that_never_reached_slack_is_sent_once(job_context, recording_enqueue, emulator):
    run_id = _generated(job_context, recording_enqueue)
    with job_context.database.session() as s:  # marked sending, then the worker died before the call
        delivery = delivery_repo.ensure_deliveries(s, run_id, ["slack_channel:C0SALES01"])[0]
        delivery.status, delivery.channel_id = DeliveryStatus.SENDING, SALES
        delivery.sending_at = job_context.now()
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1
    assert _delivery(job_context, run_id).confirmed_by == "response"


def test_interrupted_send_that_cannot_be_checked_is_not_risked(job_context, recording_enqueue, emulator):
    run_id = _generated(job_context, recording_enqueue)
    with job_context.database.session() as s:
        delivery = delivery_repo.ensure_deliveries(s, run_id, ["slack_channel:C0SALES01"])[0]
        delivery.status, delivery.channel_id = DeliveryStatus.SENDING, SALES
        delivery.sending_at = job_context.now()
    emulator.fail("conversations.history", error="missing_scope")
    assert deliver(job_context, run_id) == RunStatus.FAILED
    assert emulator.uploads() == []
    delivery = _delivery(job_context, run_id)
    assert delivery.status == DeliveryStatus.FAILED and "could not confirm" in delivery.last_error


def test_rate_limit_is_retried_after_retry_after_for_that_destination_only(job_context, recording_enqueue,
                                                                           emulator):
    run_id = _generated(job_context, recording_enqueue, (TO_SALES, TO_BOB))
    emulator.fail("conversations.open", status=429, retry_after=120)
    before, started = job_context.now(), time.monotonic()
    with pytest.raises(TransientDeliveryError) as raised:
        deliver(job_context, run_id, only_due=True)
    assert time.monotonic() - started < 10  # a long pause is not slept out in the worker thread
    bob = _delivery(job_context, run_id, "slack_user:U0BOB0001")
    assert bob.status == DeliveryStatus.PENDING and bob.next_attempt_at >= before + dt.timedelta(seconds=120)
    assert "Slack asked the app to slow down" in bob.last_error
    assert raised.value.retry_in_ms >= 119_000
    assert _delivery(job_context, run_id).status == DeliveryStatus.SENT
    # the actor's next message arrives early: nothing is due yet, nothing is sent
    with pytest.raises(TransientDeliveryError):
        deliver(job_context, run_id, only_due=True)
    assert len(emulator.uploads()) == 1
    job_context.now.jump_to(bob.next_attempt_at + dt.timedelta(seconds=1))
    assert deliver(job_context, run_id, only_due=True) == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1 and len(emulator.uploads()) == 2


def test_short_rate_limit_pause_is_waited_out_in_place(job_context, recording_enqueue, emulator):
    run_id = _generated(job_context, recording_enqueue)
    emulator.fail("files.getUploadURLExternal", status=429, retry_after=1, times=1)
    started = time.monotonic()
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    assert time.monotonic() - started >= 1  # Retry-After honoured
    assert [c.status for c in emulator.calls("files.getUploadURLExternal")] == [429, 200]


@pytest.mark.parametrize(("retry_after", "waits_in_place"), [
    (["3"], True), (["5"], True), (["6"], False), (["120"], False), (None, True), (["1.5"], False), (["-2"], False),
    (["soon"], False),
])
def test_only_a_short_whole_second_retry_after_is_waited_out_in_place(retry_after, waits_in_place):
    """Anything else reaches the delivery as a 429 (rescheduled there), never as a parsing error."""
    from slack_sdk.http_retry.request import HttpRequest
    from slack_sdk.http_retry.response import HttpResponse
    from slack_sdk.http_retry.state import RetryState

    from jobs.pacing import BriefRateLimitRetryHandler

    headers = {"Retry-After": retry_after} if retry_after else {}
    response = HttpResponse(status_code=429, headers=headers)
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})
    assert BriefRateLimitRetryHandler().can_retry(state=RetryState(), request=request, response=response) \
        is waits_in_place


def test_server_error_while_posting_is_checked_before_posting_again(job_context, recording_enqueue, emulator):
    run_id = _generated(job_context, recording_enqueue)
    emulator.fail("files.completeUploadExternal", status=500)
    with pytest.raises(TransientDeliveryError):
        deliver(job_context, run_id)
    delivery = _delivery(job_context, run_id)
    assert delivery.status == DeliveryStatus.SENDING  # Slack may have posted: look before re-posting
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    assert len(emulator.calls("conversations.history")) == 1
    assert len(emulator.uploads(SALES)) == 1


@pytest.mark.parametrize("setup, code", [
    (lambda emu: None, "channel_not_found"),
    (lambda emu: emu.add_channel("C0GONE001", "old", is_archived=True), "invalid_channel"),
    (lambda emu: (emu.add_channel("C0GONE001", "quiet", bot_is_member=False), emu.set_bot_scopes(
        ["files:write", "chat:write", "im:write", "users:read", "users:read.email", "channels:history"])),
     "not_in_channel"),
    (lambda emu: emu.fail("*", error="invalid_auth", times=None), "invalid_auth"),
    (lambda emu: emu.fail("*", error="account_inactive", times=None), "account_inactive"),
])
def test_permanent_slack_errors_are_not_retried(job_context, recording_enqueue, emulator, setup, code):
    gone = NewDestination(DestinationKind.SLACK_CHANNEL, "C0GONE001", "#gone")
    run_id = _generated(job_context, recording_enqueue, (gone,))
    setup(emulator)
    assert deliver(job_context, run_id) == RunStatus.FAILED
    delivery = _delivery(job_context, run_id, "slack_channel:C0GONE001")
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert code in delivery.last_error
    assert len(emulator.calls("files.completeUploadExternal")) <= 1
    run = load_run(job_context, run_id)
    assert "#gone (C0GONE001)" in run.error and code in run.error


def test_a_destination_is_given_up_after_the_attempt_limit(database, tmp_path, emulator, recording_enqueue):
    from tests.conftest import make_context

    ctx = make_context(database, tmp_path, emulator, delivery_max_attempts=2, delivery_backoff_base=0)
    run_id = _generated(ctx, recording_enqueue)
    emulator.fail("files.getUploadURLExternal", status=503, times=None)
    with pytest.raises(TransientDeliveryError):
        deliver(ctx, run_id)
    assert deliver(ctx, run_id) == RunStatus.FAILED
    delivery = _delivery(ctx, run_id)
    assert delivery.attempts == 2 and delivery.last_error.startswith("gave up after 2 attempts")


def test_a_worker_that_lost_its_lease_does_not_send(job_context, recording_enqueue, emulator):
    run_id = _generated(job_context, recording_enqueue)
    with job_context.database.session() as s:
        [delivery] = delivery_repo.ensure_deliveries(s, run_id, ["slack_channel:C0SALES01"])
        run = s.get(run_repo.Run, run_id)
        run.lease_token, run.lease_until = "someone-else", job_context.now() + dt.timedelta(minutes=5)
        delivery_id = delivery.id
    with job_context.database.session() as s:
        assert not delivery_repo.mark_sending(s, delivery_id, run_id=run_id, token="stale-worker",
                                              now=job_context.now())
    assert deliver(job_context, run_id) == "not-taken"
    assert emulator.uploads() == []


@pytest.mark.parametrize("attempts, retry_after, low, high", [
    (1, None, 5, 10), (2, None, 10, 20), (3, None, 20, 40), (10, None, 450, 900), (1, 120, 120, 120),
    (4, 30, 40, 80),
])
def test_backoff_doubles_with_jitter_and_never_undercuts_retry_after(attempts, retry_after, low, high):
    rng = random.Random(attempts)
    delays = [backoff_seconds(attempts, base=10, cap=900, retry_after=retry_after, rng=rng) for _ in range(200)]
    assert low <= min(delays) and max(delays) <= high
    if retry_after is None:
        assert len({round(d, 3) for d in delays}) > 100  # spread out, no thundering herd
