"""Data sources for the `sql` report type: admin configuration, query checks, read-only execution.

    DataSourceError (ReportError)   anything a source refuses; the message is for the schedule's owner
    ├── DataSourceConfigError       the admin's configuration is invalid
    ├── AccessDenied                the owner may not use this source
    ├── UnsafeQuery                 not one read-only statement, or an unknown :parameter
    ├── QueryTimeout                the source's time limit was used up
    ├── RowLimitExceeded            more rows than the source's cap
    └── SourceUnavailable           the database cannot be reached or opened
"""

from reports.sources.config import (
    AccessDenied,
    DataSource,
    DataSourceConfigError,
    DataSourceError,
    DataSources,
    load_data_sources,
)
from reports.sources.guard import (
    WINDOW_PARAMETERS,
    GuardedQuery,
    UnsafeQuery,
    guard_query,
)
from reports.sources.query import (
    QueryResult,
    QueryTimeout,
    RowLimitExceeded,
    SourceUnavailable,
    run_query,
    window_bindings,
)

__all__ = [
    "WINDOW_PARAMETERS",
    "AccessDenied",
    "DataSource",
    "DataSourceConfigError",
    "DataSourceError",
    "DataSources",
    "GuardedQuery",
    "QueryResult",
    "QueryTimeout",
    "RowLimitExceeded",
    "SourceUnavailable",
    "UnsafeQuery",
    "guard_query",
    "load_data_sources",
    "run_query",
    "window_bindings",
]
