"""Route errors raised after `ack()` to the app's one error handler.

Bolt (1.30, HTTP mode) answers Slack as soon as a listener acks; if the listener then raises
within the ~10 ms Bolt polls for the ack, its error path resets the ack and Slack gets a 404
"unhandled request" instead of the 200. Errors after the ack therefore go straight to
`bot.error_reply.handle_errors`; errors before it still take Bolt's path (a modal's errors need that).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from bot.error_reply import handle_errors

NEEDED = ("ack", "body", "client")


def after_ack(handler: Callable) -> Callable:
    """Wrap a listener that acks first; Bolt still injects its arguments by name."""
    own = list(inspect.signature(handler).parameters)
    names = own + [n for n in NEEDED if n not in own]

    def listener(**kwargs):
        try:
            return handler(**{k: v for k, v in kwargs.items() if k in own})
        except Exception as error:
            if kwargs["ack"].response is None:
                raise
            handle_errors(error, kwargs["body"], kwargs["client"])
            return None

    listener.__name__ = handler.__name__
    listener.__qualname__ = handler.__qualname__
    listener.__doc__ = handler.__doc__
    listener.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return listener
