"""Where artifacts are kept and how, read once from the environment.

    ARTIFACT_STORE_URL            s3://bucket/prefix for an S3-compatible object store; unset: ARTIFACT_DIR
    ARTIFACT_DIR                  the local directory (the embedded default)
    ARTIFACT_ENCRYPTION_KEYS      app-level encryption keys, comma-separated: the first encrypts, all decrypt
    ARTIFACT_S3_SSE               server-side encryption on S3: SSE-S3, aws:kms or none
    ARTIFACT_S3_SSE_KMS_KEY_ID    the KMS key for aws:kms (the bucket's default KMS key when unset)
    AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL   an S3-compatible endpoint other than AWS's (boto3's own variables)
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from storage.clock import Clock, wall_clock
from storage.filestore.crypto import Keyring
from storage.filestore.errors import StoreConfigError
from storage.filestore.s3 import S3Bucket, sse_arguments
from storage.filestore.store import ArtifactStore

DEFAULT_ARTIFACT_DIR = "reportbot-data/artifacts"


@dataclass(frozen=True)
class FileStoreSettings:
    store_url: str | None
    artifact_dir: Path
    keyring: Keyring | None = field(default=None, repr=False)  # secrets: never in a repr or a log
    s3_sse: dict[str, str] = field(default_factory=dict)
    endpoint_url: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> FileStoreSettings:
        env = dict(os.environ if env is None else env)
        return cls(
            store_url=(env.get("ARTIFACT_STORE_URL") or "").strip() or None,
            artifact_dir=Path(env.get("ARTIFACT_DIR") or DEFAULT_ARTIFACT_DIR),
            keyring=Keyring.from_setting(env.get("ARTIFACT_ENCRYPTION_KEYS")),
            s3_sse=sse_arguments(env.get("ARTIFACT_S3_SSE"), (env.get("ARTIFACT_S3_SSE_KMS_KEY_ID") or "").strip()),
            endpoint_url=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None,
        )


def build_store(settings: FileStoreSettings, *, clock: Clock = wall_clock) -> ArtifactStore:
    """The store the settings describe (raise StoreConfigError with the fix when they are wrong)."""
    url = settings.store_url
    if url is None:
        return ArtifactStore(settings.artifact_dir, keyring=settings.keyring, clock=clock)
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file" and not parsed.netloc:
        return ArtifactStore(Path(parsed.path), keyring=settings.keyring, clock=clock)
    if parsed.scheme != "s3" or not parsed.netloc or parsed.query or parsed.fragment or "@" in parsed.netloc:
        raise StoreConfigError("ARTIFACT_STORE_URL must look like s3://bucket/prefix (credentials come from the "
                               "AWS variables, never the URL), or be unset for the local ARTIFACT_DIR")
    bucket = S3Bucket(parsed.netloc, parsed.path, endpoint_url=settings.endpoint_url, sse=settings.s3_sse)
    return ArtifactStore(bucket, keyring=settings.keyring, clock=clock)


def store_from_env(env: dict[str, str] | None = None, *, clock: Clock = wall_clock) -> ArtifactStore:
    """Build the artifact store from the environment."""
    return build_store(FileStoreSettings.from_env(env), clock=clock)
