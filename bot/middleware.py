"""Bolt middleware for cross-cutting concerns of every request."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from slack_bolt import BoltContext, BoltResponse

from bot.deps import deps_of
from storage.events import first_delivery, prune_events

log = logging.getLogger(__name__)
# Slack retries for about five minutes; a day of event ids is plenty and stays small.
KEEP_EVENT_IDS = dt.timedelta(days=1)
PRUNE_EVERY_SECONDS = 600


_last_prune = [0.0]
_prune_lock = threading.Lock()


def dedupe_events(body: dict, context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
    """Handle each Events API delivery once: Slack's retries (same event_id) are acknowledged and
    dropped, across restarts and processes, because the ids are stored in the database."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not isinstance(event_id, str) or not event_id:
        return next()
    deps = deps_of(context)
    now = deps.jobs.now()
    with deps.jobs.database.session() as session:
        first = first_delivery(session, event_id, str(body.get("team_id") or ""), now)
        with _prune_lock:
            due = time.monotonic() - _last_prune[0] > PRUNE_EVERY_SECONDS
            if due:
                _last_prune[0] = time.monotonic()
        if due:
            prune_events(session, now - KEEP_EVENT_IDS)
    if not first:
        log.info("ignoring a repeated delivery of event %s", event_id)
        return BoltResponse(status=200, body="")
    return next()
