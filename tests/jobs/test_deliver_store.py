"""Delivery reads files from whichever store holds them: Slack and email get the content as it was
written (decrypted, out of S3), no temporary copy is left behind, and files that are gone, do not
decrypt or cannot be fetched fail the destination with a reason instead of a traceback."""

from __future__ import annotations

import hashlib

import pytest

from jobs.delivery.deliver import TransientDeliveryError, deliver
from jobs.generate import generate
from storage.filestore import ArtifactStore
from storage.filestore.crypto import Keyring, new_key
from storage.filestore.s3 import S3Bucket
from storage.models import RunStatus
from tests.conftest import make_context
from tests.jobs.delivery_support import SmtpServer, due_run, load_run, with_email
from tests.s3_support import store_of_kind
from tests.support.people import SALES, TO_CLIENT, TO_SALES


@pytest.fixture(params=["s3-encrypted", "local-encrypted"])
def ctx(request, database, tmp_path, emulator):
    store = store_of_kind(request.param, request, tmp_path)
    store.spool_dir = tmp_path / "spool"
    store.spool_dir.mkdir()
    return make_context(database, tmp_path, emulator, artifacts=store)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _generated(ctx, enqueue, destinations, **kwargs) -> int:
    run_id = due_run(ctx, enqueue, destinations=destinations, **kwargs)
    assert generate(ctx, run_id, enqueue) == "generated"
    return run_id


def test_slack_gets_the_files_as_written_and_no_copy_is_left(ctx, recording_enqueue, emulator):
    run_id = _generated(ctx, recording_enqueue, [TO_SALES], formats=("csv", "xlsx"))
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    written = {a.filename: a.sha256 for a in load_run(ctx, run_id).artifacts}
    uploaded = {u.filename: hashlib.sha256(u.content).hexdigest() for u in emulator.uploads(SALES)}
    assert uploaded == written
    assert list(ctx.artifacts.spool_dir.iterdir()) == []


def test_email_attachments_are_the_files_as_written(ctx, recording_enqueue, smtp):
    with_email(ctx, smtp)
    run_id = _generated(ctx, recording_enqueue, [TO_CLIENT], formats=("csv", "xlsx"))
    assert deliver(ctx, run_id) == RunStatus.DELIVERED
    written = {a.filename: a.sha256 for a in load_run(ctx, run_id).artifacts}
    message = smtp.messages_to("client@example.com")[0].message
    attached = {p.get_filename(): hashlib.sha256(p.get_payload(decode=True)).hexdigest()
                for p in message.iter_attachments() if p.get_content_disposition() == "attachment"}
    assert attached == written


def test_files_removed_before_delivery_fail_the_destination_with_a_reason(ctx, recording_enqueue, emulator):
    run_id = _generated(ctx, recording_enqueue, [TO_SALES])
    for artifact in load_run(ctx, run_id).artifacts:
        ctx.artifacts.delete(artifact.storage_key)
    assert deliver(ctx, run_id) == RunStatus.FAILED
    run = load_run(ctx, run_id)
    assert "no longer kept" in run.deliveries[0].last_error and "run the report again" in run.error
    assert emulator.uploads(SALES) == []


def test_files_under_a_key_this_server_lacks_fail_without_sending_anything(ctx, recording_enqueue, emulator):
    run_id = _generated(ctx, recording_enqueue, [TO_SALES])
    ctx.artifacts.keyring = Keyring.from_setting(new_key())  # the keys were changed without a rekey
    assert deliver(ctx, run_id) == RunStatus.FAILED
    assert "could not be read back" in load_run(ctx, run_id).deliveries[0].last_error
    assert emulator.uploads(SALES) == [] and emulator.messages(SALES) == []


def test_an_unreachable_store_is_retried_later(ctx, recording_enqueue, emulator):
    import boto3
    from botocore.config import Config

    run_id = _generated(ctx, recording_enqueue, [TO_SALES])
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    client = boto3.client("s3", endpoint_url=dead, config=Config(retries={"max_attempts": 1}, connect_timeout=2))
    ctx.artifacts = ArtifactStore(S3Bucket("gone", endpoint_url=dead, client=client), keyring=ctx.artifacts.keyring)
    with pytest.raises(TransientDeliveryError):
        deliver(ctx, run_id)
    delivery = load_run(ctx, run_id).deliveries[0]
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert "could not be fetched from the file store" in delivery.last_error
