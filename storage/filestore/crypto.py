"""App-level encryption of stored files: AES-256-GCM in authenticated chunks, streamed both ways.

Why this format (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár) rather than
one Fernet token per file: a file is never held whole in memory, and yet nothing of it is released
before it is authenticated. Each file gets

    header  = MAGIC (8) | version (1) | key id (8) | chunk size (4) | salt (16) | nonce prefix (7)
    chunk i = AES-GCM(file key, nonce = prefix | i as 4 bytes | 1 if last else 0, aad = header)

- the file key is HKDF-SHA256(master key, salt): a fresh key per file, so random nonces never
  repeat under one key however many files are written;
- the chunk's number in its nonce makes reordered or repeated chunks fail to authenticate; the
  "last" flag makes a file cut at a chunk boundary, or with chunks added after its end, fail too;
- the header is every chunk's associated data, so a changed chunk size, salt or key id fails.

A file written under another key names that key's id, so "wrong key" is told apart from
"altered". Keys are 32 random bytes in URL-safe base64 (`new_key()`), listed in
ARTIFACT_ENCRYPTION_KEYS: the first encrypts new files, every one listed decrypts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage.filestore.errors import StoreConfigError, UnreadableArtifact

MAGIC = b"\x89RBENC\r\n"  # not text: no CSV, PDF, PNG or XLSX starts this way
VERSION = 1
HEADER = struct.Struct(">8sB8sI16s7s")
TAG = 16
CHUNK = 64 * 1024
MAX_CHUNK = 16 * 1024 * 1024  # a header asking for more is refused before anything is allocated
MAX_CHUNKS = 2**32  # the chunk counter's width


def new_key() -> str:
    """Return a fresh key in the form ARTIFACT_ENCRYPTION_KEYS takes."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_id(key: bytes) -> bytes:
    """Name a key without revealing it: the first 8 bytes of its SHA-256."""
    return hashlib.sha256(b"reportbot artifact key id\0" + key).digest()[:8]


class Keyring:
    """The configured keys: the first encrypts, all decrypt."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise StoreConfigError("an encryption keyring needs at least one key")
        self._keys = {key_id(k): k for k in keys}
        self.primary = keys[0]
        self.primary_id = key_id(keys[0])

    @classmethod
    def from_setting(cls, text: str | None) -> Keyring | None:
        """Parse ARTIFACT_ENCRYPTION_KEYS (comma-separated); None when it is empty."""
        parts = [p.strip() for p in (text or "").split(",") if p.strip()]
        if not parts:
            return None
        keys = []
        for number, part in enumerate(parts, 1):
            try:
                key = base64.urlsafe_b64decode(part.encode("ascii") + b"=" * (-len(part) % 4))
            except (binascii.Error, UnicodeEncodeError, ValueError):
                key = b""
            if len(key) != 32:
                raise StoreConfigError(f"ARTIFACT_ENCRYPTION_KEYS: key {number} is not 32 bytes in URL-safe base64 "
                                       f"(make one with `python -m storage.filestore new-key`)")
            keys.append(key)
        return cls(keys)

    def get(self, identifier: bytes) -> bytes | None:
        return self._keys.get(identifier)

    def ids(self) -> list[str]:
        return [identifier.hex() for identifier in self._keys]


def _file_key(master: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                       info=b"reportbot artifact v1").derive(master))


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(head: bytes) -> bool:
    """Say whether stored bytes starting with `head` are in this format."""
    return head[: len(MAGIC)] == MAGIC


class EncryptingWriter:
    """Encrypt what is written into `sink` chunk by chunk; `finish()` writes the last chunk."""

    def __init__(self, sink: BinaryIO, keyring: Keyring) -> None:
        salt, prefix = os.urandom(16), os.urandom(7)
        self._header = HEADER.pack(MAGIC, VERSION, keyring.primary_id, CHUNK, salt, prefix)
        self._aead = _file_key(keyring.primary, salt)
        self._prefix = prefix
        self._sink = sink
        self._buffer = bytearray()
        self._index = 0
        sink.write(self._header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        # Strictly more than a chunk: the last chunk is kept back for finish(), which flags it.
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer = bytearray()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        if self._index >= MAX_CHUNKS:
            raise ValueError("file too large for one encrypted stream")
        self._sink.write(self._aead.encrypt(_nonce(self._prefix, self._index, last), plain, self._header))
        self._index += 1


class DecryptingReader(io.RawIOBase):
    """A readable stream of the plaintext; raises UnreadableArtifact instead of returning a byte of
    anything that does not authenticate.

    The header and the first chunk are checked when it is opened, so a wrong key or an altered
    start is an error before a caller has sent anything on (a download's status line, say).
    """

    def __init__(self, stored: BinaryIO, keyring: Keyring, name: str) -> None:
        super().__init__()
        self._stored = stored
        self._name = name
        try:
            header = _read_exact(stored, HEADER.size)
            if len(header) < HEADER.size or not is_encrypted(header):
                raise UnreadableArtifact(f"{name} is not encrypted (it was stored before ARTIFACT_ENCRYPTION_KEYS was "
                                         f"set, or it was replaced); `python -m storage.filestore rekey` encrypts "
                                         f"files stored in the clear")
            _, version, identifier, chunk, salt, prefix = HEADER.unpack(header)
            if version != VERSION or not 0 < chunk <= MAX_CHUNK:
                raise UnreadableArtifact(f"{name} has been altered (its encryption header is not valid)")
            master = keyring.get(identifier)
            if master is None:
                raise UnreadableArtifact(f"{name} was encrypted with key {identifier.hex()}, which is not in "
                                         f"ARTIFACT_ENCRYPTION_KEYS (configured: {', '.join(keyring.ids())})")
            self._aead, self._aad, self._prefix, self._frame = _file_key(master, salt), header, prefix, chunk + TAG
            self._index = 0
            self._plain = memoryview(b"")
            self._done = False
            self._next = _read_exact(stored, self._frame)
            self._advance()
        except BaseException:
            stored.close()
            raise

    def _advance(self) -> None:
        frame = self._next
        if len(frame) < self._frame:
            last, self._next = True, b""
        else:
            self._next = _read_exact(self._stored, self._frame)
            last = not self._next
        if len(frame) < TAG:
            raise UnreadableArtifact(f"{self._name} has been truncated")
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, self._index, last), frame, self._aad)
        except InvalidTag:
            raise UnreadableArtifact(f"{self._name} has been altered or truncated (chunk {self._index} does not "
                                     f"authenticate)") from None
        self._plain = memoryview(plain)
        self._index += 1
        self._done = last

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._plain and not self._done:
            self._advance()
        count = min(len(buffer), len(self._plain))
        buffer[:count] = self._plain[:count]
        self._plain = self._plain[count:]
        return count

    def close(self) -> None:
        if not self.closed:
            self._stored.close()
        super().close()


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    """Read `size` bytes, fewer only at the end (network streams return short reads)."""
    parts, wanted = [], size
    while wanted:
        part = stream.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)
