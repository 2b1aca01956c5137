"""Injected failures: make chosen methods answer with an error, a 429 or a 5xx."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Pseudo-methods for the non-API endpoints, so tests can break those too.
UPLOAD_ENDPOINT = "upload"
RESPONSE_URL_ENDPOINT = "response"
ANY_METHOD = "*"


@dataclass
class Fault:
    """One armed failure for a method (or "*" for every API method)."""

    method: str
    error: str = "internal_error"
    status: int = 200
    retry_after: int | None = None
    remaining: int | None = 1

    def response(self) -> tuple[int, dict, dict[str, str]]:
        """Return (HTTP status, JSON body, extra headers) for this fault."""
        if self.status == 429:
            # slack_sdk parses Retry-After with int(), so it must be an integer string.
            seconds = 1 if self.retry_after is None else int(self.retry_after)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)}
        headers = {} if self.retry_after is None else {"Retry-After": str(int(self.retry_after))}
        return self.status, {"ok": False, "error": self.error}, headers


class FaultInjector:
    """Hold armed faults and hand them out one use at a time."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, method: str, *, error: str = "internal_error", status: int = 200,
            retry_after: int | None = None, times: int | None = 1) -> Fault:
        """Arm a fault; times=None keeps it until clear()."""
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        fault = Fault(method, error, status, retry_after, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """Consume one use of the first fault matching this method."""
        with self._lock:
            for fault in self._faults:
                api_only = fault.method == ANY_METHOD and method not in (UPLOAD_ENDPOINT, RESPONSE_URL_ENDPOINT)
                if fault.method != method and not api_only:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                logger.debug("injecting fault into %s: status=%s error=%s", method, fault.status, fault.error)
                return fault
        return None

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()
