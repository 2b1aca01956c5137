"""manifest.yml is valid against Slack's official schema and matches what the app uses."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import REPO, SHARED_SLACK

SCHEMA = SHARED_SLACK / "app-manifest" / "manifest.schema.1.0.0.json"


def _manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text())


@pytest.mark.skipif(not SCHEMA.exists(), reason="Slack's manifest schema is not beside this checkout")
def test_manifest_is_valid_against_the_official_schema():
    import jsonschema

    jsonschema.validate(_manifest(), json.loads(SCHEMA.read_text()))


def test_manifest_declares_what_the_app_handles():
    manifest = _manifest()
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/report" and command["should_escape"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    bot_events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "app_mention", "message.im"} <= bot_events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # every Web API method the app calls needs one of these
    assert {"commands", "chat:write", "files:write", "im:write", "users:read", "channels:read"} <= scopes
