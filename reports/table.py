"""The tabular result every report type produces and every renderer consumes.

A `Table` is re-iterable: `rows()` opens a fresh pass over the data each time, so several
renderers (CSV, XLSX, chart, PDF) can each stream the same result without holding it in memory.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """The value kinds renderers format differently."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"

    @property
    def is_numeric(self) -> bool:
        return self in (ColumnType.INTEGER, ColumnType.NUMBER)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = ColumnType.TEXT
    # What a numeric column measures, when its name does not say: "percent", "ratio", "EUR", "$"...
    # (see reports/renderers/units.py; read by the charts, tables, key figures and XLSX formats).
    unit: str = ""


Row = Sequence[object]


@dataclass
class Table:
    """Columns plus a factory that yields the rows, one fresh iterator per call."""

    columns: list[Column]
    row_source: Callable[[], Iterable[Row]]
    title: str = ""
    # Human text for the period the data covers, e.g. "Mon 23 Nov 2026, Europe/Berlin".
    window_label: str = ""
    meta: dict[str, object] = field(default_factory=dict)

    def rows(self) -> Iterator[Row]:
        return iter(self.row_source())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @classmethod
    def from_rows(cls, columns: list[Column], rows: Sequence[Row], **kwargs: object) -> Table:
        """Build a table over rows already in memory (small results, tests)."""
        frozen = list(rows)
        return cls(columns=columns, row_source=lambda: frozen, **kwargs)  # type: ignore[arg-type]


def column_type_of(kind: type) -> ColumnType:
    """The column type for values of a Python type (SQL results carry no portable type info)."""
    if issubclass(kind, bool):
        return ColumnType.BOOLEAN
    if issubclass(kind, int):
        return ColumnType.INTEGER
    if issubclass(kind, (float, decimal.Decimal)):
        return ColumnType.NUMBER
    if issubclass(kind, dt.datetime):
        return ColumnType.DATETIME
    if issubclass(kind, dt.date):
        return ColumnType.DATE
    return ColumnType.TEXT
