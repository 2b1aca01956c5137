"""Keep a run's lease alive while a worker is busy with it."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from jobs.context import JobContext
from storage import runs as run_repo

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renew the lease every third of its length in a background thread; `lost` tells if taken over."""

    def __init__(self, ctx: JobContext, run_id: int, token: str) -> None:
        self._ctx, self._run_id, self._token = ctx, run_id, token
        self._length = dt.timedelta(seconds=ctx.settings.lease_seconds)
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._loop, name=f"lease-{run_id}", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._length.total_seconds() / 3):
            try:
                with self._ctx.database.session() as session:
                    until = self._ctx.now() + self._length
                    if not run_repo.renew_lease(session, self._run_id, token=self._token, until=until):
                        self.lost = True
                        log.warning("run %s: lease was taken over", self._run_id)
                        return
            except Exception:  # a failed renewal is retried next period; the lease has slack
                log.exception("run %s: could not renew the lease", self._run_id)
