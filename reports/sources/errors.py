"""What a data source refuses; every message is written for the person who will read it.

    DataSourceError (ReportError)   anything a source refuses; the message is for the schedule's owner
    ├── DataSourceConfigError       the admin's configuration is invalid
    │   └── PrivilegedSource        the source logs in with a role that could escape read-only (admin's fix)
    ├── AccessDenied                this person, in this workspace, may not use the source
    ├── UnsafeQuery                 not one read-only statement, an unknown :parameter, a refused function
    ├── QueryTimeout                the source's time limit was used up
    ├── RowLimitExceeded            more rows than the source's cap
    ├── ResultTooLarge              a value, or the whole result, over the source's byte caps
    └── SourceUnavailable           the database cannot be reached or opened
"""

from reports.errors import ReportError


class DataSourceError(ReportError):
    """A data source is unknown, misconfigured, unreachable, or refused the query."""


class DataSourceConfigError(DataSourceError):
    """The admin's data source configuration is invalid."""


class PrivilegedSource(DataSourceConfigError):
    """The source's login could read server files, run programs or leave the read-only transaction."""


class AccessDenied(DataSourceError):
    """The schedule's owner may not read this data source from this workspace."""


class UnsafeQuery(DataSourceError):
    """The SQL is not a single read-only statement, uses an unknown parameter or a refused function."""


class QueryTimeout(DataSourceError):
    """The query used up the source's time limit."""


class RowLimitExceeded(DataSourceError):
    """The query returned more rows than the cap allows."""


class ResultTooLarge(DataSourceError):
    """A value, or the whole result, is larger than the source's byte caps."""


class SourceUnavailable(DataSourceError):
    """The database could not be reached or opened."""


def privileged_source(source_name: str, who: str) -> PrivilegedSource:
    """The refusal an admin must read when a source's login could escape read-only."""
    return PrivilegedSource(
        f"The data source “{source_name}” connects as {who}. reportbot refuses such logins: through them a "
        "query could read or write server files, run programs or act outside its read-only transaction. An "
        "admin must connect the source as a read-only role (see “Data sources” in the README).")
