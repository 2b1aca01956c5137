"""Refresh a person's App Home once per burst of their runs, not once per run.

Every settled run changes its owner's Home tab. At 09:00 one owner may have dozens of reports
settle within seconds; publishing after each would spend the workspace's views.publish budget and
Slack would show the same tab rebuilt dozens of times. The first request for a person sets a due
time `delay` seconds ahead; requests until then join it; at the due time the tab is published once,
from the database as it is then. A request that arrives while that publish runs sets a new due
time, so the last state always shows. One scheduler thread and a few publishing threads per process
serve every person, however many settle at once. The Home tab is also rebuilt whenever the person
opens it, so a refresh lost with its process (SIGKILL) leaves it stale only until then.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

Publish = Callable[[str, str], None]  # (team id, user id)
PUBLISHERS = 4  # views.publish is paced per workspace; a few threads keep one workspace from holding up others


class HomeRefresher:
    """Coalesce App Home refreshes per (team, user) over `delay` seconds; 0 publishes at once."""

    def __init__(self, publish: Publish, delay: float) -> None:
        self._publish = publish
        self._delay = delay
        self._due: dict[tuple[str, str], float] = {}
        self._queue: list[tuple[float, tuple[str, str]]] = []  # heap of (due time, person)
        self._changed = threading.Condition()
        self._scheduler: threading.Thread | None = None
        self._publishers: ThreadPoolExecutor | None = None
        self._publishing = 0  # refreshes handed to a publisher and not finished yet

    def request(self, team_id: str, user_id: str) -> bool:
        """Ask for a refresh; return False when one is already due for this person."""
        key = (team_id, user_id)
        if self._delay <= 0:
            self._run(key)
            return True
        with self._changed:
            if key in self._due:
                return False
            if not self._start_scheduler():
                return False
            due = time.monotonic() + self._delay
            self._due[key] = due
            heapq.heappush(self._queue, (due, key))
            self._changed.notify()
        return True

    def _start_scheduler(self) -> bool:
        """Start the scheduler thread on first use (called holding the lock)."""
        if self._scheduler is not None and self._scheduler.is_alive():
            return True
        try:
            self._publishers = self._publishers or ThreadPoolExecutor(PUBLISHERS, "home-publish")
            self._scheduler = threading.Thread(target=self._schedule, name="home-refresh", daemon=True)
            self._scheduler.start()
        except RuntimeError:  # no thread to be had: this refresh is skipped, the next run asks again
            log.warning("could not start the App Home refresher; skipping this refresh")
            return False
        return True

    def _schedule(self) -> None:
        while True:
            with self._changed:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    self._changed.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
                _, key = heapq.heappop(self._queue)
                del self._due[key]  # before publishing: a run settling meanwhile gets its own refresh
                self._publishing += 1
            self._publishers.submit(self._run_handed, key)

    def _run_handed(self, key: tuple[str, str]) -> None:
        try:
            self._run(key)
        finally:
            with self._changed:
                self._publishing -= 1
                self._changed.notify_all()

    def _run(self, key: tuple[str, str]) -> None:
        try:
            self._publish(*key)
        except Exception:  # a Slack hiccup must not reach the run that asked; the next run asks again
            log.exception("could not refresh App Home for %s", key[1])

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every refresh asked for so far has been published; False after `timeout` seconds.
        (A worker shutting down lets the last App Homes out; tests know nothing more is coming.)"""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._queue or self._publishing:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.05))
        return True
