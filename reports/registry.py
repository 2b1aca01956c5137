"""Report types: a registry filled by decorators, built-ins registered the way a plugin would.

Third-party packages add types through the `reportbot.report_types` entry point: each entry point
names a module whose import registers its types with `@report_type(...)`:

    [project.entry-points."reportbot.report_types"]
    tickets = "acme_reports.tickets"

Each type declares its parameters (`Param`) so the Slack modal and the `/report` one-liner can ask
for them without type-specific code; `ReportType.validate_params` turns raw answers into typed
values or a `ParameterError` that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import math
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from typing import Any

from reports.errors import ParameterError, ReportError, UnknownReportType
from reports.table import Table
from reports.window import MAX_N, SCHEDULE_WINDOW, WINDOW_CHOICES, WINDOW_LABELS, Window

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "reportbot.report_types"
_BUILTINS = (
    "reports.types.demo_sales",
    "reports.types.sql",
    "reports.types.channel_activity",
    "reports.types.prompt",
)

PARAM_TYPES = ("text", "integer", "number", "choice", "boolean", "list", "channels")
# Every schedule may carry these; jobs/generate.py takes them out before the type sees its params.
WINDOW_PARAM_NAMES = ("window", "window_n")
_TRUE = ("1", "true", "yes", "y", "on")
_FALSE = ("0", "false", "no", "n", "off")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CHANNEL_MENTION = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")


@dataclass(frozen=True)
class Param:
    """A parameter a report type declares, so Slack can ask for it without type-specific code.

    `type` is one of PARAM_TYPES. `min`/`max` bound an integer or number, and the item count of a
    list or channels value; `max_length` bounds text. `choices_from` supplies choices that are only
    known at run time (data sources, report types); it wins over `choices`. `choices_for(team_id,
    user_id)` supplies the choices open to the person asking (the data sources they may use); the
    form shows those when it knows who is asking.
    """

    name: str
    label: str
    type: str = "text"  # text | integer | number | choice | boolean | list | channels
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    help: str = ""
    multiline: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    choices_from: Callable[[], Iterable[str]] | None = field(default=None, compare=False, repr=False)
    choices_for: Callable[[str | None, str | None], Iterable[str]] | None = field(default=None, compare=False,
                                                                                 repr=False)
    # What people read for a choice ("previous_week" -> "Previous week"); the value itself when absent.
    choice_labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Declaration mistakes are programming errors: fail when the type registers, not at 9am.
        if not _NAME.match(self.name):
            raise ValueError(f"parameter name {self.name!r} must be lower_snake_case")
        if self.type not in PARAM_TYPES:
            raise ValueError(f"parameter {self.name!r} has unknown type {self.type!r}; use one of {PARAM_TYPES}")
        if self.type == "choice" and not (self.choices or self.choices_from):
            raise ValueError(f"choice parameter {self.name!r} declares no choices")
        if not self.label:
            raise ValueError(f"parameter {self.name!r} needs a label")

    def available_choices(self, team_id: str | None = None, user_id: str | None = None) -> tuple[str, ...]:
        """The choices as of now (dynamic ones are asked for each time); the person's own when given."""
        if self.choices_for is not None and user_id is not None:
            return tuple(str(c) for c in self.choices_for(team_id, user_id))
        if self.choices_from is not None:
            return tuple(str(c) for c in self.choices_from())
        return tuple(self.choices)

    def choice_label(self, choice: str) -> str:
        """A choice as people read it."""
        return self.choice_labels.get(choice, choice)

    def display(self, value: Any) -> str:
        """A stored value as people read it: choice labels, yes/no, items joined."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        if self.type == "choice" and isinstance(value, str):
            return self.choice_label(value)
        if isinstance(value, float) and value.is_integer():
            return f"{int(value):,}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    def describe(self) -> dict[str, Any]:
        """A JSON-safe description for the modal and the one-liner's help."""
        described = {
            "name": self.name, "label": self.label, "type": self.type, "required": self.required,
            "choices": [], "default": _json_safe(self.default), "help": self.help,
            "multiline": self.multiline, "min": self.min, "max": self.max, "max_length": self.max_length,
        }
        try:
            described["choices"] = list(self.available_choices())
        except ReportError as exc:  # e.g. a broken data source file: show the form, say what is wrong
            described["choices_error"] = str(exc)
        return described

    def coerce(self, raw: Any) -> Any:
        """Validate and convert one raw value, raising ParameterError with a readable message."""
        if _is_empty(raw):
            if self.required:
                raise ParameterError(f"“{self.label}” is required.")
            return self.default
        if self.type == "integer":
            return self._bounded(self._integer(raw))
        if self.type == "number":
            return self._bounded(self._number(raw))
        if self.type == "boolean":
            return self._boolean(raw)
        if self.type == "choice":
            return self._choice(raw)
        if self.type == "list":
            return self._items(_split(raw))
        if self.type == "channels":
            return self._items(tuple(dict.fromkeys(_channel_ref(item) for item in _split(raw))))
        text = str(raw) if self.multiline else str(raw).strip()
        if self.max_length is not None and len(text) > self.max_length:
            raise ParameterError(f"“{self.label}” is too long: {len(text):,} characters, at most "
                                 f"{self.max_length:,}.")
        return text

    def _integer(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise ParameterError(f"“{self.label}” must be a whole number, not “{raw}”.")
        if isinstance(raw, int):
            return raw
        try:
            return int(str(raw).strip().replace(",", "").replace("_", ""))
        except ValueError:
            raise ParameterError(f"“{self.label}” must be a whole number, not “{raw}”.") from None

    def _number(self, raw: Any) -> float:
        try:
            value = float(str(raw).strip().replace(",", "")) if not isinstance(raw, bool) else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ParameterError(f"“{self.label}” must be a number, not “{raw}”.")
        return value

    def _bounded(self, value: float) -> int | float:
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ParameterError(f"“{self.label}” must be between {_num(self.min)} and {_num(self.max)}, "
                                 f"not {_num(value)}.")
        return value

    def _boolean(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ParameterError(f"“{self.label}” must be yes or no, not “{raw}”.")

    def _choice(self, raw: Any) -> str:
        choices = self.available_choices()
        wanted = str(raw).strip()
        for choice in choices:  # the value, or what people read for it
            if wanted.lower() in (choice.lower(), self.choice_label(choice).lower()):
                return choice
        shown = ", ".join(map(self.choice_label, choices)) if choices else "(none are set up yet)"
        raise ParameterError(f"“{self.label}” must be one of: {shown} — not “{wanted}”.")

    def _items(self, items: tuple[str, ...]) -> tuple[str, ...]:
        if not items and self.required:
            raise ParameterError(f"“{self.label}” is required.")
        if self.max is not None and len(items) > self.max:
            raise ParameterError(f"“{self.label}” takes at most {_num(self.max)} items, not {len(items)}.")
        return items


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple, set, frozenset)):
        return not raw
    return False


def _split(raw: Any) -> tuple[str, ...]:
    """Split "a, b c" or ["a", "b"] into items; Slack modals send lists, the one-liner sends text."""
    parts = raw if isinstance(raw, (list, tuple, set, frozenset)) else re.split(r"[,\s]+", str(raw))
    return tuple(str(p).strip() for p in parts if str(p).strip())


def _channel_ref(item: str) -> str:
    """Normalise a channel reference: "<#C123|x>" and "C123" give the id, "#name" and "name" give "#name"."""
    mention = _CHANNEL_MENTION.match(item)
    if mention:
        return mention.group(1)
    if _CHANNEL_ID.match(item):
        return item
    name = item.lstrip("#").lower()
    if not name or not re.match(r"^[a-z0-9][a-z0-9._-]*$", name):
        raise ParameterError(f"“{item}” is not a channel; pick channels like #sales.")
    return f"#{name}"


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _json_safe(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


WINDOW_PARAMS = (
    Param("window", "Period", type="choice", choices=WINDOW_CHOICES, default=SCHEDULE_WINDOW,
          choice_labels=WINDOW_LABELS,
          help="What each report covers. By default the whole period since the previous report, in whole "
               "days, weeks or months as the schedule runs; or a fixed period."),
    Param("window_n", "N (days or hours)", type="integer", min=1, max=MAX_N, default=7,
          help="N for “last N days” and “last N hours”."),
)
_N_WINDOWS = ("last_n_days", "last_n_hours")


def stored_window_params(params: dict[str, Any], default_window: str = SCHEDULE_WINDOW) -> dict[str, Any]:
    """Keep only the window settings that say something: no window when it is the type's default (so a
    schedule follows its cadence unless someone chose otherwise), and N only for the windows that have one."""
    kept = dict(params)
    if kept.get("window") in (None, "", default_window):
        kept.pop("window", None)
    if kept.get("window") not in _N_WINDOWS:
        kept.pop("window_n", None)
    return kept


@dataclass(frozen=True)
class ReportRequest:
    """Everything a report type needs to fetch the data of one run."""

    params: dict[str, Any]
    window: Window
    timezone: str
    slot: dt.datetime
    services: dict[str, Any] = field(default_factory=dict)  # e.g. a Slack client for Slack-native types
    # Who the run is for: data sources decide from these whether the schedule may read them.
    owner_user_id: str | None = None
    team_id: str | None = None


@dataclass(frozen=True)
class ReportType:
    name: str
    title: str
    description: str
    fetch: Callable[[ReportRequest], Table]
    params: tuple[Param, ...] = ()
    # What runs cover unless the schedule says otherwise: its own period, or a kind the type needs.
    default_window: str = SCHEDULE_WINDOW
    default_formats: tuple[str, ...] = ("csv",)
    # The other report types a run reads with given params (Pulse's attached report), so that
    # permission checks cover them as well as this one.
    reads: Callable[[dict[str, Any]], tuple[str, ...]] | None = None
    # Why a schedule with these params would fail at every run (the statement is a write, the source
    # is not theirs), checked when it is saved: check(params, team_id=, user_id=, timezone=) -> str | None.
    check: Callable[..., str | None] | None = None

    def problem_with(self, params: dict[str, Any], *, team_id: str, user_id: str, timezone: str) -> str | None:
        """What saving these params would run into, in words, or None."""
        return self.check(params, team_id=team_id, user_id=user_id, timezone=timezone) if self.check else None

    def report_types_read(self, params: dict[str, Any]) -> tuple[str, ...]:
        """This type's name and every report type it reads with these params."""
        return (self.name, *(self.reads(params) if self.reads else ()))

    def validate_params(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Return the params converted to their types; reject unknown names and bad values.

        "window" and "window_n" are checked too when present (the modal sends them with the rest)
        and returned as given; jobs/generate.py removes them before it calls this.
        """
        known = {p.name for p in self.params}
        unknown = sorted(set(raw) - known - set(WINDOW_PARAM_NAMES))
        if unknown:
            raise ParameterError(f"{self.title} has no parameter {', '.join(unknown)}. "
                                 f"It takes: {', '.join(p.name for p in self.params) or 'no parameters'}.")
        values = {p.name: p.coerce(raw.get(p.name)) for p in self.params}
        for param in WINDOW_PARAMS:
            if param.name in raw:
                values[param.name] = param.coerce(raw[param.name])
        return values

    def form_params(self) -> tuple[Param, ...]:
        """The type's own parameters followed by the window ones, defaulting to this type's window."""
        window, window_n = WINDOW_PARAMS
        return (*self.params, replace(window, default=self.default_window), window_n)

    def describe(self) -> dict[str, Any]:
        """A JSON-safe description of the type and everything the user can set."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "default_window": self.default_window, "default_formats": list(self.default_formats),
                "params": [p.describe() for p in self.form_params()]}


_TYPES: dict[str, ReportType] = {}
_loaded = False
_load_lock = threading.RLock()


def report_type(
    name: str,
    *,
    title: str,
    description: str,
    params: tuple[Param, ...] = (),
    default_window: str = SCHEDULE_WINDOW,
    default_formats: tuple[str, ...] = ("csv",),
    reads: Callable[[dict[str, Any]], tuple[str, ...]] | None = None,
    check: Callable[..., str | None] | None = None,
) -> Callable[[Callable[[ReportRequest], Table]], Callable[[ReportRequest], Table]]:
    """Register `fetch(request) -> Table` as the report type `name`."""
    if not _NAME.match(name):
        raise ValueError(f"report type name {name!r} must be lower_snake_case")
    if default_window not in WINDOW_CHOICES:
        raise ValueError(f"report type {name!r}: unknown default window {default_window!r}")
    names = [p.name for p in params]
    clashes = sorted({n for n in names if names.count(n) > 1} | (set(names) & set(WINDOW_PARAM_NAMES)))
    if clashes:
        raise ValueError(f"report type {name!r}: parameter names repeated or reserved: {', '.join(clashes)}")

    def register(fetch: Callable[[ReportRequest], Table]) -> Callable[[ReportRequest], Table]:
        existing = _TYPES.get(name)
        # Re-importing the same module re-registers the same function; another function taking a
        # taken name is a clash a plugin author must hear about.
        if existing is not None and _origin(existing.fetch) != _origin(fetch):
            raise ValueError(f"report type {name!r} is already registered by {_origin(existing.fetch)}")
        _TYPES[name] = ReportType(name, title, description, fetch, tuple(params), default_window,
                                  tuple(default_formats), reads, check)
        return fetch

    return register


def _origin(fetch: Callable) -> str:
    return f"{getattr(fetch, '__module__', '?')}.{getattr(fetch, '__qualname__', '?')}"


def load_plugins(*, reload: bool = False) -> None:
    """Import the built-in types and every `reportbot.report_types` entry point (once, unless `reload`)."""
    global _loaded
    if _loaded and not reload:
        return
    # Worker threads start generating at once in a fresh process: the flag is set only after the
    # types are registered, under a lock, or a second thread would find an empty registry.
    with _load_lock:
        if _loaded and not reload:
            return
        for module in _BUILTINS:
            importlib.import_module(module)
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            try:
                entry.load()
            except Exception:  # a broken plugin must not take the built-ins down with it
                log.exception("could not load report type plugin %s", entry.name)
        _loaded = True


def get_report_type(name: str) -> ReportType:
    load_plugins()
    try:
        return _TYPES[name]
    except KeyError:
        known = ", ".join(sorted(_TYPES))
        raise UnknownReportType(f"There is no report type “{name}”. Available: {known}.") from None


def all_report_types() -> list[ReportType]:
    load_plugins()
    return sorted(_TYPES.values(), key=lambda t: t.name)
