"""The app's exceptions: one tree, drawn here, rooted in this module so every layer can reach it.

    ReportbotError                     every error the app raises on purpose
    ├── UserError                      caused by what a person asked for; the message is written for them
    │   ├── NotFound                   nothing matches what they named                     (here)
    │   ├── PermissionDenied           they may not do this; the message says why          (here)
    │   │   └── SlackUnreachable       Slack can't say who they are just now; try again    (bot.people)
    │   ├── BadInput                   what they typed cannot be used; says how to fix it  (here)
    │   │   ├── FormErrors             one message per form field                          (bot.errors)
    │   │   ├── RequestBodyError       an HTTP body too large (413) or of a malformed length (bot.web.request_body)
    │   │   ├── CadenceError           a schedule in words that cannot be read (also a ValueError)
    │   │   │                                                                              (jobs.cadence.errors)
    │   │   ├── ConditionError         an alert's condition that cannot be read or does not fit the report
    │   │   │                                                                              (reports.conditions.model)
    │   │   ├── SnoozeError            a snooze that cannot be done as asked               (jobs.alerts.snooze)
    │   │   └── UnresolvedHost         a webhook's host has no address in DNS right now    (jobs.delivery.outbound)
    │   ├── NameTaken                  a schedule of that name exists                      (here)
    │   ├── ApiProblem                 a REST API request answered with an error status    (bot.web.api.problems)
    │   └── ReportError                the report could not be made; shown to the owner    (reports.errors)
    │       ├── ParameterError         a report parameter is missing or invalid            (reports.errors)
    │       ├── UnknownReportType      no report type has this name                        (reports.errors)
    │       ├── RenderError            the table cannot be shown in a format               (reports.renderers.errors)
    │       ├── ChatError              the language model endpoint failed                  (reports.types.chat_client)
    │       │   └── ChatNotConfigured
    │       └── DataSourceError        a SQL data source refused or failed                 (reports.sources.errors)
    │           ├── DataSourceConfigError → PrivilegedSource, AccessDenied, UnsafeQuery,
    │           └── QueryTimeout, RowLimitExceeded, ResultTooLarge, SourceUnavailable
    ├── SettingsError                  a deployment setting is missing or malformed; for the operator
    │   │                              (also a ValueError)                                 (here)
    │   └── StoreConfigError           ARTIFACT_STORE_URL or the encryption keys (also a FileStoreError)
    ├── FileStoreError                 a stored file cannot be read or written             (storage.filestore.errors)
    │   ├── ArtifactMissing (also a FileNotFoundError), StoreUnavailable, UnreadableArtifact
    │   └── StoreConfigError
    └── BadLink                        a signed link was altered or is not ours            (jobs.links)
        └── ExpiredLink                a genuine link past its expiry                      (jobs.links)

Anything else that escapes is a bug: the surfaces log it with a short error id and show the person
that id, never a traceback. Control-flow exceptions stay where they are used: TransientDeliveryError
(jobs.delivery.deliver: a destination to retry later), UploadFailed (jobs.delivery.slack: Slack's
upload URL refused the bytes), TeamNotAllowed (bot.web.install: a Bolt error,
so Bolt's install flow shows its refusal page), and private ones such as a lost lease.
"""

from __future__ import annotations


class ReportbotError(Exception):
    """Base of every error the app raises on purpose."""


class UserError(ReportbotError):
    """Caused by what a person asked for; `str()` is the message they see."""


class NotFound(UserError):
    """Nothing matches the reference the person gave."""


class PermissionDenied(UserError):
    """The person may not do this; the message says why."""


class BadInput(UserError):
    """The input cannot be used as given; the message says how to fix it."""


class NameTaken(UserError):
    """A schedule with this name already exists in the workspace."""

    def __init__(self, name: str) -> None:
        super().__init__(f"A schedule called “{name}” already exists. Pick another name.")
        self.name = name


class SettingsError(ReportbotError, ValueError):
    """A deployment setting is missing or malformed; the message says what to set."""
