"""Slack's file upload URL failing (429 with Retry-After, 5xx, unreachable) and absurd Retry-After
values: the delivery is retried no sooner than Slack asked, the owner reads what happened in plain
words, and whatever goes wrong the delivery and its run are left in a state the next attempt can
carry on from (never `sending` with nothing posted, never a run held by nobody)."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.delivery.deliver import TransientDeliveryError, deliver
from jobs.delivery.policy import RETRY_AFTER_CEILING
from jobs.generate import generate
from storage.models import DeliveryStatus, RunStatus
from tests.jobs.delivery_support import due_run, load_run
from tests.support.people import SALES


def _generated(ctx, enqueue) -> int:
    run_id = due_run(ctx, enqueue)
    assert generate(ctx, run_id, enqueue) == "generated"
    return run_id


def _only_delivery(ctx, run_id):
    [delivery] = load_run(ctx, run_id).deliveries
    return delivery


def _assert_handed_back(ctx, run_id, delivery, *, not_before: dt.datetime, not_after: dt.datetime) -> None:
    """The run waits for its retry, held by nobody, with a dispatch deadline the tick can act on."""
    run = load_run(ctx, run_id)
    assert run.status == RunStatus.DELIVERING and run.lease_token is None
    assert delivery.status == DeliveryStatus.PENDING  # nothing reached a channel: no history check needed
    assert not_before <= delivery.next_attempt_at <= not_after
    assert run.lease_until > delivery.next_attempt_at


def test_upload_url_rate_limit_is_retried_after_retry_after_in_plain_words(job_context, recording_enqueue,
                                                                           emulator):
    run_id = _generated(job_context, recording_enqueue)
    emulator.fail("upload", status=429, retry_after=120)
    before = job_context.now()
    with pytest.raises(TransientDeliveryError) as raised:
        deliver(job_context, run_id, only_due=True)
    delivery = _only_delivery(job_context, run_id)
    _assert_handed_back(job_context, run_id, delivery, not_before=before + dt.timedelta(seconds=120),
                        not_after=before + dt.timedelta(seconds=200))
    assert raised.value.retry_in_ms >= 119_000
    assert delivery.last_error.startswith("Slack asked the app to slow down")
    assert "HTTPError" not in delivery.last_error and "could not be reached" not in delivery.last_error
    assert emulator.uploads() == []

    job_context.now.jump_to(delivery.next_attempt_at + dt.timedelta(seconds=1))
    assert deliver(job_context, run_id, only_due=True) == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1
    assert emulator.calls("conversations.history") == []  # nothing was posted the first time


@pytest.mark.parametrize("status", [500, 503])
def test_upload_url_server_error_is_retried_and_described(job_context, recording_enqueue, emulator, status):
    run_id = _generated(job_context, recording_enqueue)
    emulator.fail("upload", status=status)
    before = job_context.now()
    with pytest.raises(TransientDeliveryError):
        deliver(job_context, run_id, only_due=True)
    delivery = _only_delivery(job_context, run_id)
    _assert_handed_back(job_context, run_id, delivery, not_before=before,
                        not_after=before + dt.timedelta(seconds=job_context.settings.delivery_backoff_cap))
    assert delivery.last_error == f"Slack's file upload server had an error (upload_http_{status})"

    job_context.now.jump_to(delivery.next_attempt_at + dt.timedelta(seconds=1))
    assert deliver(job_context, run_id, only_due=True) == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1
    assert emulator.calls("conversations.history") == []


def test_upload_url_server_error_honours_its_retry_after(job_context, recording_enqueue, emulator):
    run_id = _generated(job_context, recording_enqueue)
    emulator.fail("upload", status=503, retry_after=300)
    before = job_context.now()
    with pytest.raises(TransientDeliveryError):
        deliver(job_context, run_id, only_due=True)
    delivery = _only_delivery(job_context, run_id)
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=300)


@pytest.mark.parametrize("method", ["upload", "files.completeUploadExternal", "files.getUploadURLExternal"])
def test_an_absurd_retry_after_waits_a_bounded_time_and_leaves_consistent_state(
        job_context, recording_enqueue, emulator, method):
    """`Retry-After: 10**30` once raised OverflowError and left the delivery `sending`, its run held."""
    run_id = _generated(job_context, recording_enqueue)
    emulator.fail(method, status=429, retry_after=10 ** 30)
    before = job_context.now()
    with pytest.raises(TransientDeliveryError) as raised:
        deliver(job_context, run_id, only_due=True)
    delivery = _only_delivery(job_context, run_id)
    ceiling = dt.timedelta(seconds=RETRY_AFTER_CEILING)
    _assert_handed_back(job_context, run_id, delivery, not_before=before + ceiling,
                        not_after=before + ceiling + dt.timedelta(seconds=5))
    assert raised.value.retry_in_ms <= (RETRY_AFTER_CEILING + 5) * 1000
    assert delivery.last_error.startswith("Slack asked the app to slow down")

    job_context.now.jump_to(delivery.next_attempt_at + dt.timedelta(seconds=1))
    assert deliver(job_context, run_id, only_due=True) == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1


def test_an_absurd_retry_after_on_a_server_error_while_posting_stays_checkable(job_context, recording_enqueue,
                                                                              emulator):
    """A 5xx on the posting call may have posted: the delivery stays `sending` for the history check,
    and its retry time is still bounded."""
    run_id = _generated(job_context, recording_enqueue)
    emulator.fail("files.completeUploadExternal", status=500, retry_after=10 ** 30)
    before = job_context.now()
    with pytest.raises(TransientDeliveryError):
        deliver(job_context, run_id, only_due=True)
    delivery = _only_delivery(job_context, run_id)
    assert delivery.status == DeliveryStatus.SENDING
    assert delivery.next_attempt_at <= before + dt.timedelta(seconds=RETRY_AFTER_CEILING + 5)
    assert load_run(job_context, run_id).lease_token is None
    job_context.now.jump_to(delivery.next_attempt_at + dt.timedelta(seconds=1))
    assert deliver(job_context, run_id, only_due=True) == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1


def test_an_unexpected_error_leaves_the_delivery_retryable_not_sending(job_context, recording_enqueue,
                                                                       emulator, monkeypatch):
    """An unexpected error while preparing a post (here: the file store breaks in a way it does not
    know) is recorded against the destination; the run is handed back, not left held. (A file the
    store no longer keeps is a plain failure instead: tests/jobs/test_deliver_store.py.)"""
    run_id = _generated(job_context, recording_enqueue)
    store = job_context.artifacts
    working = store.local_file

    def broken(key):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(store, "local_file", broken)
    with pytest.raises(TransientDeliveryError):
        deliver(job_context, run_id, only_due=True)
    delivery = _only_delivery(job_context, run_id)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "error id" in delivery.last_error
    assert load_run(job_context, run_id).lease_token is None
    assert emulator.uploads() == []
    monkeypatch.setattr(store, "local_file", working)  # the store works again
    job_context.now.jump_to(delivery.next_attempt_at + dt.timedelta(seconds=1))
    assert deliver(job_context, run_id, only_due=True) == RunStatus.DELIVERED
