"""How the tick sends alert checks: many to a message. Ten thousand alerts due at one minute are
two hundred `check_alerts` messages, not ten thousand `generate` ones, so a check costs a share of
one message, one lease statement and one decision transaction (jobs.alerts.batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

CHECKS_PER_MESSAGE = 50
Item = tuple[int, str, int]  # (run id, phase, delay in ms), what the tick enqueues


def in_check_batches(items: Sequence[Item], checks: Collection[int]) -> list:
    """Group the alert checks among `items` into ("check_alerts", run ids) messages per release time;
    everything else passes through unchanged."""
    if not checks:
        return list(items)
    passed: list = []
    grouped: dict[int, list[int]] = defaultdict(list)
    for run_id, phase, delay in items:
        if run_id in checks:
            grouped[delay].append(run_id)
        else:
            passed.append((run_id, phase, delay))
    for delay, run_ids in grouped.items():
        for start in range(0, len(run_ids), CHECKS_PER_MESSAGE):
            passed.append((run_ids[start:start + CHECKS_PER_MESSAGE], "check_alerts", delay))
    return passed
