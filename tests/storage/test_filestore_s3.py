"""The S3 store's own promises: chosen by ARTIFACT_STORE_URL, server-side encryption asked for on
every write, clear errors, and signed requests that never follow a redirect to another host."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from storage.filestore import StoreConfigError, StoreUnavailable
from storage.filestore.s3 import MIN_PART_SIZE, S3Bucket, sse_arguments
from storage.filestore.settings import FileStoreSettings, build_store
from tests.s3_support import s3_store


def test_the_url_chooses_the_store_and_the_aws_variables_the_endpoint(s3_server, s3_bucket, tmp_path):
    env = {"ARTIFACT_STORE_URL": f"s3://{s3_bucket}/reports/prod", "ARTIFACT_DIR": str(tmp_path / "unused"),
           **s3_server.env()}
    store = build_store(FileStoreSettings.from_env(env))
    assert store.describe() == f"s3://{s3_bucket}/reports/prod/"
    store.write_bytes("runs/1/a.csv", b"a,b\n")
    assert s3_server.client().get_object(Bucket=s3_bucket, Key="reports/prod/runs/1/a.csv")["Body"].read() == b"a,b\n"
    assert not (tmp_path / "unused").exists()
    local = build_store(FileStoreSettings.from_env({"ARTIFACT_DIR": str(tmp_path / "here")}))
    assert local.root == tmp_path / "here"


@pytest.mark.parametrize("url", ["https://bucket/prefix", "s3://", "s3://AKIA:secret@bucket/x", "s3://bucket/x?a=1",
                                 "bucket/prefix"])
def test_a_url_that_is_not_a_bucket_is_refused_with_the_form_it_takes(url):
    with pytest.raises(StoreConfigError, match=r"s3://bucket/prefix"):
        build_store(FileStoreSettings.from_env({"ARTIFACT_STORE_URL": url}))


@pytest.mark.parametrize("mode, key_id, expected", [
    ("SSE-S3", None, {"ServerSideEncryption": "AES256"}),
    ("aws:kms", None, {"ServerSideEncryption": "aws:kms"}),
    ("aws:kms", "alias/reportbot", {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/reportbot"}),
    ("none", None, {}),
    (None, None, {}),
])
def test_server_side_encryption_settings(mode, key_id, expected):
    assert sse_arguments(mode, key_id) == expected


@pytest.mark.parametrize("mode, key_id", [("AES-512", None), ("SSE-S3", "alias/x"), (None, "alias/x")])
def test_inconsistent_server_side_encryption_settings_are_refused(mode, key_id):
    with pytest.raises(StoreConfigError, match="ARTIFACT_S3_SSE"):
        sse_arguments(mode, key_id)


@pytest.mark.parametrize("mode", ["SSE-S3", "aws:kms"])
def test_every_write_asks_for_server_side_encryption(s3_server, s3_bucket, mode):
    kms_key = None
    if mode == "aws:kms":
        import boto3

        kms_key = boto3.client("kms", endpoint_url=s3_server.endpoint).create_key()["KeyMetadata"]["KeyId"]
    store = s3_store(s3_server, s3_bucket, sse=sse_arguments(mode, kms_key))
    store.write_bytes("runs/1/small.csv", b"a")
    with store.open_for_write("runs/1/large.csv") as out:  # the multipart path asks too
        out.write(b"x" * (MIN_PART_SIZE + 1))
    for name in ("small.csv", "large.csv"):
        head = s3_server.client().head_object(Bucket=s3_bucket, Key=f"reportbot/runs/1/{name}")
        assert head["ServerSideEncryption"] == ("AES256" if mode == "SSE-S3" else "aws:kms")
        if kms_key:
            assert head["SSEKMSKeyId"].endswith(kms_key)


def test_a_missing_bucket_is_a_clear_error(s3_server, s3_bucket):
    store = s3_store(s3_server, "reportbot-no-such-bucket")
    with pytest.raises(StoreUnavailable, match="NoSuchBucket"):
        store.write_bytes("runs/1/a.csv", b"a")
    with pytest.raises(StoreUnavailable, match="reportbot-no-such-bucket"):
        list(store.run_files())


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with the redirect it was given; records who asked what."""

    redirect: tuple[int, dict[str, str], bytes] = (404, {}, b"")
    seen: list[tuple[str, str, bool]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.seen.append((self.command, self.path, "Authorization" in self.headers))
        status, headers, body = self.redirect
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


def _serve(host: str, redirect, seen: list) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (_Recorder,), {"redirect": redirect, "seen": seen})
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def elsewhere() -> Iterator[tuple[str, list]]:
    """Another host on loopback (127.0.0.2) that a hostile endpoint redirects to."""
    seen: list = []
    server = _serve("127.0.0.2", (200, {}, b"stolen"), seen)
    yield f"http://127.0.0.2:{server.server_address[1]}", seen
    server.shutdown()


@pytest.mark.parametrize("kind", ["307", "301 PermanentRedirect", "302"])
def test_signed_requests_never_follow_a_redirect_to_another_host(elsewhere, monkeypatch, kind):
    other, other_seen = elsewhere
    if kind == "301 PermanentRedirect":  # S3's wrong-region answer, naming another endpoint and region
        body = (b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>PermanentRedirect</Code><Message>use the other"
                b"</Message><Endpoint>" + other.split("//")[1].encode()
                + b"</Endpoint><Bucket>reports</Bucket></Error>")
        redirect = (301, {"Location": other + "/reports/x", "x-amz-bucket-region": "eu-west-1"}, body)
    else:
        redirect = (int(kind), {"Location": other + "/reports/x"}, b"")
    seen: list = []
    hostile = _serve("127.0.0.1", redirect, seen)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA-TEST-NOT-REAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-not-real")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        store = s3_store_at(f"http://127.0.0.1:{hostile.server_address[1]}")
        for attempt in (lambda: store.write_bytes("runs/1/a.csv", b"secret"), lambda: store.read_bytes("runs/1/a.csv"),
                        lambda: store.delete("runs/1/a.csv")):
            with pytest.raises(StoreUnavailable):
                attempt()
    finally:
        hostile.shutdown()
    assert seen and all(signed for _, _, signed in seen)  # the configured endpoint got signed requests…
    assert other_seen == []  # …and the other host nothing at all


def s3_store_at(endpoint: str):
    from storage.filestore import ArtifactStore

    return ArtifactStore(S3Bucket("reports", endpoint_url=endpoint))
