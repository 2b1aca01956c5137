"""Data sources for the `sql` report type: admin configuration, who may use them, query checks,
read-only execution with a time limit and row and byte caps, save-time checks and health.

The exception tree is in `reports.sources.errors`; the access rule in `reports.sources.access`.
"""

from reports.sources.access import check_source_access, may_use_source
from reports.sources.checks import (
    SourceHealth,
    explain_query,
    format_health,
    source_health,
)
from reports.sources.config import DataSource, DataSources, load_data_sources
from reports.sources.errors import (
    AccessDenied,
    DataSourceConfigError,
    DataSourceError,
    PrivilegedSource,
    QueryTimeout,
    ResultTooLarge,
    RowLimitExceeded,
    SourceUnavailable,
    UnsafeQuery,
)
from reports.sources.guard import WINDOW_PARAMETERS, GuardedQuery, guard_query
from reports.sources.query import QueryResult, run_query, window_bindings

__all__ = [
    "WINDOW_PARAMETERS",
    "AccessDenied",
    "DataSource",
    "DataSourceConfigError",
    "DataSourceError",
    "DataSources",
    "GuardedQuery",
    "PrivilegedSource",
    "QueryResult",
    "QueryTimeout",
    "ResultTooLarge",
    "RowLimitExceeded",
    "SourceHealth",
    "SourceUnavailable",
    "UnsafeQuery",
    "check_source_access",
    "explain_query",
    "format_health",
    "guard_query",
    "load_data_sources",
    "may_use_source",
    "run_query",
    "source_health",
    "window_bindings",
]
