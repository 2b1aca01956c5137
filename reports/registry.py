"""Report types: a registry filled by decorators, built-ins registered the way a plugin would.

Third-party packages add types through the `reportbot.report_types` entry point: each entry point
names a module whose import registers its types with `@report_type(...)`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from reports.errors import ParameterError, UnknownReportType
from reports.table import Table
from reports.window import Window

log = logging.getLogger(__name__)

_BUILTINS = ("reports.types.demo_sales",)


@dataclass(frozen=True)
class Param:
    """A parameter a report type declares, so Slack can ask for it without type-specific code."""

    name: str
    label: str
    type: str = "text"  # text | integer | choice | boolean
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    help: str = ""

    def coerce(self, raw: Any) -> Any:
        """Validate and convert one raw value, raising ParameterError with a readable message."""
        if raw is None or raw == "":
            if self.required:
                raise ParameterError(f"“{self.label}” is required.")
            return self.default
        if self.type == "integer":
            try:
                return int(str(raw).strip())
            except ValueError:
                raise ParameterError(f"“{self.label}” must be a whole number, not “{raw}”.") from None
        if self.type == "boolean":
            return str(raw).strip().lower() in ("1", "true", "yes", "on")
        if self.type == "choice" and str(raw) not in self.choices:
            raise ParameterError(f"“{self.label}” must be one of: {', '.join(self.choices)}.")
        return str(raw)


@dataclass(frozen=True)
class ReportRequest:
    """Everything a report type needs to fetch the data of one run."""

    params: dict[str, Any]
    window: Window
    timezone: str
    slot: dt.datetime
    services: dict[str, Any] = field(default_factory=dict)  # e.g. a Slack client for Slack-native types


@dataclass(frozen=True)
class ReportType:
    name: str
    title: str
    description: str
    fetch: Callable[[ReportRequest], Table]
    params: tuple[Param, ...] = ()
    default_window: str = "previous_day"
    default_formats: tuple[str, ...] = ("csv",)

    def validate_params(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Return the params converted to their types; reject unknown names and bad values."""
        known = {p.name for p in self.params}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ParameterError(f"{self.title} has no parameter {', '.join(unknown)}.")
        return {p.name: p.coerce(raw.get(p.name)) for p in self.params}


_TYPES: dict[str, ReportType] = {}
_loaded = False


def report_type(
    name: str,
    *,
    title: str,
    description: str,
    params: tuple[Param, ...] = (),
    default_window: str = "previous_day",
    default_formats: tuple[str, ...] = ("csv",),
) -> Callable[[Callable[[ReportRequest], Table]], Callable[[ReportRequest], Table]]:
    """Register `fetch(request) -> Table` as the report type `name`."""

    def register(fetch: Callable[[ReportRequest], Table]) -> Callable[[ReportRequest], Table]:
        _TYPES[name] = ReportType(name, title, description, fetch, params, default_window, default_formats)
        return fetch

    return register


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in _BUILTINS:
        importlib.import_module(module)
    for entry in entry_points(group="reportbot.report_types"):
        try:
            entry.load()
        except Exception:  # a broken plugin must not take the built-ins down with it
            log.exception("could not load report type plugin %s", entry.name)


def get_report_type(name: str) -> ReportType:
    _load()
    try:
        return _TYPES[name]
    except KeyError:
        known = ", ".join(sorted(_TYPES))
        raise UnknownReportType(f"There is no report type “{name}”. Available: {known}.") from None


def all_report_types() -> list[ReportType]:
    _load()
    return sorted(_TYPES.values(), key=lambda t: t.name)
