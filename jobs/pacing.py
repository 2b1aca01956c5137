"""Pace Slack Web API calls per workspace and method, so bursts drain at the tier's rate
instead of bouncing off 429s.

Slack limits each method per workspace (Tier 1–4: 1, 20, 50, 100+ per minute; chat.postMessage
about 1 per second per channel). Every call reserves the next free slot of its bucket (GCRA: the
bucket remembers when its next slot is) and sleeps until then. With REDIS_URL the buckets live in
Redis, so every worker process shares one budget per workspace; otherwise they live in memory.
The 429 retry handler stays as a safety net for what pacing cannot know (other apps' usage), for
short pauses only: a long Retry-After goes back to the delivery, which reschedules that destination.
"""

from __future__ import annotations

import threading
import time

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

# Calls per minute by method (docs.slack.dev tiers; see shared docs, "Rate limits"). Paced a little
# under the limit, since Slack counts in a sliding window.
PER_MINUTE = {
    "files.getUploadURLExternal": 100, "files.completeUploadExternal": 100, "files.info": 100,
    "chat.postEphemeral": 100, "views.publish": 100, "views.open": 100, "views.update": 100,
    "users.info": 100, "conversations.members": 100, "chat.update": 50, "conversations.open": 50,
    "conversations.info": 50, "conversations.history": 50, "conversations.replies": 50,
    "conversations.join": 50, "users.list": 20, "conversations.list": 20, "chat.postMessage": 300,
}
PER_CHANNEL_PER_MINUTE = {"chat.postMessage": 60}
HEADROOM = 0.98


class LocalPacer:
    """Buckets in this process's memory (embedded default)."""

    def __init__(self) -> None:
        self._next_free: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, key: str, interval: float) -> float:
        """Take the bucket's next slot; return how many seconds to wait for it."""
        with self._lock:
            now = time.monotonic()
            start = max(self._next_free.get(key, now), now)
            self._next_free[key] = start + interval
            return start - now


_GCRA = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
redis.call('SET', KEYS[1], start + interval, 'PX', math.ceil(start - now + interval + 60000))
return start - now
"""


class RedisPacer:
    """Buckets in Redis, shared by every worker process (Redis's clock, so hosts may disagree on time)."""

    def __init__(self, redis_url: str, prefix: str = "reportbot:pace:") -> None:
        import redis

        self._client = redis.Redis.from_url(redis_url)
        self._script = self._client.register_script(_GCRA)
        self._prefix = prefix

    def reserve(self, key: str, interval: float) -> float:
        wait_ms = self._script(keys=[self._prefix + key], args=[max(1, int(interval * 1000))])
        return int(wait_ms) / 1000


class PacedWebClient(WebClient):
    """A WebClient that waits for its workspace's budget before every call."""

    def __init__(self, *, pacer, team_id: str, multiplier: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self._pacer, self._team_id, self._multiplier = pacer, team_id, multiplier

    def api_call(self, api_method: str, **kwargs):
        for key, per_minute in self._buckets(api_method, kwargs):
            wait = self._pacer.reserve(key, 60.0 / (per_minute * HEADROOM * self._multiplier))
            if wait > 0:
                time.sleep(wait)
        return super().api_call(api_method, **kwargs)

    def _buckets(self, api_method: str, kwargs: dict) -> list[tuple[str, int]]:
        buckets = []
        if api_method in PER_MINUTE:
            buckets.append((f"{self._team_id}:{api_method}", PER_MINUTE[api_method]))
        if api_method in PER_CHANNEL_PER_MINUTE:
            params = kwargs.get("json") or kwargs.get("params") or kwargs.get("data") or {}
            channel = params.get("channel") or params.get("channel_id")
            if channel:
                buckets.append((f"{self._team_id}:{api_method}:{channel}", PER_CHANNEL_PER_MINUTE[api_method]))
        return buckets


class BriefRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Wait out a 429 in place only when Slack asks for a short pause.

    slack_sdk's handler sleeps whatever Retry-After says; a 60 s pause would hold a worker thread
    while other workspaces' reports queue behind it. Longer pauses reach the caller instead: the
    delivery reschedules that destination no sooner than Retry-After and the thread moves on.
    """

    def __init__(self, max_retry_count: int = 3, longest_wait: float = 5.0) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.longest_wait = longest_wait

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        if not values:
            return True  # slack_sdk waits about a second
        try:  # parsed as slack_sdk will parse it to sleep: a whole number of seconds
            wait = int(values[0] if isinstance(values, list) else values)
        except ValueError:
            return False
        return 0 <= wait <= self.longest_wait
