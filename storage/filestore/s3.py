"""Files in an S3-compatible bucket (`ARTIFACT_STORE_URL=s3://bucket/prefix`), through boto3.

Endpoint and credentials come from the usual AWS variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION, profiles, instance roles): boto3 reads them.

- Writes stream: up to one part (8 MiB) is buffered, then sent as a part of a multipart upload.
  The object appears only when the upload completes, which S3 does atomically; on an error the
  upload is aborted, so no half-written object is ever visible under its key. A file smaller than
  a part goes in one PutObject, just as atomic.
- Reads stream from GetObject's body.
- A file's written time (the context clock's) is kept in the object's metadata (`written-at`),
  because the bucket's own LastModified is the server's clock, not the one runs are stamped with.
- Server-side encryption (SSE-S3 or SSE-KMS with a key id) is asked for on every write when set.
- botocore never follows an HTTP redirect (its urllib3 calls pass `retries=Retry(False)`), and
  its S3 region redirect re-resolves the endpoint from the client's own configuration rather than
  from the response's Location, so signed requests only go to the configured endpoint (or AWS's
  own regional S3 endpoint when none is configured). tests/storage/test_filestore_s3.py checks it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from storage.filestore.errors import ArtifactMissing, StoreConfigError, StoreUnavailable

PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's floor for every part but the last
WRITTEN_AT = "written-at"
MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
SSE_CHOICES = {"sse-s3": "AES256", "aes256": "AES256", "aws:kms": "aws:kms", "sse-kms": "aws:kms"}


def sse_arguments(mode: str | None, kms_key_id: str | None) -> dict[str, str]:
    """Turn ARTIFACT_S3_SSE / ARTIFACT_S3_SSE_KMS_KEY_ID into the arguments of every write."""
    if not mode or mode.strip().lower() == "none":
        if kms_key_id:
            raise StoreConfigError("ARTIFACT_S3_SSE_KMS_KEY_ID is set but ARTIFACT_S3_SSE is not 'aws:kms'")
        return {}
    algorithm = SSE_CHOICES.get(mode.strip().lower())
    if algorithm is None:
        raise StoreConfigError(f"ARTIFACT_S3_SSE must be SSE-S3, aws:kms or none, not {mode!r}")
    if algorithm != "aws:kms" and kms_key_id:
        raise StoreConfigError("ARTIFACT_S3_SSE_KMS_KEY_ID needs ARTIFACT_S3_SSE=aws:kms")
    arguments = {"ServerSideEncryption": algorithm}
    if kms_key_id:
        arguments["SSEKMSKeyId"] = kms_key_id
    return arguments


class S3Bucket:
    """Keys live under `prefix` in `bucket`; the client is boto3's, built once (it is thread-safe)."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 sse: dict[str, str] | None = None, part_size: int = PART_SIZE, client=None) -> None:
        if part_size < MIN_PART_SIZE:
            raise StoreConfigError(f"an S3 part must be at least {MIN_PART_SIZE} bytes")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.part_size = part_size
        self.sse = dict(sse or {})
        self.client = client or _client(endpoint_url)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _name(self, key: str) -> str:
        return self.prefix + key

    @contextmanager
    def writer(self, key: str, written: dt.datetime) -> Iterator[BinaryIO]:
        upload = _Upload(self, self._name(key), {WRITTEN_AT: written.astimezone(dt.UTC).isoformat()})
        try:
            yield upload
            with self._errors(key):
                upload.complete()
        except BaseException:
            upload.abort()
            raise

    def open(self, key: str) -> BinaryIO:
        with self._errors(key):
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        return _BodyReader(response["Body"], self, key)

    def delete(self, key: str) -> None:
        with self._errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def written_at(self, key: str) -> dt.datetime | None:
        head = self._head(key)
        if head is None:
            return None
        stamp = (head.get("Metadata") or {}).get(WRITTEN_AT)
        try:
            return dt.datetime.fromisoformat(stamp)
        except (TypeError, ValueError):  # written by something else: the server's time is all there is
            return head["LastModified"]

    def _head(self, key: str) -> dict | None:
        try:
            with self._errors(key):
                return self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ArtifactMissing:
            return None

    def list_keys(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._name(prefix))
        with self._errors(prefix):
            for page in pages:
                for item in page.get("Contents") or []:
                    yield item["Key"][len(self.prefix):]

    def local_path(self, key: str) -> Path | None:
        return None

    def remove_abandoned_writes(self, now: dt.datetime, older_than: dt.timedelta) -> int:
        """Leave unfinished uploads to the bucket's lifecycle rule (AbortIncompleteMultipartUpload).

        S3 ages them correctly on its own clock; listing them here would have to trust `Initiated`,
        which S3-compatible servers do not all report truthfully (moto answers a fixed date in 2010),
        and aborting a live upload would fail a report that is being written.
        """
        return 0

    @contextmanager
    def _errors(self, key: str) -> Iterator[None]:
        """Turn boto's exceptions into the store's, with what a person needs to act on them."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error") or {}
            code = str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "")
            if code in MISSING_CODES:
                raise ArtifactMissing(f"no file {key!r} in {self.describe()}") from None
            raise StoreUnavailable(f"the object store refused {exc.operation_name} on {key!r} in {self.describe()}: "
                                   f"{code} {error.get('Message') or ''}".strip()) from None
        except BotoCoreError as exc:
            raise StoreUnavailable(f"the object store at {self.describe()} could not be reached: "
                                   f"{type(exc).__name__}") from None
        except RecursionError:
            # An endpoint that redirects every request (HeadBucket included) sends botocore's region
            # redirect looking up the bucket's region again and again; it never leaves the endpoint.
            raise StoreUnavailable(f"the object store at {self.describe()} keeps redirecting; check AWS_REGION "
                                   f"and AWS_ENDPOINT_URL") from None


def _client(endpoint_url: str | None):
    """boto3's S3 client with bounded waits; imported here so only processes that use S3 pay for it."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url,
        config=Config(connect_timeout=10, read_timeout=60, retries={"mode": "standard", "max_attempts": 5}))


class _Upload(io.RawIOBase):
    """Collect written bytes into parts; the first full part starts a multipart upload."""

    def __init__(self, bucket: S3Bucket, name: str, metadata: dict[str, str]) -> None:
        super().__init__()
        self._bucket, self._name, self._metadata = bucket, name, metadata
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) >= self._bucket.part_size:
            part = bytes(self._buffer[: self._bucket.part_size])
            del self._buffer[: self._bucket.part_size]
            with self._bucket._errors(self._name):
                self._send(part)
        return len(data)

    def _send(self, part: bytes) -> None:
        client, bucket = self._bucket.client, self._bucket.bucket
        if self._upload_id is None:
            self._upload_id = client.create_multipart_upload(
                Bucket=bucket, Key=self._name, Metadata=self._metadata, ContentType="application/octet-stream",
                **self._bucket.sse)["UploadId"]
        number = len(self._parts) + 1
        answer = client.upload_part(Bucket=bucket, Key=self._name, UploadId=self._upload_id, PartNumber=number,
                                    Body=part)
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"],
                            **{k: v for k, v in answer.items() if k.startswith("Checksum") and k != "ChecksumType"}})

    def complete(self) -> None:
        client, bucket = self._bucket.client, self._bucket.bucket
        if self._upload_id is None:  # smaller than a part: one request, just as atomic
            client.put_object(Bucket=bucket, Key=self._name, Body=bytes(self._buffer), Metadata=self._metadata,
                              ContentType="application/octet-stream", **self._bucket.sse)
        else:
            if self._buffer:
                self._send(bytes(self._buffer))
            client.complete_multipart_upload(Bucket=bucket, Key=self._name, UploadId=self._upload_id,
                                             MultipartUpload={"Parts": self._parts})
        self._buffer = bytearray()

    def abort(self) -> None:
        """Drop the parts sent so far (best effort: a bucket lifecycle rule catches what this misses)."""
        self._buffer = bytearray()
        if self._upload_id is not None:
            try:
                with self._bucket._errors(self._name):
                    self._bucket.client.abort_multipart_upload(Bucket=self._bucket.bucket, Key=self._name,
                                                               UploadId=self._upload_id)
            except StoreUnavailable:
                pass
            self._upload_id = None


class _BodyReader(io.RawIOBase):
    """GetObject's streaming body as a plain binary stream, with the store's errors."""

    def __init__(self, body, bucket: S3Bucket, key: str) -> None:
        super().__init__()
        self._body, self._bucket, self._key = body, bucket, key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        with self._bucket._errors(self._key):
            data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()
