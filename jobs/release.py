"""Release scheduled work at its slot time, in bulk.

Dramatiq's own delayed messages are moved to the work queue by the worker one enqueue at a time
(~1,300/s on Redis here), so 10,000 reports due at 09:00 would trickle out over 8 s. Instead, the
tick parks delayed generate messages in a Redis sorted set scored by release time, and the clock's
release loop moves every due message onto Dramatiq's work queue in one atomic script call, a few
times a second. Several clocks may run the loop at once: the script removes what it moves.
The embedded default (in-memory broker) keeps Dramatiq's delays; it never sees such bursts.
Parked messages live only in Redis: if it restarts without them, the tick notices and parks the
runs again (jobs.lost_messages).
"""

from __future__ import annotations

import logging
import threading
import time

from dramatiq.common import current_millis

log = logging.getLogger(__name__)

# KEYS: parked set, parked messages hash. ARGV: namespace, now (ms), max count.
_RELEASE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local released = {}
for i, member in ipairs(ids) do
  local sep = string.find(member, '|', 1, true)
  local queue, id = string.sub(member, 1, sep - 1), string.sub(member, sep + 1)
  local data = redis.call('HGET', KEYS[2], member)
  if data then
    redis.call('HSET', ARGV[1] .. ':' .. queue .. '.msgs', id, data)
    redis.call('RPUSH', ARGV[1] .. ':' .. queue, id)
    released[#released + 1] = member
  end
  redis.call('ZREM', KEYS[1], member)
  redis.call('HDEL', KEYS[2], member)
end
return released
"""
BATCH = 5000


def _keys(broker) -> list[str]:
    return [f"{broker.namespace}:reportbot.parked", f"{broker.namespace}:reportbot.parked.msgs"]


def park(broker, pipe, queue_name: str, redis_id: str, data: bytes, release_at_ms: int) -> None:
    """Add one encoded message (with its Redis id) to the parked set, on a pipeline."""
    member = f"{queue_name}|{redis_id}"
    parked, messages = _keys(broker)
    pipe.hset(messages, member, data)
    pipe.zadd(parked, {member: release_at_ms})


def release_due(broker, now_ms: int | None = None) -> list[str]:
    """Move every parked message due by now onto its work queue; return their ids."""
    script = getattr(broker, "_reportbot_release", None)
    if script is None:
        script = broker._reportbot_release = broker.client.register_script(_RELEASE)
    released: list[str] = []
    while True:
        batch = script(keys=_keys(broker), args=[broker.namespace, now_ms or current_millis(), BATCH])
        released.extend(m.decode().split("|", 1)[1] if isinstance(m, bytes) else m.split("|", 1)[1] for m in batch)
        if len(batch) < BATCH:
            return released


def parked_count(broker) -> int:
    return broker.client.zcard(_keys(broker)[0])


class ReleaseLoop(threading.Thread):
    """Call `release_due` every `interval` seconds until stopped (runs inside `reportbot clock`)."""

    def __init__(self, broker, interval: float = 0.05, on_release=None) -> None:
        super().__init__(name="reportbot-release", daemon=True)
        self._broker, self._interval, self._on_release = broker, interval, on_release
        self._stopped = threading.Event()

    def run(self) -> None:
        failing_since = None
        while not self._stopped.is_set():
            try:
                released = release_due(self._broker)
                if failing_since is not None:
                    log.warning("release loop recovered after %.0f s", time.monotonic() - failing_since)
                    failing_since = None
                if released and self._on_release is not None:
                    self._on_release(released)
            except Exception:  # Redis away for a moment: try again next period, say so once
                if failing_since is None:
                    failing_since = time.monotonic()
                    log.exception("release failed; retrying every %.2f s until Redis answers", self._interval)
            self._stopped.wait(self._interval)

    def stop(self) -> None:
        self._stopped.set()
