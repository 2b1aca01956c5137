"""The one clock rows are stamped with.

A `Database` carries a clock (the job context hands it its own, so the demo and the tests that move
time move every timestamp with it). Column defaults read it through the connection they insert on;
repository code reads it through its session. Nothing in storage asks the wall clock directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

Clock = Callable[[], dt.datetime]


def wall_clock() -> dt.datetime:
    """Real time: the clock of a database no context has given its own."""
    return dt.datetime.now(dt.UTC)


def row_now(context) -> dt.datetime:
    """Column default (`mapped_column(default=row_now)`): the time of the database doing the insert."""
    return context.connection.info["clock"]()


def session_now(session: Session) -> dt.datetime:
    """The time of the database this session writes to."""
    return session.connection().info["clock"]()
