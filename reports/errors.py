"""Errors a report type raises; their message is shown to the schedule's owner as is.

    ReportError            the report could not be produced (message for people)
    ├── ParameterError     a parameter is missing or invalid
    └── UnknownReportType  no report type has this name
"""


class ReportError(Exception):
    """The report could not be produced; the message is written for the schedule's owner."""


class ParameterError(ReportError):
    """A report parameter is missing or invalid."""


class UnknownReportType(ReportError):
    """No report type is registered under this name."""
