"""Both manifests (HTTP + OAuth, and Socket Mode) are valid against Slack's official schema and
declare everything the Slack surface uses: the command, the events it listens to, interactivity
(with the options URL of the time zone picker), and a scope for every Web API method it calls."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.settings import DEFAULT_SCOPES
from tests.conftest import REPO, SHARED_SLACK

SCHEMA = SHARED_SLACK / "app-manifest" / "manifest.schema.1.0.0.json"
METHODS = SHARED_SLACK / "method-reference" / "methods"
MANIFESTS = ("manifest.yml", "manifest.socket-mode.yml")
# Every Web API method the app calls (bot/, jobs/ progress and home, the delivery it triggers).
CALLED = ("auth.test", "chat.postMessage", "chat.postEphemeral", "chat.update", "views.open", "views.update",
          "views.publish", "users.info", "users.list", "conversations.open", "conversations.info",
          "conversations.members", "conversations.list", "conversations.join", "files.getUploadURLExternal",
          "files.completeUploadExternal", "oauth.v2.access")


def manifest(name: str) -> dict:
    return yaml.safe_load((REPO / name).read_text())


@pytest.mark.skipif(not SCHEMA.exists(), reason="Slack's manifest schema is not beside this checkout")
@pytest.mark.parametrize("name", MANIFESTS)
def test_valid_against_the_official_schema(name):
    import jsonschema

    jsonschema.validate(manifest(name), json.loads(SCHEMA.read_text()))


@pytest.mark.parametrize("name", MANIFESTS)
def test_declares_what_the_app_handles(name):
    data = manifest(name)
    [command] = data["features"]["slash_commands"]
    assert command["command"] == "/report" and command["should_escape"] is True
    assert data["features"]["app_home"] == {"home_tab_enabled": True, "messages_tab_enabled": True,
                                            "messages_tab_read_only_enabled": False}
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == {"app_home_opened", "app_mention",
                                                                          "message.im"}
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert set(data["oauth_config"]["scopes"]["bot"]) == set(DEFAULT_SCOPES)  # what OAuth install asks for


def test_http_manifest_has_every_url_and_socket_mode_none():
    http, socket = manifest("manifest.yml"), manifest("manifest.socket-mode.yml")
    urls = [http["features"]["slash_commands"][0]["url"], http["settings"]["event_subscriptions"]["request_url"],
            http["settings"]["interactivity"]["request_url"],
            http["settings"]["interactivity"]["message_menu_options_url"]]
    assert all(url.endswith("/slack/events") for url in urls)
    assert http["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    assert http["settings"]["socket_mode_enabled"] is False and socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in json.dumps(socket["features"]) and "request_url" not in json.dumps(socket["settings"])
    assert "redirect_urls" not in socket["oauth_config"]


@pytest.mark.skipif(not METHODS.is_dir(), reason="Slack's method reference is not beside this checkout")
def test_every_called_method_has_a_scope():
    scopes = set(manifest("manifest.yml")["oauth_config"]["scopes"]["bot"])
    missing = []
    for method in CALLED:
        needed = json.loads((METHODS / f"{method}.json").read_text()).get("scope", {}).get("bot") or []
        if needed and not scopes & set(needed):
            missing.append((method, needed))
    assert missing == []
