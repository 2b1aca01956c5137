"""Where generated files live: a local directory (the embedded default) or an S3-compatible
bucket, optionally encrypted by the app, behind one `ArtifactStore`.

    store       ArtifactStore: keys, hashing, streaming, encryption on top of a backend
    backend     the FileBackend protocol the two places implement
    local       LocalDirectory (ARTIFACT_DIR)
    s3          S3Bucket (ARTIFACT_STORE_URL=s3://bucket/prefix), server-side encryption
    crypto      chunked AES-GCM streams and the Keyring (ARTIFACT_ENCRYPTION_KEYS)
    rekey       re-encrypt stored files under the first key (key rotation)
    settings    FileStoreSettings and store_from_env
"""

from storage.filestore.errors import (
    ArtifactMissing,
    FileStoreError,
    StoreConfigError,
    StoreUnavailable,
    UnreadableArtifact,
)
from storage.filestore.settings import FileStoreSettings, build_store, store_from_env
from storage.filestore.store import ArtifactStore, StoredFile, safe_filename

__all__ = [
    "ArtifactMissing", "ArtifactStore", "FileStoreError", "FileStoreSettings", "StoreConfigError", "StoreUnavailable",
    "StoredFile", "UnreadableArtifact", "build_store", "safe_filename", "store_from_env",
]
