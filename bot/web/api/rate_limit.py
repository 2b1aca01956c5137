"""How many requests a token may make in a minute: counted in Redis when REDIS_URL is set, so every web
process counts together (a limit per process would multiply with their number), else in this process.

Both keep a sliding window: at most `per_minute` requests in any 60 seconds, and a refused request is
told when the oldest one leaves the window (`Retry-After`). Redis counts with its own clock, so web
hosts whose clocks disagree still share one window; when Redis cannot be reached the process counts on
its own rather than refusing every call.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import math
import threading
import uuid

from bot.web.api.problems import ApiProblem

log = logging.getLogger(__name__)
WINDOW = dt.timedelta(minutes=1)
PREFIX = "reportbot:api-rate:"

# KEYS[1]: the token's sorted set of request times (ms); ARGV: window ms, limit, a unique member.
# Returns 0 when the request is counted, else the milliseconds until the oldest leaves the window.
_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""


def _too_many(per_minute: int, wait_seconds: float) -> ApiProblem:
    wait = max(1, math.ceil(wait_seconds))
    return ApiProblem(429, f"This token made {per_minute} requests in the last minute, the most allowed; try "
                           f"again in {wait} s.", headers=(("Retry-After", str(wait)),))


class LocalRateLimiter:
    """The window of each token, in this process (the embedded default: one process serves everything)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[int, collections.deque] = {}
        self._lock = threading.Lock()

    def check(self, token_id: int, now: dt.datetime) -> None:
        """Count this request, or raise 429 saying when the next one will be taken."""
        with self._lock:
            seen = self._seen.setdefault(token_id, collections.deque())
            while seen and now - seen[0] >= WINDOW:
                seen.popleft()
            if len(seen) >= self.per_minute:
                raise _too_many(self.per_minute, (seen[0] + WINDOW - now).total_seconds())
            seen.append(now)


class RedisRateLimiter:
    """The window of each token in Redis, shared by every web process."""

    def __init__(self, redis_url: str, per_minute: int, *, prefix: str = PREFIX) -> None:
        import redis

        self.per_minute = per_minute
        self._client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._client.register_script(_SLIDING_WINDOW)
        self._prefix = prefix
        self._fallback = LocalRateLimiter(per_minute)

    def check(self, token_id: int, now: dt.datetime) -> None:
        import redis

        try:
            wait_ms = int(self._script(keys=[f"{self._prefix}{token_id}"],
                                       args=[int(WINDOW.total_seconds() * 1000), self.per_minute, uuid.uuid4().hex]))
        except redis.RedisError as exc:
            log.warning("API rate limit: Redis unreachable (%s); counting in this process", type(exc).__name__)
            self._fallback.check(token_id, now)
            return
        if wait_ms:
            raise _too_many(self.per_minute, wait_ms / 1000)


def rate_limiter(deps) -> LocalRateLimiter | RedisRateLimiter:
    """The limiter of this web process: shared through Redis when the app has one."""
    per_minute, redis_url = deps.settings.api_rate_per_minute, deps.jobs.settings.redis_url
    return RedisRateLimiter(redis_url, per_minute) if redis_url else LocalRateLimiter(per_minute)
