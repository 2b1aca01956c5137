"""Files in a directory on this machine: the embedded default (`ARTIFACT_DIR`).

Files are written to a temporary name and renamed when complete, so a crash never leaves a
half-written file under a real key. A file's modification time is the context clock's time at
writing, so its age is measured on the same clock as the rows.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from storage.filestore.errors import ArtifactMissing

TEMP_SUFFIX = ".tmp"


class LocalDirectory:
    """Keys are relative paths like `runs/42/daily-sales.csv` under `root`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"artifact key escapes the store: {key!r}")
        return path

    @contextmanager
    def writer(self, key: str, written: dt.datetime) -> Iterator[BinaryIO]:
        final = self.path(key)
        # Unique per writer, and it carries the start time on the context clock (writing moves the
        # file's own time on the machine's clock), so a killed writer's leftover can be aged.
        temp = final.with_name(f".{final.name}.{int(written.timestamp())}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
        try:
            with self._create(temp) as raw:
                yield raw
                raw.flush()
                os.fsync(raw.fileno())
            os.utime(temp, (written.timestamp(), written.timestamp()))
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)

    @staticmethod
    def _create(temp: Path) -> BinaryIO:
        try:
            temp.parent.mkdir(parents=True, exist_ok=True)
            return open(temp, "xb")
        except FileNotFoundError:  # a cleanup removed the emptied run folder in between: once more
            temp.parent.mkdir(parents=True, exist_ok=True)
            return open(temp, "xb")

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ArtifactMissing(f"no file {key!r} in {self.root}") from None

    def delete(self, key: str) -> None:
        path = self.path(key)
        path.unlink(missing_ok=True)
        try:
            os.rmdir(path.parent)  # only when empty: a run folder whose last file went
        except OSError:
            pass

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def written_at(self, key: str) -> dt.datetime | None:
        try:
            return dt.datetime.fromtimestamp(self.path(key).stat().st_mtime, dt.UTC)
        except FileNotFoundError:
            return None

    def list_keys(self, prefix: str) -> Iterator[str]:
        base = self.root.resolve()
        start = base / prefix.rpartition("/")[0]  # walk only the folder the prefix names
        for folder, dirs, files in os.walk(start):
            dirs.sort()
            for name in sorted(files):
                if name.startswith("."):  # a file being written (or a leftover of a killed writer)
                    continue
                key = Path(folder, name).relative_to(base).as_posix()
                if key.startswith(prefix):
                    yield key

    def remove_abandoned_writes(self, now: dt.datetime, older_than: dt.timedelta) -> int:
        """Remove temporary files of writers killed mid-write, older than `older_than` on the context clock."""
        cutoff = (now - older_than).timestamp()
        removed = 0
        for folder, _, files in os.walk(self.root):
            for name in files:
                started = name[: -len(TEMP_SUFFIX)].rsplit(".", 2)[-2:-1] if name.endswith(TEMP_SUFFIX) else []
                if name.startswith(".") and started and started[0].isdigit() and int(started[0]) < cutoff:
                    Path(folder, name).unlink(missing_ok=True)
                    removed += 1
        return removed

    def local_path(self, key: str) -> Path | None:
        path = self.path(key)
        return path if path.is_file() else None
