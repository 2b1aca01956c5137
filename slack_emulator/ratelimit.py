"""Sliding-window rate limits per team and method, modelled on Slack's tiers."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Requests per minute for each documented tier (docs.slack.dev "Rate limits").
TIER_PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
# Special-tier (t5) methods with a known budget; others in t5 are left unlimited.
SPECIAL_PER_MINUTE = {"auth.test": 600}
# chat.postMessage: about 1/s per channel with short bursts, plus a workspace ceiling.
POST_MESSAGE_CHANNEL_BURST = 3
POST_MESSAGE_CHANNEL_WINDOW = 3.0
POST_MESSAGE_TEAM_PER_MINUTE = 300


@dataclass(frozen=True)
class Limit:
    """Allow `count` requests per `window` seconds (before scaling)."""

    count: int
    window: float


class RateLimiter:
    """Admit or refuse requests; refused ones get a Retry-After in whole seconds."""

    def __init__(self, scale: float = 1.0, clock=time.monotonic) -> None:
        if scale <= 0:
            raise ValueError("rate_limit_scale must be > 0")
        self.scale = scale
        self._clock = clock
        self._hits: dict[tuple, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def limits_for(self, method: str, tier: str | None, team_id: str, channel: str | None) -> list[tuple[tuple, Limit]]:
        """Return the (bucket key, limit) pairs a request must fit in."""
        if method == "chat.postMessage":
            buckets = [((team_id, method), Limit(POST_MESSAGE_TEAM_PER_MINUTE, 60.0))]
            if channel:
                buckets.append(((team_id, method, channel),
                                Limit(POST_MESSAGE_CHANNEL_BURST, POST_MESSAGE_CHANNEL_WINDOW)))
            return buckets
        per_minute = SPECIAL_PER_MINUTE.get(method) or TIER_PER_MINUTE.get(tier or "")
        if per_minute is None:
            return []
        return [((team_id, method), Limit(per_minute, 60.0))]

    def check(self, buckets: list[tuple[tuple, Limit]]) -> int | None:
        """Record the request and return None, or return Retry-After seconds if over a limit."""
        now = self._clock()
        with self._lock:
            wait = 0.0
            for key, limit in buckets:
                window = limit.window / self.scale
                hits = self._hits[key]
                while hits and hits[0] <= now - window:
                    hits.popleft()
                if len(hits) >= limit.count:
                    wait = max(wait, hits[0] + window - now)
            if wait > 0:
                return max(1, math.ceil(wait))
            # Only admitted requests count, as in a sliding window.
            for key, _limit in buckets:
                self._hits[key].append(now)
            return None

    def reset(self) -> None:
        """Forget all recorded requests."""
        with self._lock:
            self._hits.clear()
