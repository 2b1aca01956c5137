"""Checks that run nothing: plan a statement when a schedule is saved, and report each source's health.

`explain_query` compiles and plans the statement in the same guarded, read-only session a run uses
(EXPLAIN on PostgreSQL and MySQL/MariaDB, EXPLAIN QUERY PLAN on SQLite, where the authorizer runs at
compile time), so unknown tables and columns, refused functions and privileged logins are reported when
the form is saved instead of at every run. `source_health` is what `reportbot status` shows per source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reports.sources.config import DataSource
from reports.sources.errors import DataSourceError, PrivilegedSource, SourceUnavailable
from reports.sources.guard import GuardedQuery
from reports.sources.limits import Watchdog
from reports.sources.query import window_bindings
from reports.sources.session import compile_statement, open_session
from reports.window import compute_window

CHECK_TIMEOUT = 15.0
# Any window will do for planning; a fixed one keeps the check independent of today's date.
_SAMPLE_SLOT = dt.datetime(2000, 1, 4, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SourceHealth:
    """One source as `reportbot status` reports it: problems stop every run, warnings are advice."""

    name: str
    family: str
    reachable: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def explain_query(source: DataSource, query: GuardedQuery, *, timezone: str = "UTC") -> None:
    """Plan the statement without running it; raise a DataSourceError saying what is wrong."""
    window = compute_window("previous_day", _SAMPLE_SLOT, timezone)
    bindings = window_bindings(window, source.backend, query.parameters)
    watchdog = Watchdog(min(source.timeout_seconds, CHECK_TIMEOUT))
    with open_session(source, watchdog, timezone) as session:
        sql, args = compile_statement(session.conn, query.sql, bindings)
        with watchdog.armed(session.cancel):
            session.explain(sql, args)


def source_health(source: DataSource, *, multi_workspace: bool) -> SourceHealth:
    """Connect as a run would and say what stops the source from being used, or should worry an admin."""
    warnings = []
    if multi_workspace and not source.allowed_teams:
        warnings.append("no allowed_teams: on a multi-workspace install no workspace can use it until its "
                        "team ids (or \"*\") are listed.")
    try:
        with open_session(source, Watchdog(min(source.timeout_seconds, CHECK_TIMEOUT))) as session:
            problems, found = session.inspect()
    except PrivilegedSource as exc:
        return SourceHealth(source.name, source.family, True, [str(exc)], warnings)
    except SourceUnavailable as exc:
        return SourceHealth(source.name, source.family, False, [str(exc)], warnings)
    except DataSourceError as exc:
        return SourceHealth(source.name, source.family, True, [str(exc)], warnings)
    return SourceHealth(source.name, source.family, True, problems, warnings + found)


def format_health(health: list[SourceHealth]) -> list[str]:
    """Lines for `reportbot status`: one per source, then its problems and warnings indented."""
    lines = []
    for item in health:
        state = "unreachable" if not item.reachable else "REFUSED" if item.problems else "ok"
        lines.append(f"  {item.name} ({item.family}): {state}")
        lines += [f"    problem: {p}" for p in item.problems] + [f"    warning: {w}" for w in item.warnings]
    return lines
