"""Local Slack Web API emulator plus signed-request helpers for tests and the offline demo."""

from bot.emulator.blockkit import validate_blocks, validate_view
from bot.emulator.emulator import SlackEmulator
from bot.emulator.payloads import block_actions_payload, view_submission_payload
from bot.emulator.records import Call, UploadedFile
from bot.emulator.signing import SlackRequestSigner, post

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
