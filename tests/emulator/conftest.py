"""Fixtures: a started emulator with a small workspace, and a real WebClient pointed at it."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk import WebClient

from slack_emulator import SlackEmulator
from tests.support.people import ALICE, BOB, GONE_PERSON, SLACK_ADMIN

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "slack" / "method-reference"
HAS_REFERENCE = (REFERENCE_DIR / "methods").is_dir()
VIEW_SAMPLES = REPO_ROOT.parent / "shared" / "slack" / "view-samples"

needs_reference = pytest.mark.skipif(not HAS_REFERENCE, reason="method-reference folder absent")

GENERAL, RANDOM, SECRET, PRIVATE, OLD = "C0GENERAL", "C0RANDOM", "G0SECRET", "G0PRIVATE", "C0OLD"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk honours HTTP(S)_PROXY but not NO_PROXY; local traffic must not be proxied.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


def populate(emu: SlackEmulator) -> SlackEmulator:
    """Add the users and channels every test can rely on."""
    emu.add_user(ALICE, "alice", real_name="Alice Adams", tz="Europe/Berlin", email="alice@example.com")
    emu.add_user(SLACK_ADMIN, "sam", tz="UTC", is_admin=True)
    emu.add_user(BOB, "bob", tz="America/New_York", email="bob@example.com")
    emu.add_user(GONE_PERSON, "carol", deleted=True)
    emu.add_channel(GENERAL, "general", members=(ALICE, BOB))
    emu.add_channel(RANDOM, "random", members=(ALICE,), bot_is_member=False)
    emu.add_channel(SECRET, "secret", is_private=True, members=(ALICE,), bot_is_member=False)
    emu.add_channel(PRIVATE, "reports", is_private=True, members=(ALICE, BOB))
    emu.add_channel(OLD, "old", is_archived=True)
    return emu


@pytest.fixture
def emu():
    """Yield a started emulator; fail the test if it returned undocumented errors or crashed."""
    emulator = populate(SlackEmulator(REFERENCE_DIR if HAS_REFERENCE else None))
    with emulator:
        yield emulator
        assert emulator.server_errors() == []
        assert emulator.undocumented_errors() == []


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    """Return a real slack_sdk WebClient talking to the emulator."""
    return WebClient(token=emu.bot_token(), base_url=emu.base_url, timeout=5)
