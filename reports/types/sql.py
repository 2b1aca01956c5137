"""`sql`: a saved SQL query against a data source an admin configured (see reports/sources/).

The query runs read-only with the source's row and byte caps and time limit; its rows are streamed
into a spool file once, at fetch time, so every format and the summary read the same rows with flat
memory (see reports/sources/spool.py for why not re-run per pass). The window is bound to
:window_start / :window_end (UTC instants), :window_start_date / :window_end_date (local dates,
end exclusive) and :timezone; on PostgreSQL the session runs in the schedule's timezone.

Who may use a source is checked here at every run (reports.sources.access.may_use_source), so every
path that fetches this type — a schedule, run-now, a preview, a `prompt` report attaching it — is
covered. The bot calls `usable_source_names` for pickers, `check_sql_params` when a form is saved and
`data_source_health` for `reportbot status`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from reports.errors import ParameterError, ReportError
from reports.registry import Param, ReportRequest, report_type
from reports.sources import (
    DataSource,
    DataSources,
    SourceHealth,
    explain_query,
    guard_query,
    load_data_sources,
    run_query,
    source_health,
    window_bindings,
)
from reports.table import Table

SPOOL_DIR_ENV = "REPORTBOT_SPOOL_DIR"
MAX_QUERY_CHARS = 20_000


def _source_names() -> list[str]:
    return list(load_data_sources())


@report_type(
    "sql",
    title="SQL query",
    description="A saved SQL query against a data source an admin has set up; read-only, with row, byte and "
                "time limits.",
    params=(
        Param("source", "Data source", type="choice", required=True, choices_from=_source_names,
              choices_for=lambda team_id, user_id: usable_source_names(team_id, user_id),
              help="One of the databases an admin configured for reports."),
        Param("query", "SQL query", multiline=True, max_length=MAX_QUERY_CHARS,
              help="One SELECT statement. Use :window_start and :window_end (UTC) or :window_start_date and "
                   ":window_end_date (local dates, end exclusive) to filter to the report window."),
        Param("saved_query", "Saved query",
              help="The name of a query the admin saved with the source (instead of writing SQL)."),
        Param("max_rows", "Row limit", type="integer", min=1,
              help="Stop with an error above this many rows (at most the source's own limit)."),
    ),
    default_formats=("csv",),
    check=lambda params, **who: check_sql_params(params, **who),
)
def fetch_sql(request: ReportRequest) -> Table:
    sources: DataSources = request.services.get("data_sources") or load_data_sources()
    params = request.params
    source = sources.get_source(params["source"])
    sources.check_access(source, request.team_id, request.owner_user_id)
    sql, label = _query_text(source, params.get("query"), params.get("saved_query"))
    guarded = guard_query(sql)
    result = run_query(
        source, guarded, window_bindings(request.window, source.backend, guarded.parameters),
        timezone=request.timezone, max_rows=params.get("max_rows"),
        spool_dir=request.services.get("spool_dir") or os.environ.get(SPOOL_DIR_ENV) or None,
    )
    return Table(
        columns=result.columns,
        row_source=result.rows,
        title=label or source.description or source.name,
        window_label=request.window.label,
        meta={"source": source.name, "row_count": result.row_count},
    )


def usable_source_names(team_id: str | None, user_id: str | None, *, sources: DataSources | None = None) -> list[str]:
    """The sources this person may pick in this workspace (for the form's and the one-liner's choices)."""
    sources = load_data_sources() if sources is None else sources
    return [source.name for source in sources.usable_by(team_id, user_id)]


def check_sql_params(params: Mapping[str, Any], *, team_id: str | None, user_id: str | None,
                     timezone: str = "UTC", sources: DataSources | None = None) -> str | None:
    """Why a `sql` schedule with these params would fail at every run, or None: call it when a form is saved.

    Checks access, the query text, and then plans the statement on the source without running it.
    """
    try:
        sources = load_data_sources() if sources is None else sources
        source = sources.get_source(str(params.get("source") or ""))
        sources.check_access(source, team_id, user_id)
        sql, _ = _query_text(source, params.get("query"), params.get("saved_query"))
        explain_query(source, guard_query(sql), timezone=timezone)
    except ReportError as exc:
        return str(exc)
    return None


def data_source_health(sources: DataSources | None = None) -> list[SourceHealth]:
    """Each configured source's health, for `reportbot status` (connects to each; run it off the event loop)."""
    sources = load_data_sources() if sources is None else sources
    return [source_health(sources[name], multi_workspace=sources.multi_workspace) for name in sources]


def _query_text(source: DataSource, query: str | None, saved: str | None) -> tuple[str, str]:
    if query and saved:
        raise ParameterError("Give either a SQL query or a saved query, not both.")
    if saved:
        key = saved.strip().lower()
        if key not in source.queries:
            known = ", ".join(sorted(source.queries)) or "none"
            raise ParameterError(f"“{source.name}” has no saved query “{saved}” (saved queries: {known}).")
        return source.queries[key], key.replace("_", " ").capitalize()
    if not query:
        raise ParameterError("Write a SQL query, or pick a saved query.")
    return query, ""
