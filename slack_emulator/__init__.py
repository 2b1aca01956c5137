"""Local Slack Web API emulator plus signed-request helpers for tests and the offline demo."""

from slack_emulator.blockkit import validate_blocks, validate_view
from slack_emulator.emulator import SlackEmulator
from slack_emulator.payloads import block_actions_payload, view_submission_payload
from slack_emulator.records import Call, UploadedFile
from slack_emulator.signing import SlackRequestSigner, post

__all__ = [
    "Call",
    "SlackEmulator",
    "SlackRequestSigner",
    "UploadedFile",
    "block_actions_payload",
    "post",
    "validate_blocks",
    "validate_view",
    "view_submission_payload",
]
