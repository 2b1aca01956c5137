"""How often a person may have an alert's condition read against the data: one at a time, 20 in 10 minutes.

Reading a condition back runs its report as the person (a query on a data source, a model call), and
a person can ask for it again with every Enter or message. Counted per web process."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager

from storage.errors import BadInput

CHECKS_PER_WINDOW = 20
WINDOW_SECONDS = 600


class ConditionCheckLimit:
    """Per person: one condition check in flight, and CHECKS_PER_WINDOW in any WINDOW_SECONDS."""

    def __init__(self, per_window: int = CHECKS_PER_WINDOW, window_seconds: float = WINDOW_SECONDS) -> None:
        self.per_window, self.window_seconds = per_window, window_seconds
        self._lock = threading.Lock()
        self._started: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._running: set[tuple[str, str]] = set()

    @contextmanager
    def check(self, team_id: str, user_id: str, now: float) -> Iterator[None]:
        """Hold the person's turn while their condition is read; BadInput when it is not their turn."""
        who = (team_id, user_id)
        with self._lock:
            started = self._started[who]
            while started and started[0] <= now - self.window_seconds:
                started.popleft()
            if who in self._running:
                raise BadInput("I'm still reading your last condition against the data; one moment.")
            if len(started) >= self.per_window:
                wait = max(1, int(started[0] + self.window_seconds - now + 59) // 60)
                raise BadInput(f"I've read {self.per_window} conditions against the data for you in the last "
                               f"{self.window_seconds // 60:.0f} minutes, the most I do per person; try again in "
                               f"{wait} min.")
            started.append(now)
            self._running.add(who)
        try:
            yield
        finally:
            with self._lock:
                self._running.discard(who)
