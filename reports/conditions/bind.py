"""Match a condition's column names to the report's columns and pick the obvious aggregate.

"failed orders" finds `failed_orders`, "Revenue" finds `revenue`, "order" finds `orders`. An
unknown name, an ambiguous one, or a text column compared with a number is refused with the
columns the report does have. Without an aggregate word a numeric column is totalled (one row:
its value), except columns whose name says they are a rate or an average, which are averaged.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import replace

from reports.conditions.model import Aggregate, Condition, ConditionError, Kind, Measure
from reports.table import Column, Table

MAX_LISTED = 30
# Column names that read as a rate or an average: their total would mean nothing.
_AVERAGED = re.compile(r"(?:^|_)(?:rate|ratio|pct|percent|percentage|share|avg|average|mean|median|p\d{2}|"
                       r"latency|duration|score|temperature|temp|price|utili[sz]ation|load|usage|conversion)(?:_|$)")


def bind_condition(condition: Condition, columns: Sequence[Column], *, check_types: bool = True) -> Condition:
    """Return `condition` with real column names and aggregates; raise ConditionError naming the columns."""
    if condition.kind == Kind.CHANGED:
        return condition
    measure = _bind(condition.measure, columns, check_types)
    of = _bind(condition.of, columns, check_types) if condition.of is not None else None
    return replace(condition, measure=measure, of=of)


def bind_to_table(condition: Condition, table: Table) -> Condition:
    """Bind to a result's columns. A result without rows has no column types to check (a SQL
    result's types come from its values), so there only the names must match: it is no data."""
    try:
        return bind_condition(condition, table.columns)
    except ConditionError:
        if next(iter(table.rows()), None) is not None:
            raise
        return bind_condition(condition, table.columns, check_types=False)


def _bind(measure: Measure | None, columns: Sequence[Column], check_types: bool) -> Measure:
    if measure is None or measure.aggregate == Aggregate.ROWS:
        return Measure.rows()
    column = find_column(measure.column or "", columns)
    aggregate = measure.aggregate
    if aggregate == Aggregate.COUNT:
        return Measure(column.name, aggregate)
    if check_types and not column.type.is_numeric:
        numeric = [c.name for c in columns if c.type.is_numeric]
        what = f"the {aggregate.value} of “{column.name}”" if aggregate else f"“{column.name}”"
        hint = (f"Numeric columns: {_listed(numeric)}." if numeric else "The report has no numeric column; "
                "you can still count rows, like “rows > 0”.")
        raise ConditionError(f"“{column.name}” holds {column.type.value} values, so {what} can't be compared with a "
                             f"number. {hint} To count its values, write “count of {column.name}”.")
    if aggregate is None:
        aggregate = Aggregate.AVERAGE if _AVERAGED.search(_key(column.name)) else Aggregate.SUM
    return Measure(column.name, aggregate)


def find_column(name: str, columns: Sequence[Column]) -> Column:
    """The column `name` refers to: exact, then case and spacing ignored, then singular/plural."""
    exact = [c for c in columns if c.name == name]
    if exact:
        return exact[0]
    wanted = _key(name)
    for candidates in (lambda k: {k}, lambda k: {k + "s", k + "es", k[:-1] if k.endswith("s") else k}):
        keys = candidates(wanted)
        found = [c for c in columns if _key(c.name) in keys]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ConditionError(f"“{name}” could mean {_listed([c.name for c in found])}; put the exact name in "
                                 f"quotes, like “\"{found[0].name}\" < 10”.")
    names = [c.name for c in columns]
    if not names:
        raise ConditionError(f"The report has no columns, so “{name}” can't be checked; count rows instead, "
                             f"like “rows > 0”.")
    close = difflib.get_close_matches(wanted, [_key(n) for n in names], n=1, cutoff=0.6)
    guess = next((n for n in names if close and _key(n) == close[0]), None)
    suggestion = f" Did you mean “{guess}”?" if guess else ""
    otherwise = "" if guess else " Or count rows, like “rows > 0”."
    raise ConditionError(f"The report has no column “{name}”.{suggestion} Its columns are: {_listed(names)}."
                         f"{otherwise}")


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
