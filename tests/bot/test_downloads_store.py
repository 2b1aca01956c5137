"""Email download links on every kind of store: the file streams out of S3 or out of an encrypted
directory, larger than a read chunk; a file that does not decrypt is refused, never sent."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from storage.filestore.crypto import HEADER
from storage.filestore.s3 import MIN_PART_SIZE
from storage.models import Artifact, AuditEvent
from tests.bot.test_downloads import _emailed, _get, web  # noqa: F401  (web: the WSGI app under waitress)
from tests.conftest import make_context
from tests.jobs.delivery_support import load_run
from tests.s3_support import store_of_kind


@pytest.fixture(params=["s3", "s3-encrypted", "local-encrypted"])
def job_context(request, database, tmp_path, emulator):
    return make_context(database, tmp_path, emulator, artifacts=store_of_kind(request.param, request, tmp_path))


def _replace_file(ctx, run_id: int, data: bytes) -> Artifact:
    """Put a larger file under the run's artifact key, as a big report would have written."""
    artifact = load_run(ctx, run_id).artifacts[0]
    with ctx.artifacts.open_for_write(artifact.storage_key) as out:
        for start in range(0, len(data), 1 << 16):
            out.write(data[start:start + (1 << 16)])
    with ctx.database.session() as s:
        row = s.get(Artifact, artifact.id)
        row.size, row.sha256 = out.size, out.sha256
    return artifact


def test_a_large_file_streams_out_of_the_store_behind_the_link(job_context, recording_enqueue, web):  # noqa: F811
    base, smtp, _ = web
    run_id, [url], _ = _emailed(job_context, recording_enqueue, smtp)
    data = hashlib.sha256(b"x").digest() * ((MIN_PART_SIZE + 300_000) // 32)  # several S3 parts and read chunks
    _replace_file(job_context, run_id, data)
    status, headers, body = _get(url)
    assert status == 200 and int(headers["Content-Length"]) == len(data) and body == data


@pytest.mark.parametrize("job_context", ["s3-encrypted", "local-encrypted"], indirect=True)
def test_a_file_that_does_not_decrypt_is_refused_not_served(job_context, recording_enqueue, web, caplog):  # noqa: F811
    base, smtp, _ = web
    run_id, [url], _ = _emailed(job_context, recording_enqueue, smtp)
    artifact = load_run(job_context, run_id).artifacts[0]
    with job_context.artifacts.backend.open(artifact.storage_key) as stored:
        raw = bytearray(stored.read())
    raw[HEADER.size + 3] ^= 0x40  # one bit of the first chunk
    with job_context.artifacts.backend.writer(artifact.storage_key, job_context.now()) as sink:
        sink.write(bytes(raw))
    status, _, body = _get(url)
    assert status == 503 and b"cannot be read" in body and b"date" not in body
    assert "has been altered" in caplog.text
    with job_context.database.session() as s:  # nothing was handed out, so no download is recorded
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all() == []
