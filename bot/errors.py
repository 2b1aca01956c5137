"""Errors of the Slack surface. Each carries the message the user sees.

    UserFacingError        shown to the user as is (ephemeral reply, DM or modal error)
    ├── NotFound           no schedule matches what they typed
    ├── PermissionDenied   they may not do this; the message says why
    ├── BadInput           what they typed cannot be used; the message says how to fix it
    └── FormErrors         the form has problems, one message per field (modal `response_action: errors`)
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose message is written for the person who caused it."""


class NotFound(UserFacingError):
    """Nothing matches the reference the user typed."""


class PermissionDenied(UserFacingError):
    """The user may not do this."""


class BadInput(UserFacingError):
    """The user's input cannot be used as typed."""


class FormErrors(UserFacingError):
    """Field problems keyed by the modal's input block id; `str()` lists them for text replies."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))
