"""Kept so `from storage.artifacts import ArtifactStore` goes on working; the store lives in
`storage.filestore` (a local directory or S3, optionally encrypted)."""

from storage.filestore import ArtifactStore, StoredFile, safe_filename

__all__ = ["ArtifactStore", "StoredFile", "safe_filename"]
