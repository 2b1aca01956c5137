"""Know when the app has finished with what it was sent, instead of sleeping: listeners run on
Bolt's executor after the ack, so a test that asserts nothing happened waits for them to finish."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future


class ListenerTracker:
    """Counts the listener work the app has in flight (wraps its listener executor's `submit`)."""

    def __init__(self, app) -> None:
        self._executor = app.listener_runner.listener_executor
        self._submit = self._executor.submit
        self._running: set[Future] = set()
        self._lock = threading.Lock()
        self._executor.submit = self._tracked_submit

    def _tracked_submit(self, fn, *args, **kwargs) -> Future:
        future = self._submit(fn, *args, **kwargs)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        with self._lock:
            self._running.discard(future)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Return once every listener started so far has finished; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if not self._running:
                    return
            if time.monotonic() >= deadline:
                raise AssertionError(f"the app's listeners were still busy after {timeout}s")
            time.sleep(0.01)
