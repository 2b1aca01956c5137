"""Errors of the Slack surface. Each carries the message the user sees.

    UserFacingError        shown to the user as is (ephemeral reply or modal error)
    ├── NotFound           no schedule matches what they typed
    ├── PermissionDenied   they may not do this; the message says why
    └── BadInput           what they typed cannot be used; the message says how to fix it
"""


class UserFacingError(Exception):
    """An error whose message is written for the person who caused it."""


class NotFound(UserFacingError):
    """Nothing matches the reference the user typed."""


class PermissionDenied(UserFacingError):
    """The user may not do this."""


class BadInput(UserFacingError):
    """The user's input cannot be used as typed."""
