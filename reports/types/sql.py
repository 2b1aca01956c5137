"""`sql`: a saved SQL query against a data source an admin configured (see reports/sources/).

The query runs read-only with the source's row cap and time limit; its rows are streamed into a
spool file once, at fetch time, so every format and the summary read the same rows with flat
memory (see reports/sources/spool.py for why not re-run per pass). The window is bound to
:window_start / :window_end (UTC instants), :window_start_date / :window_end_date (local dates,
end exclusive) and :timezone; on PostgreSQL the session runs in the schedule's timezone.
"""

from __future__ import annotations

import os

from reports.errors import ParameterError
from reports.registry import Param, ReportRequest, report_type
from reports.sources import (
    DataSources,
    guard_query,
    load_data_sources,
    run_query,
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
    description="A saved SQL query against a data source an admin has set up; read-only, with a row and time limit.",
    params=(
        Param("source", "Data source", type="choice", required=True, choices_from=_source_names,
              help="One of the databases an admin configured for reports."),
        Param("query", "SQL query", multiline=True, max_length=MAX_QUERY_CHARS,
              help="One SELECT statement. Use :window_start and :window_end (UTC) or :window_start_date and "
                   ":window_end_date (local dates, end exclusive) to filter to the report window."),
        Param("saved_query", "Saved query",
              help="The name of a query the admin saved with the source (instead of writing SQL)."),
        Param("max_rows", "Row limit", type="integer", min=1,
              help="Stop with an error above this many rows (at most the source's own limit)."),
    ),
    default_window="previous_day",
    default_formats=("csv",),
)
def fetch_sql(request: ReportRequest) -> Table:
    sources: DataSources = request.services.get("data_sources") or load_data_sources()
    params = request.params
    source = sources.get_source(params["source"])
    source.check_access(request.owner_user_id, request.team_id)
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


def _query_text(source, query: str | None, saved: str | None) -> tuple[str, str]:
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
