"""What one send attempt came to, and when (if ever) to try a destination again.

    SendOutcome.status
     ├── "sent"
     ├── "retry"    temporary: rate limited (Retry-After honoured), 5xx, network, SMTP 4xx
     │              maybe_sent=True when the failure came after the message may have gone out
     │              (5xx or a timeout on the posting call): check for evidence before re-sending
     └── "failed"   permanent: channel_not_found, is_archived, not_in_channel, invalid_auth,
                    account_inactive, SMTP 5xx, invalid input… never retried; fallback=True lets
                    the owner's email stand in for a Slack destination
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

# Slack asks for seconds, at most a minute or so. A longer Retry-After (a broken proxy, or a
# hostile one sending 10**30) counts as this long: the wait stays bounded and representable.
RETRY_AFTER_CEILING = 3600.0


@dataclass(frozen=True)
class SendOutcome:
    status: str  # sent | retry | failed
    code: str | None = None  # machine-readable: a Slack error code, "smtp_550", "invalid_address"…
    detail: str | None = None  # plain words for the owner
    retry_after: float | None = None  # seconds the other side asked us to wait
    maybe_sent: bool = False
    fallback: bool = False
    channel_id: str | None = None
    file_ids: list[str] = field(default_factory=list)
    message_ts: str | None = None
    message_id: str | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"

    @property
    def error(self) -> str:
        """The stored error: plain words with the code in brackets, for owners and on-call alike."""
        if self.detail and self.code and self.code not in self.detail:
            return f"{self.detail} ({self.code})"
        return self.detail or self.code or "unknown error"


def sent(**kwargs) -> SendOutcome:
    return SendOutcome("sent", **kwargs)


def retry(code: str, detail: str, *, retry_after: float | None = None, maybe_sent: bool = False) -> SendOutcome:
    return SendOutcome("retry", code=code, detail=detail, retry_after=retry_after, maybe_sent=maybe_sent)


def failed(code: str, detail: str, *, fallback: bool = False) -> SendOutcome:
    return SendOutcome("failed", code=code, detail=detail, fallback=fallback)


def retry_after_seconds(value: object) -> float | None:
    """Read a Retry-After value (delay-seconds) as seconds within [0, RETRY_AFTER_CEILING], or None
    when it is not a number (an HTTP date, garbage: the usual backoff applies)."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    try:
        seconds = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), RETRY_AFTER_CEILING)


def backoff_seconds(attempts: int, *, base: float, cap: float, retry_after: float | None = None,
                    rng: random.Random | None = None) -> float:
    """Delay before attempt `attempts + 1`: exponential with "equal jitter", never below Retry-After
    (itself capped at RETRY_AFTER_CEILING).

    Half the exponential step is fixed and half random, so retries spread out (no thundering herd
    after an outage) yet always wait a sensible minimum.
    """
    rng = rng or random
    step = min(cap, base * 2 ** min(max(0, attempts - 1), 60))  # 2**60 is past any cap; no float overflow
    delay = step / 2 + rng.uniform(0, step / 2)
    if retry_after is not None:
        delay = max(delay, retry_after_seconds(retry_after) or 0.0)
    return delay
