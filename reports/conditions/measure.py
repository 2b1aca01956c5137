"""Measure a bound condition against a report's rows: one streaming pass, no rendering.

The result says the value, whether the condition is met, and — when there is no value to judge —
why (`no_data`), so an empty result is never mistaken for "all is well".
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import math
from dataclasses import dataclass

from reports.conditions.model import (
    OPERATORS,
    Aggregate,
    Condition,
    Direction,
    Kind,
    Measure,
)
from reports.renderers.formatting import as_number
from reports.table import Table


@dataclass(frozen=True)
class Previous:
    """What the previous check saw: its value (for changes) and its data's fingerprint."""

    value: float | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class Measurement:
    """What one check found."""

    value: float | None  # the number compared: a total, a share (in % when asked in %), the row count
    fires: bool | None  # None: there is no value to judge (see no_data)
    rows: int
    no_data: str | None = None  # why there is no value, in words
    previous: float | None = None  # CHANGE: the previous check's value
    change: float | None = None  # CHANGE: signed movement since then (in % when the condition is in %)
    fingerprint: str | None = None  # CHANGED: a digest of every row
    note: str | None = None  # why a check cannot judge yet although it has a value


class _Fold:
    """Accumulate one aggregate of one column while the rows stream past."""

    def __init__(self, aggregate: Aggregate, index: int | None) -> None:
        self.aggregate, self.index = aggregate, index
        self.count = 0
        self.int_total, self.float_total = 0, 0.0
        self.low: float | None = None
        self.high: float | None = None
        self.last: float | None = None

    def add(self, row) -> None:
        raw = row[self.index]
        if raw is None:
            return
        if self.aggregate == Aggregate.COUNT:
            self.count += 1
            return
        if type(raw) is int:
            self.int_total += raw
            number = float(raw)
        else:
            number = as_number(raw)
            if number is None:
                return  # text in a numeric column (SQLite is typeless): not a number to add
            self.float_total += number
        self.count += 1
        self.low = number if self.low is None or number < self.low else self.low
        self.high = number if self.high is None or number > self.high else self.high
        self.last = number

    def result(self) -> float | None:
        if self.aggregate == Aggregate.COUNT:
            return float(self.count)
        if not self.count:
            return None
        if self.aggregate == Aggregate.SUM:
            return self.int_total + self.float_total
        if self.aggregate == Aggregate.AVERAGE:
            return (self.int_total + self.float_total) / self.count
        return {Aggregate.MIN: self.low, Aggregate.MAX: self.high, Aggregate.LAST: self.last}[self.aggregate]


@dataclass(frozen=True)
class Collected:
    """The raw numbers of one pass over the rows, before they are judged against the previous check."""

    values: tuple[float | None, ...]  # the measure (and the share's denominator)
    rows: int
    fingerprint: str | None = None


def measure(condition: Condition, table: Table, previous: Previous | None = None) -> Measurement:
    """Stream `table` once and judge `condition` (bound: see bind_condition) against it."""
    return judge(condition, collect(condition, table), previous)


def collect(condition: Condition, table: Table) -> Collected:
    """Stream `table` once, folding only what `condition` needs (its columns; every row for changes)."""
    index = {c.name: i for i, c in enumerate(table.columns)}
    folds = [_fold(m, index) for m in (condition.measure, condition.of) if m is not None]
    digest = hashlib.sha256("\x1f".join(table.column_names).encode()) if condition.kind == Kind.CHANGED else None
    rows = 0
    for row in table.rows():
        rows += 1
        for fold in folds:
            if fold is not None:
                fold.add(row)
        if digest is not None:
            digest.update(("\x1e" + "\x1f".join(_canonical(v) for v in row)).encode("utf-8", "surrogatepass"))
    values = tuple(fold.result() if fold is not None else float(rows) for fold in folds)
    return Collected(values, rows, digest.hexdigest() if digest is not None else None)


def judge(condition: Condition, collected: Collected, previous: Previous | None = None) -> Measurement:
    """Decide whether the collected numbers meet `condition`, given what the previous check saw."""
    previous = previous or Previous()
    rows, values = collected.rows, list(collected.values)
    if condition.kind == Kind.CHANGED:
        first = previous.fingerprint is None
        return Measurement(float(rows), first or collected.fingerprint != previous.fingerprint, rows,
                           fingerprint=collected.fingerprint,
                           note="the first check: nothing to compare with yet, so it counts as new" if first else None)
    gap = _missing(condition, values, rows)
    if gap is not None:
        return Measurement(None, None, rows, no_data=gap)
    if condition.kind == Kind.SHARE:
        top, bottom = values
        value = top / bottom * (100 if condition.percent else 1)
        return Measurement(value, _compare(value, condition.op, condition.threshold), rows)
    value = values[0]
    if condition.kind == Kind.THRESHOLD:
        return Measurement(value, _compare(value, condition.op, condition.threshold), rows)
    return _change(condition, value, previous.value, rows)


def _fold(measure_: Measure, index: dict[str, int]) -> _Fold | None:
    if measure_.aggregate == Aggregate.ROWS:
        return None
    if measure_.column not in index or measure_.aggregate is None:
        raise ValueError(f"condition not bound to this table (column {measure_.column!r})")
    return _Fold(measure_.aggregate, index[measure_.column])


def _missing(condition: Condition, values: list[float | None], rows: int) -> str | None:
    """Why there is no value to judge, or None."""
    # strict=False: `values` has no entry for an `of` the condition does not have (only shares have one).
    for measured, value in zip((condition.measure, condition.of), values, strict=False):
        if value is None:
            if rows == 0:
                return "the report returned no rows"
            return f"“{measured.column}” is empty in all {rows:,} row{'s' if rows != 1 else ''}"
    if condition.kind == Kind.SHARE and values[1] == 0:
        return f"“{condition.of.column}” adds up to 0, so the share can't be worked out"
    return None


def _change(condition: Condition, value: float, before: float | None, rows: int) -> Measurement:
    if before is None:
        return Measurement(value, False, rows, note="the first check: nothing to compare with yet")
    delta = value - before
    if condition.percent:
        if before == 0:
            return Measurement(value, False, rows, previous=before,
                               note="the previous value was 0, so a change in percent can't be worked out")
        delta = delta / abs(before) * 100
    movement = {Direction.DOWN: -delta, Direction.UP: delta, Direction.ANY: abs(delta)}[condition.direction]
    return Measurement(value, _compare(movement, condition.op, condition.threshold), rows, previous=before,
                       change=delta)


def _compare(value: float, op: str, threshold: float) -> bool:
    if op in ("=", "!=") and math.isclose(value, threshold, rel_tol=1e-9, abs_tol=1e-12):
        return op == "="
    return OPERATORS[op](value, threshold)


def _canonical(value: object) -> str:
    """One spelling per value, so the same data always gives the same fingerprint."""
    if value is None:
        return "\x00"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize()) if value.is_finite() else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)
