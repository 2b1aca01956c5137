"""Artifact files on local disk under a configurable folder.

Files are written to a temporary name and renamed when complete, so a crash never leaves a
half-written file under a real key. A file's time is the store's clock at writing (the context's,
like every other timestamp the app writes), so its age is measured on the same clock as the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from storage.clock import Clock, wall_clock

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class _HashingWriter(io.BufferedIOBase):
    """Write through to a file while counting bytes and hashing them.

    A real binary stream, so renderers can wrap it (TextIOWrapper, zip writers); closing it does not
    close the file, which belongs to the store.
    """

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self.size = 0
        self._hash = hashlib.sha256()

    def write(self, data) -> int:
        data = bytes(data)
        self._raw.write(data)
        self._hash.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        if not self._raw.closed:
            self._raw.flush()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class ArtifactStore:
    """Keys are relative paths like `runs/42/daily-sales.csv`."""

    def __init__(self, root: Path, *, clock: Clock = wall_clock) -> None:
        self.root = Path(root)
        self.clock = clock  # replaceable, like Database.clock

    @staticmethod
    def key_for(run_id: int, filename: str) -> str:
        return f"runs/{run_id}/{safe_filename(filename)}"

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"artifact key escapes the store: {key!r}")
        return path

    @contextmanager
    def open_for_write(self, key: str) -> Iterator[_HashingWriter]:
        """Yield a writer; on success the file appears under `key`, on error nothing does."""
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")  # unique per writer
        try:
            with open(temp, "wb") as raw:
                writer = _HashingWriter(raw)
                yield writer
                raw.flush()
                os.fsync(raw.fileno())
            written = self.clock().timestamp()
            os.utime(temp, (written, written))
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)

    def write_bytes(self, key: str, data: bytes) -> StoredFile:
        with self.open_for_write(key) as writer:
            writer.write(data)
        return StoredFile(key, writer.size, writer.sha256)

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def run_files(self) -> Iterator[tuple[str, str, dt.datetime]]:
        """Every stored run file as (run id as text, key, when written), for the orphan sweep."""
        root = self.root / "runs"
        if not root.is_dir():
            return
        for run_dir in root.iterdir():
            if not run_dir.is_dir():
                continue
            for path in run_dir.iterdir():
                if path.is_file() and not path.name.startswith("."):
                    written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
                    yield run_dir.name, f"runs/{run_dir.name}/{path.name}", written
            try:
                os.rmdir(run_dir)  # only when empty: what the sweep emptied last time
            except OSError:
                pass


def safe_filename(name: str) -> str:
    """Turn a report name into a file name that every OS and Slack accept."""
    cleaned = _SAFE.sub("-", name.strip()).strip("-.")
    return cleaned[:120] or "report"
