"""A small client for an OpenAI-compatible chat-completions endpoint, configured by an admin.

Off unless `REPORTBOT_LLM_BASE_URL` and `REPORTBOT_LLM_MODEL` are set (`REPORTBOT_LLM_API_KEY` for
endpoints that want a key; local ones often do not). Calls are paced per endpoint within this
process (`REPORTBOT_LLM_REQUESTS_PER_MINUTE`, default 20) so a burst of Monday-morning reports does
not trip the provider's limit, and retried on 429, 5xx and network errors with exponential backoff,
honouring Retry-After. The key is sent as a Bearer token and never logged or shown.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reports.env import env_number
from reports.errors import ReportError

log = logging.getLogger(__name__)

RETRY_STATUSES = (408, 409, 429, 500, 502, 503, 504)
MAX_RETRY_DELAY = 120.0  # longer than this and the run is better off failing with a message


class ChatError(ReportError):
    """The chat endpoint could not produce an answer."""


class ChatNotConfigured(ChatError):
    """No endpoint is configured, so the report type is off."""


@dataclass(frozen=True)
class ChatSettings:
    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout: float = 60.0
    max_retries: int = 3
    requests_per_minute: float = 20.0
    max_tokens: int | None = None
    backoff_seconds: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChatSettings | None:
        """Settings from the environment, or None when the admin has not configured an endpoint."""
        env = os.environ if env is None else env
        base_url = env.get("REPORTBOT_LLM_BASE_URL", "").strip()
        model = env.get("REPORTBOT_LLM_MODEL", "").strip()
        if not base_url or not model:
            return None
        if not base_url.startswith(("http://", "https://")):
            raise ChatError("REPORTBOT_LLM_BASE_URL must be an http(s) URL, such as https://api.openai.com/v1.")

        def number(key: str, default: float) -> float:
            return env_number(env, key, default, ChatError)

        max_tokens = number("REPORTBOT_LLM_MAX_TOKENS", 0)
        return cls(base_url=base_url, model=model, api_key=env.get("REPORTBOT_LLM_API_KEY", "").strip(),
                   timeout=max(1.0, number("REPORTBOT_LLM_TIMEOUT", cls.timeout)),
                   max_retries=max(0, int(number("REPORTBOT_LLM_MAX_RETRIES", cls.max_retries))),
                   requests_per_minute=max(0.0, number("REPORTBOT_LLM_REQUESTS_PER_MINUTE", cls.requests_per_minute)),
                   max_tokens=int(max_tokens) if max_tokens > 0 else None)


class _Pacer:
    """Spaces calls to one endpoint at least `interval` seconds apart, across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, key: str, interval: float, sleep: Callable[[float], None],
             clock: Callable[[], float] = time.monotonic) -> None:
        if interval <= 0:
            return
        with self._lock:  # reserve a slot, then sleep outside the lock
            now = clock()
            at = max(now, self._next.get(key, 0.0))
            self._next[key] = at + interval
        if at > now:
            sleep(at - now)


PACER = _Pacer()


@dataclass
class ChatAnswer:
    text: str
    truncated: bool
    model: str


class ChatClient:
    def __init__(self, settings: ChatSettings, *, sleep: Callable[[float], None] = time.sleep,
                 pacer: _Pacer = PACER) -> None:
        self.settings = settings
        self.sleep = sleep
        self.pacer = pacer
        self.attempts = 0

    @property
    def url(self) -> str:
        return self.settings.base_url.rstrip("/") + "/chat/completions"

    def complete(self, messages: list[dict[str, str]]) -> ChatAnswer:
        """Send the conversation and return the answer's text."""
        body: dict[str, Any] = {"model": self.settings.model, "messages": messages, "temperature": 0.2}
        if self.settings.max_tokens:
            body["max_tokens"] = self.settings.max_tokens
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "reportbot"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        interval = 60.0 / self.settings.requests_per_minute if self.settings.requests_per_minute else 0.0
        for attempt in range(self.settings.max_retries + 1):
            self.pacer.wait(self.settings.base_url, interval, self.sleep)
            self.attempts += 1
            last = attempt == self.settings.max_retries
            try:
                request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                    return _answer(json.loads(response.read().decode("utf-8")), self.settings.model)
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:4000]
                if exc.code not in RETRY_STATUSES or last:
                    raise _explain(exc.code, detail) from None
                delay = _retry_after(exc.headers) or self._backoff(attempt)
                if delay > MAX_RETRY_DELAY:
                    raise ChatError(f"The AI endpoint is busy and asked to wait {delay:.0f} s; "
                                    "the run will be retried later.") from None
                log.info("chat endpoint answered %s; retrying in %.1f s", exc.code, delay)
                self.sleep(delay)
            except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError) as exc:
                if last:
                    reason = getattr(exc, "reason", exc)
                    raise ChatError(f"The AI endpoint could not be reached or answered garbage ({type(reason).__name__}). "
                                    "Ask an admin to check REPORTBOT_LLM_BASE_URL.") from None
                self.sleep(self._backoff(attempt))
        raise ChatError("The AI endpoint did not answer.")  # not reached: the loop returns or raises

    def _backoff(self, attempt: int) -> float:
        return min(MAX_RETRY_DELAY, self.settings.backoff_seconds * 2 ** attempt)


def _retry_after(headers: Any) -> float | None:
    raw = headers.get("Retry-After") if headers is not None else None
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        when = email.utils.parsedate_to_datetime(raw) if raw else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def _answer(payload: Any, model: str) -> ChatAnswer:
    try:
        choice = payload["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ChatError("The AI endpoint's answer is not in the chat-completions format.") from None
    if isinstance(content, list):  # some servers return content parts
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    text = str(content or "").strip()
    if not text:
        raise ChatError("The AI endpoint returned an empty answer.")
    return ChatAnswer(text, choice.get("finish_reason") == "length", str(payload.get("model") or model))


def _explain(status: int, body: bytes) -> ChatError:
    if status in (401, 403):
        return ChatError(f"The AI endpoint refused reportbot's API key ({status}); ask an admin to check "
                         "REPORTBOT_LLM_API_KEY.")
    message = ""
    try:
        error = json.loads(body.decode("utf-8")).get("error")
        message = error.get("message", "") if isinstance(error, dict) else str(error or "")
    except (ValueError, AttributeError, UnicodeDecodeError):
        pass
    suffix = f": {message[:300]}" if message else ""
    return ChatError(f"The AI endpoint answered {status}{suffix}")
