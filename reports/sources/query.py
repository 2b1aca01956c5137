"""Run one guarded query read-only against a data source, streaming it into a spool.

Read-only is enforced by the database, not by trusting the SQL (see each backend: `postgres`, `mysql`,
`sqlite`); the time limit, the row cap and the byte caps are kept as described in `limits`. The time
limit covers the query from its first statement to its last row; renderers read the spool afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from reports.sources.config import DataSource
from reports.sources.guard import GuardedQuery
from reports.sources.limits import ResultMeter, Watchdog, timeout_error
from reports.sources.session import compile_statement, open_session
from reports.sources.spool import RowSpool
from reports.table import Column, ColumnType, column_type_of
from reports.window import Window


@dataclass
class QueryResult:
    columns: list[Column]
    rows: RowSpool  # callable: a fresh iterator over the spooled rows per call
    row_count: int


def window_bindings(window: Window, backend: str, wanted: tuple[str, ...]) -> dict[str, object]:
    """Values for :window_start, :window_end (UTC instants), :window_start_date / :window_end_date
    (local dates, end exclusive) and :timezone."""
    last_local_day = (window.end - dt.timedelta(microseconds=1)).astimezone(window.zone).date()
    values: dict[str, object] = {
        "window_start": window.start, "window_end": window.end,
        "window_start_date": window.local_start.date(),
        "window_end_date": max(last_local_day + dt.timedelta(days=1), window.local_start.date()),
        "timezone": window.timezone,
    }
    if backend == "sqlite":
        # SQLite has no timestamp type; this is the text form its own datetime() produces, so
        # `datetime(created_at) >= :window_start` works whatever format the column holds.
        values = {k: (v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime)
                      else v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
    elif backend in ("mysql", "mariadb"):
        # DATETIME and TIMESTAMP carry no zone; the session runs in UTC, so bind UTC wall-clock values.
        values = {k: (v.astimezone(dt.UTC).replace(tzinfo=None) if isinstance(v, dt.datetime) else v)
                  for k, v in values.items()}
    return {name: values[name] for name in wanted}


def run_query(source: DataSource, query: GuardedQuery, bindings: dict[str, object], *, timezone: str,
              max_rows: int | None = None, spool_dir: str | os.PathLike | None = None) -> QueryResult:
    """Stream the query's rows into a spool; raise a DataSourceError subclass with a clear message."""
    watchdog = Watchdog(source.timeout_seconds)
    meter = ResultMeter(source, min(max_rows or source.max_rows, source.max_rows))
    spool = RowSpool(spool_dir)
    try:
        with open_session(source, watchdog, timezone) as session:
            sql, args = compile_statement(session.conn, query.sql, bindings)
            # SQLite's and PostgreSQL's columns keep one type; SQLite's values may vary per row.
            typer = _ColumnTyper(fixed_types=source.family != "sqlite")
            with watchdog.armed(session.cancel):
                for batch in session.stream(sql, args, meter):
                    if watchdog.expired():
                        raise timeout_error(source)
                    typer.observe(batch)
                    spool.write(batch)
        spool.finish()
        return QueryResult(columns=typer.columns(meter.names), rows=spool, row_count=meter.rows)
    except BaseException:
        spool.close()
        raise


class _ColumnTyper:
    """Column types from the values themselves: text() queries carry no portable type info."""

    def __init__(self, *, fixed_types: bool) -> None:
        self.types: list[ColumnType | None] = []
        self.fixed_types = fixed_types
        self.open: set[int] = set()

    def observe(self, rows: list[tuple]) -> None:
        if not self.types:
            self.types = [None] * len(rows[0])
            self.open = set(range(len(rows[0])))
        for i in list(self.open):
            seen = {type(r[i]) for r in rows}
            seen.discard(type(None))
            for kind in seen:
                self.types[i] = _merge(self.types[i], column_type_of(kind))
            if self.types[i] is not None and (self.fixed_types or self.types[i] == ColumnType.TEXT):
                self.open.discard(i)

    def columns(self, names: list[str]) -> list[Column]:
        types = self.types or [None] * len(names)
        unique: list[str] = []
        for name in names:
            base, n = name or "column", 2
            candidate = base
            while candidate in unique:  # renderers and the summary key columns by name
                candidate, n = f"{base}_{n}", n + 1
            unique.append(candidate)
        return [Column(name, kind or ColumnType.TEXT) for name, kind in zip(unique, types, strict=True)]


def _merge(a: ColumnType | None, b: ColumnType) -> ColumnType:
    if a is None or a == b:
        return b
    pair = {a, b}
    if pair == {ColumnType.INTEGER, ColumnType.NUMBER}:
        return ColumnType.NUMBER
    if pair == {ColumnType.DATE, ColumnType.DATETIME}:
        return ColumnType.DATETIME
    return ColumnType.TEXT
