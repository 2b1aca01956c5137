"""The value of an alert condition: what is measured, how it is compared, and how the alert behaves
over time. Stored as JSON on the schedule (`to_json` / `condition_from_json`)."""

from __future__ import annotations

import operator
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from storage.errors import BadInput

SCHEMA_VERSION = 1


class ConditionError(BadInput, ValueError):
    """The condition cannot be understood or does not fit the report; the message says what to write."""


class Aggregate(StrEnum):
    SUM = "sum"
    AVERAGE = "average"
    MIN = "min"
    MAX = "max"
    COUNT = "count"  # values present in the column
    LAST = "last"  # the last row's value
    ROWS = "rows"  # the number of rows (no column)


class Kind(StrEnum):
    THRESHOLD = "threshold"  # measure <op> number
    SHARE = "share"  # measure <op> N % of another measure (or measure / measure <op> number)
    CHANGE = "change"  # measure moved by <op> N (% or absolute) since the previous check
    CHANGED = "changed"  # the data differs from the previous check's ("only if it changed")


class Direction(StrEnum):
    DOWN = "down"
    UP = "up"
    ANY = "any"


class Policy(StrEnum):
    """What an evaluation without a value (no data, or an error) does to the alert's state."""

    OWN = "own"  # its own state (no_data / error), told like any state change
    KEEP = "keep"  # the alert keeps its last state
    FIRING = "firing"  # counts as the condition being met
    OK = "ok"  # counts as the condition not being met


OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq,
             "!=": operator.ne}


@dataclass(frozen=True)
class Measure:
    """One number taken from the report's rows: an aggregate over a column, or the row count.

    `aggregate` is None until the condition is bound to the report's columns, which picks the
    obvious default (see reports.conditions.bind).
    """

    column: str | None
    aggregate: Aggregate | None = None

    @classmethod
    def rows(cls) -> Measure:
        return cls(None, Aggregate.ROWS)


@dataclass(frozen=True)
class Options:
    """How the alert behaves over time; every field has the default an on-call engineer expects."""

    for_checks: int | None = None  # fire only after this many checks in a row meet the condition
    for_seconds: int | None = None  # ... or after it has been met for this long
    rearm_seconds: int | None = None  # while firing, tell again after this long (None: not until resolved)
    notify_resolved: bool | None = None  # None: yes for levels, no for changes
    no_data: Policy = Policy.OWN
    on_error: Policy = Policy.OWN
    once: bool = False  # pause the alert after its first notification


@dataclass(frozen=True)
class Condition:
    kind: Kind
    measure: Measure | None = None
    op: str = ">"
    threshold: float = 0.0
    of: Measure | None = None  # SHARE: the denominator
    percent: bool = False  # SHARE / CHANGE: the threshold is a percentage
    direction: Direction = Direction.ANY  # CHANGE
    options: Options = field(default_factory=Options)
    text: str = ""  # the user's own words

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"unknown operator {self.op!r}")

    @property
    def is_event(self) -> bool:
        """Each check that meets it is news of its own ("the data changed"), not a lasting state."""
        return self.kind == Kind.CHANGED

    @property
    def tells_resolved(self) -> bool:
        if self.options.notify_resolved is not None:
            return self.options.notify_resolved
        return self.kind in (Kind.THRESHOLD, Kind.SHARE)

    def with_options(self, **changes: Any) -> Condition:
        return replace(self, options=replace(self.options, **changes))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = SCHEMA_VERSION
        return data


def condition_from_json(data: dict[str, Any]) -> Condition:
    """Rebuild a stored condition; raise ConditionError when it is not one."""
    try:
        def measure(value: dict | None) -> Measure | None:
            if value is None:
                return None
            aggregate = value.get("aggregate")
            return Measure(value.get("column"), Aggregate(aggregate) if aggregate else None)

        options = dict(data.get("options") or {})
        options["no_data"] = Policy(options.get("no_data", Policy.OWN))
        options["on_error"] = Policy(options.get("on_error", Policy.OWN))
        return Condition(
            kind=Kind(data["kind"]), measure=measure(data.get("measure")), op=data.get("op", ">"),
            threshold=float(data.get("threshold", 0.0)), of=measure(data.get("of")),
            percent=bool(data.get("percent")), direction=Direction(data.get("direction", Direction.ANY)),
            options=Options(**options), text=str(data.get("text") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConditionError(f"This alert's stored condition cannot be read ({exc}); edit the alert and write "
                             f"the condition again.") from None
