"""Structured logs: every line a worker writes about a run carries its run and schedule ids.

`log_context(run_id=…)` adds fields for the code running inside it (a context variable, so each
worker thread has its own); `configure_logging()` installs a filter that puts them on every record
and, with LOG_FORMAT=json, a formatter that writes one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

# Read-only default: every change sets a new mapping, so no block can alter what another one sees.
_fields: ContextVar[Mapping[str, object]] = ContextVar("reportbot_log_fields", default=MappingProxyType({}))
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"


@contextmanager
def log_context(**fields) -> Iterator[None]:
    """Add `fields` to every log record written inside the block."""
    token = _fields.set({**_fields.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _fields.reset(token)


def add_log_fields(**fields) -> None:
    """Add fields learnt part-way through a `log_context` block (e.g. the schedule of a run); the
    block's exit drops them. Outside a block it does nothing, so nothing leaks into later work."""
    current = _fields.get()
    if current:
        _fields.set({**current, **{k: v for k, v in fields.items() if v is not None}})


class ContextFilter(logging.Filter):
    """Copy the current fields onto the record (`record.context` is " run_id=… schedule_id=…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _fields.get()
        record.fields = fields
        record.context = "".join(f" {k}={v}" for k, v in fields.items())
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage(), **getattr(record, "fields", {})}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _AppendContext(logging.Formatter):
    """Wrap a handler's own formatter (e.g. the dramatiq CLI's) and append the context fields."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return self._inner.format(record) + getattr(record, "context", "")


def attach_context() -> None:
    """Put the context fields on every record of the root handlers already installed (the dramatiq
    CLI installs its own); with LOG_FORMAT=json, switch them to one JSON object per line."""
    as_json = os.environ.get("LOG_FORMAT", "text").lower() == "json"
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, ContextFilter) for f in handler.filters):
            continue
        handler.addFilter(ContextFilter())
        formatter = handler.formatter or logging.Formatter()
        if as_json:
            handler.setFormatter(JsonFormatter())
        elif "%(context)s" not in (getattr(formatter, "_fmt", None) or ""):
            handler.setFormatter(_AppendContext(formatter))


def configure_logging(level: str | None = None) -> None:
    """Set up logging for a reportbot process (the CLI's entry point, never library code)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=(level or os.environ.get("LOG_LEVEL", "INFO")).upper(), format=TEXT_FORMAT)
    attach_context()
