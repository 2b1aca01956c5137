"""What can go wrong with stored files, each with a message a person can act on.

    FileStoreError               any of these
    ├── ArtifactMissing          no file under that key (also a FileNotFoundError)
    ├── StoreUnavailable         the object store could not be reached, or refused the request
    ├── UnreadableArtifact       altered, truncated, encrypted with a key not configured, or
    │                            stored in the clear where encryption is required
    └── StoreConfigError         a setting is wrong (also a SettingsError); raised at start-up
"""

from __future__ import annotations

from storage.errors import ReportbotError, SettingsError


class FileStoreError(ReportbotError):
    """Base of the file store's errors."""


class ArtifactMissing(FileStoreError, FileNotFoundError):
    """There is no file under the key (never written, removed by retention, or swept)."""


class StoreUnavailable(FileStoreError):
    """The object store did not answer, or answered with an error other than 'no such key'."""


class UnreadableArtifact(FileStoreError):
    """The file is there but cannot be turned back into what was written."""


class StoreConfigError(FileStoreError, SettingsError):
    """ARTIFACT_STORE_URL, the encryption keys or the S3 settings are not usable."""
