"""Slack error codes (and the app's own delivery errors) in words a person can act on: one table, one voice."""

from __future__ import annotations

from jobs.views.blocks import clip

# Slack error codes (and our own delivery errors) in words a person can act on.
PLAIN_ERRORS = {
    "channel_not_found": "the channel no longer exists, or it is private and I'm not in it — invite me with "
                         "`/invite @reportbot`",
    "not_in_channel": "I'm not a member of that channel — invite me with `/invite @reportbot`",
    "is_archived": "the channel is archived",
    "invalid_channel": "the channel can't receive files (archived or not a channel)",
    "posting_to_channel_denied": "only some members may post in that channel, and I'm not one of them",
    "restricted_action": "the workspace's settings don't let me post there",
    "user_not_found": "that person is no longer in the workspace",
    "user_disabled": "that person's account is deactivated",
    "account_inactive": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "invalid_auth": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "token_revoked": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "not_authed": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "missing_scope": "reportbot is missing a Slack permission — ask an admin to reinstall the app",
    "file_uploads_disabled": "file uploads are turned off in this workspace",
    "file_upload_size_restricted": "the files are bigger than this workspace allows",
    "ratelimited": "Slack asked me to slow down; I'll try again",
    "internal_error": "Slack had a hiccup; I'll try again",
    "fatal_error": "Slack had a hiccup; I'll try again",
    "service_unavailable": "Slack was unavailable; I'll try again",
    "request_timeout": "Slack took too long to answer; I'll try again",
}


def plain_error(error: str | None) -> str:
    """Say an error in plain words: Slack codes are translated, sentences are kept."""
    if not error:
        return "no reason was given"
    parts = []
    for piece in error.split("; "):
        where, _, code = piece.rpartition(": ")
        words = PLAIN_ERRORS.get(code.strip())
        parts.append(words if words and not where else f"{where}: {words}" if words else piece)
    return clip("; ".join(parts), 1500)
