"""Errors a report type raises; their message is shown to the schedule's owner as is (see storage.errors)."""

from __future__ import annotations

from storage.errors import UserError


class ReportError(UserError):
    """The report could not be produced; the message is written for the schedule's owner."""


class ParameterError(ReportError):
    """A report parameter is missing or invalid."""


class UnknownReportType(ReportError):
    """No report type is registered under this name."""
