"""What a place to keep files must offer: the local directory and the S3 bucket implement it.

A backend moves bytes as stored (ciphertext when encryption is on); hashing, encryption and the
key rules live in `storage.filestore.store.ArtifactStore`, the one object the app talks to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO, Protocol


class FileBackend(Protocol):
    def writer(self, key: str, written: dt.datetime) -> AbstractContextManager[BinaryIO]:
        """Yield a sink; on a clean exit its bytes appear under `key` at once, on an error nothing does.

        `written` is the context clock's time, kept with the file for the orphan sweep.
        """

    def open(self, key: str) -> BinaryIO:
        """Return a stream of the stored bytes (raise ArtifactMissing when there is none)."""

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is fine (a rerun of a cleanup step)."""

    def exists(self, key: str) -> bool:
        """Say whether a file is stored under `key`."""

    def written_at(self, key: str) -> dt.datetime | None:
        """When the file was written, on the context clock; None when it is gone."""

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Every stored key starting with `prefix`, files being written excluded."""

    def remove_abandoned_writes(self, now: dt.datetime, older_than: dt.timedelta) -> int:
        """Drop what writers killed mid-write left behind (never visible under a key); return how many."""

    def local_path(self, key: str) -> Path | None:
        """The file's path on this machine when it has one (only the local directory does)."""

    def describe(self) -> str:
        """Where the files are, for logs and errors (never a secret)."""
