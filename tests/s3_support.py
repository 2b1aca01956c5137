"""A real S3 API on loopback for the tests: moto's standalone server in a process of its own.

`s3_server` (one per session) starts it; `s3_bucket` gives each test a fresh, empty bucket. The
credentials are obviously fake: moto accepts any.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.network import free_port

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIA-TEST-NOT-REAL",
    "AWS_SECRET_ACCESS_KEY": "test-secret-not-real",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def env(self) -> dict[str, str]:
        """What a reportbot process needs in its environment to use this server."""
        return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def client(self):
        import boto3

        return boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=FAKE_CREDENTIALS["AWS_REGION"],
        ).client("s3", endpoint_url=self.endpoint)

    def new_bucket(self) -> str:
        name = f"reportbot-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1, for the whole session."""
    port = free_port()
    env = {**os.environ, **FAKE_CREDENTIALS}
    log = tmp_path_factory.mktemp("moto") / "server.log"  # it logs every request: a pipe would fill up
    with open(log, "w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   env=env, stdout=sink, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 60
    while True:
        try:
            opener.open(f"{endpoint}/moto-api/", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("moto's S3 server did not start:\n" + log.read_text()[-2000:])
            time.sleep(0.2)
    try:
        yield S3Server(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def s3_bucket(s3_server, monkeypatch) -> str:
    """A fresh bucket; this process's boto3 finds the server and credentials in the environment."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server.new_bucket()


def s3_store(server: S3Server, bucket: str, *, prefix: str = "reportbot", keyring=None, clock=None, **options):
    """An ArtifactStore on the test server's bucket, with S3's smallest part size so that a few
    MiB already take the multipart path."""
    from storage.filestore import ArtifactStore
    from storage.filestore.s3 import MIN_PART_SIZE, S3Bucket

    backend = S3Bucket(bucket, prefix, endpoint_url=server.endpoint, part_size=MIN_PART_SIZE, **options)
    return ArtifactStore(backend, keyring=keyring, **({"clock": clock} if clock else {}))


STORE_KINDS = ["local", "local-encrypted", "s3", "s3-encrypted"]


def store_of_kind(kind: str, request, tmp_path, *, clock=None):
    """A fresh store of one of STORE_KINDS (S3 ones on a fresh bucket of the session's server)."""
    from storage.filestore import ArtifactStore
    from storage.filestore.crypto import Keyring, new_key

    keyring = Keyring.from_setting(new_key()) if kind.endswith("-encrypted") else None
    if kind.startswith("s3"):
        return s3_store(request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket"), keyring=keyring,
                        clock=clock)
    return ArtifactStore(tmp_path / "artifacts", keyring=keyring, **({"clock": clock} if clock else {}))
