"""Re-encrypt stored files under the first of ARTIFACT_ENCRYPTION_KEYS (the last step of a key
rotation), and encrypt files stored before encryption was turned on.

Each file is read (decrypted with whichever configured key it names) and written again under the
same key name through the store's atomic write, keeping its written time so retention and the
orphan sweep see it as before. Files already under the first key are left alone, so a rotation
that stops halfway is finished by running it again.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict, dataclass, field

from storage.filestore.crypto import DecryptingReader
from storage.filestore.errors import ArtifactMissing, FileStoreError, StoreConfigError
from storage.filestore.store import COPY_CHUNK, ArtifactStore

log = logging.getLogger(__name__)


@dataclass
class RekeyResult:
    current: int = 0  # already under the first key
    reencrypted: int = 0  # were under an older key
    encrypted: int = 0  # were stored in the clear
    failed: list[str] = field(default_factory=list)  # keys that could not be read (the log says why)

    def as_dict(self) -> dict:
        return asdict(self)


def reencrypt(store: ArtifactStore, *, dry_run: bool = False) -> RekeyResult:
    """Bring every stored file under the store's first key; return what was done."""
    if store.keyring is None:
        raise StoreConfigError("set ARTIFACT_ENCRYPTION_KEYS (the new key first) before re-encrypting")
    result = RekeyResult()
    for key in store.backend.list_keys(""):
        try:
            identifier = store.stored_key_id(key)
            if identifier == store.keyring.primary_id:
                result.current += 1
                continue
            if not dry_run:
                _rewrite(store, key, encrypted=identifier is not None)
        except ArtifactMissing:  # removed by retention meanwhile
            continue
        except FileStoreError as exc:
            log.warning("rekey: %s", exc)
            result.failed.append(key)
            continue
        if identifier is None:
            result.encrypted += 1
        else:
            result.reencrypted += 1
    return result


def _rewrite(store: ArtifactStore, key: str, *, encrypted: bool) -> None:
    written = store.backend.written_at(key)
    stored = store.backend.open(key)
    source = DecryptingReader(stored, store.keyring, key) if encrypted else stored  # plain: taken as it is
    with source, store.open_for_write(key, written=written) as target:
        shutil.copyfileobj(source, target, COPY_CHUNK)
