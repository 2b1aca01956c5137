"""Carry on work the database dropped, as soon as it is back.

While PostgreSQL restarts or fails over, a generate or deliver message that hits it is sent again
with backoff (about 1 s doubling to 10 s, with jitter, for about ten minutes) instead of being
dropped: dropped, its run would wait for its lease (RUN_LEASE_SECONDS) or dispatch deadline
(DISPATCH_TIMEOUT) to run out. The retry carries the lease the attempt may still hold
(jobs.lease.LeaseClaim), so it takes over at once. Past the retries, those deadlines still apply.
"""

from __future__ import annotations

import logging

import dramatiq

from jobs.delivery.policy import backoff_seconds
from jobs.lease import LeaseClaim

log = logging.getLogger(__name__)

OUTAGE_RETRIES = 80  # ~75 of them 5-10 s apart: about ten minutes
OUTAGE_BACKOFF_BASE = 1.0
OUTAGE_BACKOFF_CAP = 10.0  # so the work is on its way again within 10 s of the database's return


def retry_after_outage(actor: dramatiq.Actor, run_id: int, claim: LeaseClaim, retries: int,
                       error: BaseException) -> None:
    """Send `actor`'s message for `run_id` again after a backoff, carrying the claim's lease."""
    if retries >= OUTAGE_RETRIES:
        log.error("run %s: the database stayed unreachable through %d tries of %s; the run's lease or "
                  "dispatch deadline will send it again", run_id, retries, actor.actor_name)
        return
    delay = backoff_seconds(retries + 1, base=OUTAGE_BACKOFF_BASE, cap=OUTAGE_BACKOFF_CAP)
    log.warning("run %s: the database could not be reached (%s); %s again in %.1f s", run_id,
                type(error).__name__, actor.actor_name, delay)
    actor.send_with_options(args=(run_id,), kwargs={"resume": claim.resume_from(), "outage_retries": retries + 1},
                            delay=int(delay * 1000))
