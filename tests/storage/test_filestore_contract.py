"""What every artifact store promises, checked on the local directory and on S3 (moto's server on
loopback), each in the clear and encrypted by the app."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from storage.filestore import ArtifactMissing
from storage.filestore.s3 import MIN_PART_SIZE

BIG = MIN_PART_SIZE * 2 + 12345  # three S3 parts, the last a short one


def _pattern(size: int) -> bytes:
    """Bytes that differ everywhere, so a repeated, dropped or reordered piece changes the hash."""
    block = hashlib.sha256(b"seed").digest() * 2048
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += counter.to_bytes(8, "big") + block[: 4096 - 8]
        counter += 1
    return bytes(out[:size])


def _read_in_chunks(store, key: str, chunk: int = 100_000) -> bytes:
    parts = []
    with store.open_for_read(key) as stream:
        while piece := stream.read(chunk):
            assert len(piece) <= chunk
            parts.append(piece)
    return b"".join(parts)


def test_a_written_file_reads_back_with_its_size_hash_and_time(store, clock):
    stored = store.write_bytes("runs/7/daily-sales.csv", b"date,units\n2026-11-22,4\n")
    assert stored.size == 24 and stored.sha256 == hashlib.sha256(b"date,units\n2026-11-22,4\n").hexdigest()
    assert store.read_bytes("runs/7/daily-sales.csv") == b"date,units\n2026-11-22,4\n"
    assert store.exists("runs/7/daily-sales.csv")
    assert store.written_at("runs/7/daily-sales.csv") == clock.at  # the context's clock, not the server's


def test_an_empty_file_is_a_file(store):
    assert store.write_bytes("runs/1/empty.csv", b"").size == 0
    assert store.read_bytes("runs/1/empty.csv") == b"" and store.exists("runs/1/empty.csv")


def test_a_file_larger_than_an_upload_part_streams_both_ways(store):
    data = _pattern(BIG)
    with store.open_for_write("runs/8/big.csv") as out:
        for start in range(0, len(data), 65_000):  # how a renderer writes: many small pieces
            out.write(data[start:start + 65_000])
    assert out.size == BIG and out.sha256 == hashlib.sha256(data).hexdigest()
    assert _read_in_chunks(store, "runs/8/big.csv") == data
    backend = store.backend
    if hasattr(backend, "client"):  # on S3 it went up as a multipart upload: the ETag counts the parts
        head = backend.client.head_object(Bucket=backend.bucket, Key=backend.prefix + "runs/8/big.csv")
        assert head["ETag"].strip('"').endswith("-3")


@pytest.mark.parametrize("size", [100, BIG])
def test_a_write_that_fails_leaves_nothing_under_the_key(store, size):
    with pytest.raises(RuntimeError):
        with store.open_for_write("runs/9/broken.csv") as out:
            out.write(_pattern(size))
            raise RuntimeError("the renderer crashed")
    assert not store.exists("runs/9/broken.csv")
    with pytest.raises(ArtifactMissing):
        store.open_for_read("runs/9/broken.csv")
    assert list(store.run_files()) == []
    backend = store.backend
    if hasattr(backend, "client"):  # the parts sent so far were dropped, not left to be billed
        assert backend.client.list_multipart_uploads(Bucket=backend.bucket).get("Uploads", []) == []


def test_what_a_killed_writer_leaves_is_invisible_and_removed_once_old(store, clock):
    killed = store.open_for_write("runs/12/killed.csv")
    killed.__enter__().write(_pattern(BIG))  # the worker dies here: on S3, a multipart upload is open
    assert not store.exists("runs/12/killed.csv") and list(store.run_files()) == []
    assert store.remove_abandoned_writes(dt.timedelta(days=1)) == 0  # may still be writing
    if store.root is not None:  # on S3 the bucket's lifecycle rule aborts old uploads (see README)
        clock.at += dt.timedelta(days=2)  # a leftover file ages on the context clock
        assert store.remove_abandoned_writes(dt.timedelta(days=1)) == 1
        assert [p for p in store.root.rglob("*") if p.is_file()] == []
    killed.__exit__(RuntimeError, RuntimeError("worker killed"), None)  # what garbage collection would do
    assert not store.exists("runs/12/killed.csv")


def test_a_file_being_rewritten_stays_readable_until_the_new_one_is_complete(store):
    store.write_bytes("runs/3/report.csv", b"old")
    with store.open_for_write("runs/3/report.csv") as out:
        out.write(_pattern(MIN_PART_SIZE + 10))
        assert store.read_bytes("runs/3/report.csv") == b"old"
    assert store.read_bytes("runs/3/report.csv") == _pattern(MIN_PART_SIZE + 10)


def test_delete_removes_and_a_second_delete_is_fine(store):
    store.write_bytes("runs/4/a.csv", b"a")
    store.delete("runs/4/a.csv")
    store.delete("runs/4/a.csv")
    assert not store.exists("runs/4/a.csv") and store.written_at("runs/4/a.csv") is None
    with pytest.raises(ArtifactMissing):
        store.read_bytes("runs/4/a.csv")


def test_run_files_lists_every_run_file_with_its_time(store, clock):
    store.write_bytes("runs/10/a.csv", b"a")
    clock.at += dt.timedelta(hours=5)
    store.write_bytes("runs/11/b.pdf", b"b")
    store.write_bytes("exports/not-a-run.csv", b"c")
    assert sorted(store.run_files()) == [("10", "runs/10/a.csv"), ("11", "runs/11/b.pdf")]
    assert store.written_at("runs/11/b.pdf") - store.written_at("runs/10/a.csv") == dt.timedelta(hours=5)


def test_local_file_gives_a_path_with_the_content_and_removes_any_copy(store):
    data = _pattern(300_000)
    store.write_bytes("runs/5/chart.png", data)
    with store.local_file("runs/5/chart.png") as path:
        assert path.read_bytes() == data and path.suffix == ".png"
        copy = store.root is None or store.keyring is not None
        if copy:
            assert oct(path.stat().st_mode & 0o777) == "0o600"  # decrypted content: only this user
    assert path.exists() != copy
    with pytest.raises(ArtifactMissing):
        with store.local_file("runs/5/missing.png"):
            pass


@pytest.mark.parametrize("key", ["../outside.csv", "runs/1/../../../etc/passwd", "/etc/passwd", "runs//x.csv",
                                 "runs/1/.hidden", "", "runs/1/a b.csv"])
def test_keys_that_could_name_something_else_are_refused(store, key):
    with pytest.raises(ValueError):
        store.write_bytes(key, b"x")
    with pytest.raises(ValueError):
        store.open_for_read(key)
    with pytest.raises(ValueError):
        store.delete(key)


def test_stored_bytes_are_ciphertext_exactly_when_encryption_is_on(store):
    secret = b"customer,revenue\nACME Secret Corp,1234567\n"
    store.write_bytes("runs/6/secret.csv", secret)
    with store.backend.open("runs/6/secret.csv") as stored:
        raw = stored.read()
    if store.keyring is None:
        assert raw == secret
    else:
        assert b"ACME" not in raw and len(raw) > len(secret)
        assert store.stored_key_id("runs/6/secret.csv") == store.keyring.primary_id
