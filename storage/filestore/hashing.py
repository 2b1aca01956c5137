"""The stream renderers write to: counts and hashes what they write (the plaintext) on its way to
the store."""

from __future__ import annotations

import hashlib
import io
from typing import Protocol


class Sink(Protocol):
    def write(self, data: bytes) -> int: ...


class HashingWriter(io.BufferedIOBase):
    """Write through to a sink while counting bytes and hashing them.

    A real binary stream, so renderers can wrap it (TextIOWrapper, zip writers); closing it does not
    close the sink, which belongs to the store (the store commits or discards it afterwards).
    """

    def __init__(self, sink: Sink) -> None:
        super().__init__()
        self._sink = sink
        self.size = 0
        self._hash = hashlib.sha256()

    def write(self, data) -> int:
        data = bytes(data)
        self._sink.write(data)
        self._hash.update(data)
        self.size += len(data)
        return len(data)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()
