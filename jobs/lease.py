"""Keep a run's lease alive while a worker is busy with it; hand it over when the database dropped
the attempt mid-way; take it back from workers that died."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from dataclasses import dataclass, field

from jobs.context import JobContext
from jobs.phases import next_phase
from jobs.settle import after_settle, settle_run
from storage import runs as run_repo
from storage.models import DeliveryStatus, Run, RunStatus

log = logging.getLogger(__name__)


@dataclass
class LeaseClaim:
    """The token an attempt takes a run's lease with, and the token it may take it over from.

    An attempt cut off by a database outage cannot give its lease back; its retry message carries
    `resume_from()` so the next attempt takes over at once instead of waiting for the lease to run
    out. Only one message carries a given token, and the takeover is one conditional UPDATE, so at
    most one attempt ever holds the run.
    """

    resume: str | None = None  # the predecessor's token, if it may still hold the lease
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    taken: bool = False  # set once this attempt's take is committed

    def resume_from(self) -> str | None:
        """The token that may hold the lease now: this attempt's if it took it, else the predecessor's."""
        return self.token if self.taken else self.resume


class LeaseKeeper:
    """Renew the lease every third of its length in a background thread; `lost` tells if taken over."""

    def __init__(self, ctx: JobContext, run_id: int, token: str) -> None:
        self._ctx, self._run_id, self._token = ctx, run_id, token
        self._length = dt.timedelta(seconds=ctx.settings.lease_seconds)
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._loop, name=f"lease-{run_id}", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _renew(self, session, until: dt.datetime) -> bool:
        return run_repo.renew_lease(session, self._run_id, token=self._token, until=until)

    def _loop(self) -> None:
        while not self._stop.wait(self._length.total_seconds() / 3):
            try:
                with self._ctx.database.session() as session:
                    if not self._renew(session, self._ctx.now() + self._length):
                        self.lost = True
                        log.warning("run %s: lease was taken over", self._run_id)
                        return
            except Exception:  # a failed renewal is retried next period; the lease has slack
                log.exception("run %s: could not renew the lease", self._run_id)


def recover_expired(ctx: JobContext, enqueue, *, now: dt.datetime) -> list[int]:
    """Enqueue again the runs whose worker died or whose message was lost; give up on a run after
    MAX_ATTEMPTS takes without a clean hand-over, settling it so its owner hears about it.

    A run given up while delivering keeps what was sent; what was mid-send is marked failed, not
    re-sent, since nobody can say whether it arrived.
    """
    dispatch = dt.timedelta(seconds=ctx.settings.dispatch_timeout)
    again: list[tuple[int, str]] = []
    settled: list[tuple[str, str, int]] = []
    with ctx.database.session() as session:
        for run in run_repo.expired_leases(session, now):
            if run.attempt >= ctx.settings.max_attempts:
                error = f"The worker stopped {run.attempt} times while handling this run; giving up."
                sent = close_open_deliveries(
                    run, error, mid_send="the worker stopped while sending this; it may or may not have arrived")
                schedule = settle_run(session, run, RunStatus.PARTIAL if sent else RunStatus.FAILED, now=now,
                                      error=error, failures_before_pause=ctx.settings.failures_before_pause)
                log.error("run %s: %s", run.id, error)
                if schedule is not None:
                    settled.append((schedule.team_id, schedule.owner_user_id, run.id))
                continue
            phase = next_phase(run.status, run.trigger)  # run-now and previews back on the interactive queue
            run.lease_token = None  # whoever held it lost it; the next message takes it
            run.lease_until = now + dispatch
            again.append((run.id, phase))
    for run_id, phase in again:
        log.warning("run %s: lease expired, enqueuing %s again", run_id, phase)
        enqueue(run_id, phase, 0)
    for team_id, owner, run_id in settled:
        after_settle(ctx, team_id, owner, run_id=run_id)
    return [run_id for run_id, _ in again]


def close_open_deliveries(run: Run, reason: str, *, mid_send: str) -> int:
    """Fail the deliveries still open on a run given up (`mid_send` says why one caught sending is
    not re-sent); return how many were sent. Used by lease recovery and the stale-run cleanup."""
    for delivery in run.deliveries:
        if delivery.status == DeliveryStatus.PENDING:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = f"not sent: {reason}"
        elif delivery.status == DeliveryStatus.SENDING:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = mid_send
    return sum(d.status == DeliveryStatus.SENT for d in run.deliveries)
