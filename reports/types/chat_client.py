"""A small client for an OpenAI-compatible chat-completions endpoint, configured by an admin.

Off unless `REPORTBOT_LLM_BASE_URL` and `REPORTBOT_LLM_MODEL` are set (`REPORTBOT_LLM_API_KEY` for
endpoints that want a key; local ones often do not). Calls are paced per endpoint within this
process (`REPORTBOT_LLM_REQUESTS_PER_MINUTE`, default 20) so a burst of Monday-morning reports does
not trip the provider's limit, and retried on 429, 5xx and network errors with exponential backoff,
honouring Retry-After (seconds or an HTTP date; anything else counts as the backoff), within
MAX_TOTAL_WAIT seconds of waiting in all. The key is sent as a Bearer token to the configured
address only: redirects are not followed (one would carry the key to wherever it points), and it
is never logged or shown.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import math
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from reports.env import env_number
from reports.errors import ReportError

log = logging.getLogger(__name__)

RETRY_STATUSES = (408, 409, 429, 500, 502, 503, 504)
MAX_RETRY_DELAY = 120.0  # longer than this and the run is better off failing with a message
MAX_TOTAL_WAIT = 300.0  # all the waiting between attempts of one call, Retry-After included
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # a chat answer is text; more than this is not an answer
MAX_ERROR_BYTES = 4000  # of an error body, enough for the provider's message


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
    max_total_wait: float = MAX_TOTAL_WAIT

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


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Hand a 3xx back as an HTTPError instead of re-sending the request (and its key) elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_RefuseRedirects)


class ChatClient:
    def __init__(self, settings: ChatSettings, *, sleep: Callable[[float], None] = time.sleep,
                 pacer: _Pacer = PACER, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.sleep = sleep
        self.pacer = pacer
        self.clock = clock  # wall-clock seconds, to read a Retry-After given as a date
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
        waited = 0.0
        for attempt in range(self.settings.max_retries + 1):
            self.pacer.wait(self.settings.base_url, interval, self.sleep)
            self.attempts += 1
            last = attempt == self.settings.max_retries
            try:
                request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
                with _OPENER.open(request, timeout=self.settings.timeout) as response:
                    return _answer(json.loads(_read_answer(response).decode("utf-8")), self.settings.model)
            except urllib.error.HTTPError as exc:
                if 300 <= exc.code < 400:
                    raise _redirected(exc.code, exc.headers) from None
                detail = exc.read(MAX_ERROR_BYTES)
                if exc.code not in RETRY_STATUSES or last:
                    raise _explain(exc.code, detail) from None
                asked = retry_after_seconds(exc.headers, now=self.clock())
                if asked is not None and asked > MAX_RETRY_DELAY:
                    raise ChatError(f"The AI endpoint is busy and asked to wait {asked:.0f} s; "
                                    "the run will be retried later.") from None
                delay = asked if asked is not None else self._backoff(attempt)
                log.info("chat endpoint answered %s; retrying in %.1f s", exc.code, delay)
            except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError,
                    UnicodeDecodeError) as exc:
                if last:
                    reason = getattr(exc, "reason", exc)
                    raise ChatError("The AI endpoint could not be reached or answered garbage "
                                    f"({type(reason).__name__}). "
                                    "Ask an admin to check REPORTBOT_LLM_BASE_URL.") from None
                delay = self._backoff(attempt)
            if waited + delay > self.settings.max_total_wait:
                raise ChatError(f"The AI endpoint is still busy after {self.attempts} attempts and {waited:.0f} s of "
                                "waiting; the run will be retried later.")
            waited += delay
            self.sleep(delay)
        raise ChatError("The AI endpoint did not answer.")  # not reached: the loop returns or raises

    def _backoff(self, attempt: int) -> float:
        return min(MAX_RETRY_DELAY, self.settings.backoff_seconds * 2 ** attempt)


def retry_after_seconds(headers: Any, *, now: float) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date, `now` in epoch seconds);
    None when it is absent or unreadable, so the caller's own backoff applies."""
    raw = (headers.get("Retry-After") if headers is not None else None) or ""
    raw = raw.strip()
    if not raw or len(raw) > 64:  # a date is 29 characters; anything this long is not one
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; a date without a zone is read as such
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def _read_answer(response) -> bytes:
    data = response.read(MAX_ANSWER_BYTES + 1)
    if len(data) > MAX_ANSWER_BYTES:
        raise ChatError(f"The AI endpoint's answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB; "
                        "ask for a shorter one (REPORTBOT_LLM_MAX_TOKENS).")
    return data


def _redirected(status: int, headers: Any) -> ChatError:
    target = urlsplit((headers.get("Location") if headers is not None else None) or "")
    where = f" to {target.scheme}://{target.hostname}" if target.scheme and target.hostname else ""
    return ChatError(f"The AI endpoint answered with a redirect ({status}{where}); reportbot does not follow "
                     "redirects, so its API key goes only to the configured address. Ask an admin to set "
                     "REPORTBOT_LLM_BASE_URL to the address the endpoint redirects to.")


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
