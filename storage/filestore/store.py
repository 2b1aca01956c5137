"""The artifact store the app talks to: one backend (a local directory or an S3 bucket), optional
app-level encryption, a clock, and the rules for keys.

Everything streams: renderers write through `open_for_write(key)`, readers get a stream from
`open_for_read(key)`, and `local_file(key)` hands out a path (the file itself in a plain local
directory, else a private temporary copy) for clients that want one (Slack's upload).
`read_bytes` is for files whose size is already bounded (email attachments, under EMAIL_MAX_MB).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from storage.clock import Clock, wall_clock
from storage.filestore.backend import FileBackend
from storage.filestore.crypto import (
    MAGIC,
    DecryptingReader,
    EncryptingWriter,
    Keyring,
    is_encrypted,
)
from storage.filestore.errors import UnreadableArtifact
from storage.filestore.hashing import HashingWriter
from storage.filestore.local import LocalDirectory

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
RUNS = "runs/"
COPY_CHUNK = 256 * 1024


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class ArtifactStore:
    """Keys are relative paths like `runs/42/daily-sales.csv`.

    `ArtifactStore(path)` is the plain local directory, as before; pass a backend (`S3Bucket`) and
    a `Keyring` for the rest (`storage.filestore.settings.store_from_env` builds it from settings).
    """

    def __init__(self, backend: FileBackend | Path | str, *, keyring: Keyring | None = None,
                 clock: Clock = wall_clock, spool_dir: Path | str | None = None) -> None:
        self.backend: FileBackend = LocalDirectory(backend) if isinstance(backend, (Path, str)) else backend
        self.keyring = keyring
        self.clock = clock  # replaceable, like Database.clock
        self.spool_dir = spool_dir  # where decrypted or downloaded copies for local_file() go

    @property
    def root(self) -> Path | None:
        """The local directory, when that is where the files are."""
        return getattr(self.backend, "root", None)

    def describe(self) -> str:
        return self.backend.describe() + (" (encrypted)" if self.keyring else "")

    @staticmethod
    def key_for(run_id: int, filename: str) -> str:
        return f"{RUNS}{run_id}/{safe_filename(filename)}"

    @contextmanager
    def open_for_write(self, key: str, *, written: dt.datetime | None = None) -> Iterator[HashingWriter]:
        """Yield a writer; on success the file appears under `key`, on error nothing does.

        `written` keeps an older file's time when it is rewritten (re-encryption).
        """
        with self.backend.writer(_checked(key), written or self.clock()) as sink:
            if self.keyring is None:
                yield HashingWriter(sink)
            else:
                encrypting = EncryptingWriter(sink, self.keyring)
                yield HashingWriter(encrypting)
                encrypting.finish()

    def write_bytes(self, key: str, data: bytes) -> StoredFile:
        with self.open_for_write(key) as writer:
            writer.write(data)
        return StoredFile(key, writer.size, writer.sha256)

    def open_for_read(self, key: str) -> BinaryIO:
        """Return a stream of the file as written (raise ArtifactMissing, UnreadableArtifact, or
        StoreUnavailable with a message saying which file and why)."""
        stored = self.backend.open(_checked(key))
        if self.keyring is not None:
            return DecryptingReader(stored, self.keyring, key)
        buffered = stored if hasattr(stored, "peek") else io.BufferedReader(stored, COPY_CHUNK)
        try:
            _refuse_ciphertext(buffered.peek(len(MAGIC)), key)
        except BaseException:
            buffered.close()
            raise
        return buffered

    def read_bytes(self, key: str) -> bytes:
        """The whole file in memory: only for files whose size is bounded already."""
        with self.open_for_read(key) as stream:
            return stream.read()

    @contextmanager
    def local_file(self, key: str) -> Iterator[Path]:
        """Yield a path holding the file's content, removed afterwards if it was a copy."""
        direct = self.backend.local_path(_checked(key)) if self.keyring is None else None
        if direct is not None:
            self.open_for_read(key).close()  # the same checks as a read
            yield direct
            return
        suffix = Path(key).suffix
        with self.open_for_read(key) as source, tempfile.NamedTemporaryFile(
                prefix="reportbot-artifact-", suffix=suffix, dir=self.spool_dir) as copy:  # mode 0600
            shutil.copyfileobj(source, copy, COPY_CHUNK)
            copy.flush()
            yield Path(copy.name)

    def exists(self, key: str) -> bool:
        return self.backend.exists(_checked(key))

    def delete(self, key: str) -> None:
        self.backend.delete(_checked(key))

    def written_at(self, key: str) -> dt.datetime | None:
        """When the file was written, on the context clock; None when it is gone."""
        return self.backend.written_at(_checked(key))

    def remove_abandoned_writes(self, older_than: dt.timedelta, *, now: dt.datetime | None = None) -> int:
        """Drop temporary files and unfinished uploads of writers killed mid-write; return how many."""
        return self.backend.remove_abandoned_writes(now or self.clock(), older_than)

    def run_files(self) -> Iterator[tuple[str, str]]:
        """Every stored run file as (run id as text, key), for the orphan sweep."""
        for key in self.backend.list_keys(RUNS):
            parts = key.split("/")
            if len(parts) == 3 and parts[1]:
                yield parts[1], key

    def stored_key_id(self, key: str) -> bytes | None:
        """The id of the key the stored file is encrypted with; None when it is stored in the clear."""
        with self.backend.open(_checked(key)) as stored:
            head = stored.read(len(MAGIC) + 9)
        return head[len(MAGIC) + 1:] if is_encrypted(head) and len(head) == len(MAGIC) + 9 else None


def _checked(key: str) -> str:
    """Refuse keys that could name something outside the store, on any backend."""
    if not isinstance(key, str) or len(key) > 900 or not _KEY.fullmatch(key):
        raise ValueError(f"not a valid artifact key: {key!r}")
    return key


def _refuse_ciphertext(head: bytes, key: str) -> None:
    if is_encrypted(head):
        raise UnreadableArtifact(f"{key} is encrypted, but ARTIFACT_ENCRYPTION_KEYS is not set on this process")


def safe_filename(name: str) -> str:
    """Turn a report name into a file name that every OS and Slack accept."""
    cleaned = _SAFE.sub("-", name.strip()).strip("-.")
    return cleaned[:120] or "report"
