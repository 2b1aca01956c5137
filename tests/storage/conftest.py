"""The artifact store under test, on every backend and with and without app-level encryption."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.filestore import ArtifactStore
from storage.filestore.crypto import Keyring, new_key
from tests.factories import WINTER
from tests.s3_support import s3_store


class SettableClock:
    """A clock that stays where a test puts it."""

    def __init__(self, at: dt.datetime = WINTER) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture(params=["local", "local-encrypted", "s3", "s3-encrypted"])
def store(request, tmp_path, clock) -> ArtifactStore:
    keyring = Keyring.from_setting(new_key()) if request.param.endswith("-encrypted") else None
    if request.param.startswith("s3"):
        return s3_store(request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket"),
                        keyring=keyring, clock=clock)
    return ArtifactStore(tmp_path / "artifacts", keyring=keyring, clock=clock)
