"""The artifact store under test, on every backend and with and without app-level encryption."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.filestore import ArtifactStore
from tests.factories import WINTER
from tests.s3_support import STORE_KINDS, store_of_kind


class SettableClock:
    """A clock that stays where a test puts it."""

    def __init__(self, at: dt.datetime = WINTER) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture(params=STORE_KINDS)
def store(request, tmp_path, clock) -> ArtifactStore:
    return store_of_kind(request.param, request, tmp_path, clock=clock)
