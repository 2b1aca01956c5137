"""An in-process Dramatiq worker and clock for the embedded default (no Redis, one process)."""

from __future__ import annotations

import logging
import threading

import dramatiq

log = logging.getLogger(__name__)


def start_worker(broker: dramatiq.Broker, *, threads: int = 4) -> dramatiq.Worker:
    """Start consuming every queue in background threads; call `.stop()` to finish."""
    # A short poll timeout releases delayed messages close to their slot time.
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


class ClockThread(threading.Thread):
    """Run `tick_once()` every `interval` seconds until stopped."""

    def __init__(self, tick_once, interval: float) -> None:
        super().__init__(name="reportbot-clock", daemon=True)
        self._tick_once = tick_once
        self._interval = interval
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self._tick_once()
            except Exception:  # the clock must outlive a failed tick (database briefly away, …)
                log.exception("tick failed")
            self._stopped.wait(self._interval)

    def stop(self) -> None:
        self._stopped.set()
