"""Plain words for what went wrong, as the schedule's owner reads them in a DM or on App Home."""

from __future__ import annotations

# Slack error codes that no retry will fix (architecture: "permanent Slack errors").
PERMANENT_SLACK_ERRORS = frozenset({
    "channel_not_found", "is_archived", "not_in_channel", "invalid_auth", "account_inactive", "user_not_found",
    "user_disabled", "token_revoked", "token_expired", "missing_scope", "restricted_action",
    "posting_to_channel_denied", "invalid_channel", "file_uploads_disabled", "file_upload_size_restricted",
    "not_authed", "no_permission", "ekm_access_denied", "team_access_not_granted", "cannot_dm_bot",
    "invalid_blocks", "invalid_arguments", "msg_too_long", "too_many_attachments", "method_deprecated",
})
# Slack itself stumbled; the operation may even have been carried out (Slack's own wording for
# internal_error). Retried, after checking whether the message arrived.
TRANSIENT_SLACK_ERRORS = frozenset({
    "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
})

_SLACK = {
    "channel_not_found": "the channel no longer exists, or it is private and the app is not in it "
                         "(invite it with /invite @reportbot)",
    "is_archived": "the channel is archived",
    "invalid_channel": "the channel is archived or cannot receive files",
    "not_in_channel": "the app is not a member of the channel; invite it with /invite @reportbot",
    "invalid_auth": "Slack no longer accepts the app's token; a workspace admin needs to reinstall the app",
    "token_revoked": "the app was uninstalled or its token revoked; a workspace admin needs to reinstall it",
    "token_expired": "the app's token expired; a workspace admin needs to reinstall the app",
    "not_authed": "the app has no Slack token configured",
    "account_inactive": "the app's Slack account was deactivated; a workspace admin needs to reinstall it",
    "user_not_found": "that person is no longer in the workspace",
    "user_disabled": "that person's account is deactivated",
    "cannot_dm_bot": "reports cannot be sent to a bot by DM",
    "missing_scope": "the app lacks a Slack permission it needs; reinstall it to grant the current scopes",
    "restricted_action": "a workspace setting stops the app from posting there",
    "posting_to_channel_denied": "only some members may post in that channel, and the app is not one of them",
    "file_uploads_disabled": "file uploads are turned off in this workspace",
    "file_upload_size_restricted": "the files are larger than this workspace allows",
    "ratelimited": "Slack asked the app to slow down",
    "internal_error": "Slack had an internal error",
    "fatal_error": "Slack had an internal error",
    "service_unavailable": "Slack was unavailable",
    "request_timeout": "Slack did not answer in time",
}


def slack_error(code: str) -> str:
    """Describe a Slack error code for people; unknown codes are named as they are."""
    return _SLACK.get(code, f"Slack refused the message ({code})")


def smtp_error(code: int, message: str) -> str:
    reply = " ".join(message.split())[:200]
    if 500 <= code < 600:
        return f"the mail server refused the message: {code} {reply}".rstrip()
    return f"the mail server could not take the message right now: {code} {reply}".rstrip()


def for_destination(label: str, detail: str) -> str:
    """Prefix an error with where it happened: "#sales (C0123): the channel is archived"."""
    return f"{label}: {detail}"
