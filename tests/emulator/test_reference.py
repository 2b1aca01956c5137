"""The emulator agrees with the Slack method reference, and runs without it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_emulator import SlackEmulator
from slack_emulator.errors import GENERIC_ERRORS
from slack_emulator.methods import HANDLERS
from slack_emulator.reference import MethodCatalog, builtin_methods, builtin_spec
from tests.support.people import ALICE, BOB, TEAM

from .conftest import (
    GENERAL,
    OLD,
    RANDOM,
    REFERENCE_DIR,
    REPO_ROOT,
    SECRET,
    needs_reference,
    populate,
)


@needs_reference
def test_builtin_table_matches_reference():
    catalog = MethodCatalog(REFERENCE_DIR)
    for name in builtin_methods():
        builtin, real = builtin_spec(name), catalog.spec(name)
        assert real is not None, name
        assert builtin.required == real.required, name
        assert builtin.bot_scopes == real.bot_scopes, name
        assert builtin.tier == real.tier, name
        assert builtin.errors <= real.errors, (name, builtin.errors - real.errors)


def test_every_handler_has_a_builtin_spec():
    assert sorted(HANDLERS) == builtin_methods()


def provoke_errors(emu: SlackEmulator) -> None:
    """Drive many failure paths so their codes can be checked against the reference."""
    client = WebClient(token=emu.bot_token(), base_url=emu.base_url)
    attempts = [
        lambda: client.chat_postMessage(channel=SECRET, text="x"),
        lambda: client.chat_postMessage(channel=OLD, text="x"),
        lambda: client.chat_postMessage(channel=GENERAL, text="x", blocks=[{"type": "nope"}]),
        lambda: client.chat_postEphemeral(channel=RANDOM, user=BOB, text="x"),
        lambda: client.chat_update(channel=GENERAL, ts="1.000001", text="x"),
        lambda: client.api_call("chat.update", json={"channel": GENERAL}),
        lambda: client.api_call("chat.postEphemeral", json={"channel": GENERAL}),
        lambda: client.api_call("conversations.info"),
        lambda: client.api_call("conversations.members"),
        lambda: client.api_call("conversations.history"),
        lambda: client.api_call("conversations.replies", params={"channel": GENERAL}),
        lambda: client.api_call("conversations.join"),
        lambda: client.api_call("users.info"),
        lambda: client.api_call("users.lookupByEmail"),
        lambda: client.api_call("files.info"),
        lambda: client.api_call("files.getUploadURLExternal"),
        lambda: client.api_call("files.completeUploadExternal"),
        lambda: client.api_call("views.open"),
        lambda: client.api_call("views.open", json={"view": {"type": "modal"}}),
        lambda: client.api_call("views.push", json={"view": {"type": "modal"}}),
        lambda: client.api_call("views.update", json={"view": {"type": "modal"}}),
        lambda: client.api_call("views.publish", json={"user_id": ALICE}),
        lambda: client.api_call("conversations.open"),
        lambda: client.conversations_list(types="x"),
        lambda: client.users_list(cursor="x"),
        lambda: client.files_completeUploadExternal(files=[{"id": "F0NOPE"}], channel_id=GENERAL),
        lambda: client.files_upload_v2(channel=ALICE, content=b"x", filename="x"),
        lambda: client.api_call("files.upload"),
        lambda: client.api_call("no.such.method"),
        lambda: WebClient(base_url=emu.base_url).oauth_v2_access(client_id="c", client_secret="s", code="x"),
        lambda: WebClient(base_url=emu.base_url).apps_connections_open(app_token="xapp-nope"),
        lambda: WebClient(token="xoxb-bad", base_url=emu.base_url).auth_test(),
    ]
    for attempt in attempts:
        with pytest.raises(SlackApiError):
            attempt()


@needs_reference
def test_every_returned_error_is_documented(emu):
    provoke_errors(emu)
    catalog = MethodCatalog(REFERENCE_DIR)
    failures = [c for c in emu.calls() if not c.ok]
    assert len(failures) >= 30
    for call in failures:
        assert call.error in GENERIC_ERRORS or call.error in catalog.spec(call.method).errors, \
            (call.method, call.error)
    assert emu.undocumented_errors() == []


def test_works_offline_without_reference():
    with populate(SlackEmulator()) as emu:
        assert not emu.catalog.has_reference
        provoke_errors(emu)
        client = WebClient(token=emu.bot_token(), base_url=emu.base_url)
        with pytest.raises(SlackApiError) as info:
            client.api_call("conversations.info")
        assert info.value.response["error"] == "channel_not_found"
        assert client.chat_postMessage(channel=GENERAL, text="offline")["ok"]
        assert emu.undocumented_errors() == [] and emu.server_errors() == []


def test_missing_folder_falls_back_to_builtin(tmp_path):
    assert not MethodCatalog(tmp_path / "absent").has_reference


def test_command_line_prints_base_url_and_token():
    process = subprocess.Popen([sys.executable, "-m", "slack_emulator", "--port", "0"], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        base_line, token_line = process.stdout.readline(), process.stdout.readline()
        assert base_line.startswith("base_url=http://127.0.0.1:") and base_line.strip().endswith("/api/")
        token = token_line.strip().removeprefix("bot_token=")
        client = WebClient(token=token, base_url=base_line.strip().removeprefix("base_url="))
        assert client.auth_test()["team_id"] == TEAM
    finally:
        process.terminate()
        process.wait(timeout=5)
