"""Refresh a person's App Home once per burst of their runs, not once per run.

Every settled run changes its owner's Home tab. At 09:00 one owner may have dozens of reports
settle within seconds; publishing after each would spend the workspace's views.publish budget and
Slack would show the same tab rebuilt dozens of times. The first request for a person starts a short
timer; requests that arrive meanwhile join it; the timer publishes once, from the database as it is
then. A request that arrives while that publish runs starts a new timer, so the last state always
shows. The Home tab is also rebuilt whenever the person opens it, so a timer lost with its process
(SIGKILL) leaves it stale only until then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Publish = Callable[[str, str], None]  # (team id, user id)


class HomeRefresher:
    """Coalesce App Home refreshes per (team, user) over `delay` seconds; 0 publishes at once."""

    def __init__(self, publish: Publish, delay: float) -> None:
        self._publish = publish
        self._delay = delay
        self._pending: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def request(self, team_id: str, user_id: str) -> bool:
        """Ask for a refresh; return False when one is already on its way for this person."""
        key = (team_id, user_id)
        if self._delay <= 0:
            self._run(key)
            return True
        with self._lock:
            if key in self._pending:
                return False
            self._pending.add(key)
        timer = threading.Timer(self._delay, self._fire, args=(key,))
        timer.name, timer.daemon = f"home-refresh-{user_id}", True
        timer.start()
        return True

    def _fire(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._pending.discard(key)  # before publishing: a run settling meanwhile gets its own refresh
        self._run(key)

    def _run(self, key: tuple[str, str]) -> None:
        try:
            self._publish(*key)
        except Exception:  # a Slack hiccup must not reach the run that asked; the next run asks again
            log.exception("could not refresh App Home for %s", key[1])
