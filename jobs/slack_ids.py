"""Every Slack action, block, view and callback id the app uses, in one place.

Values are kebab-case and namespaced by flow. They live in `jobs` because both the worker (which
posts report messages and App Home) and the bot (which handles the clicks) need them.
"""

from enum import StrEnum


class ScheduleActions(StrEnum):
    """Buttons about one schedule, on report messages, App Home, replies and failure notices."""

    RUN_NOW = "schedule-run-now"
    PAUSE = "schedule-pause"
    RESUME = "schedule-resume"
    HISTORY = "schedule-history"
    EDIT = "schedule-edit"
    DELETE = "schedule-delete"
    DELETE_CONFIRM = "schedule-delete-confirm"
    DELETE_CANCEL = "schedule-delete-cancel"
    OVERFLOW = "schedule-overflow"
    RETRY = "schedule-retry"
    MUTE = "schedule-mute"  # "Stop sending me this", on a report someone else sends by DM


class AlertActions(StrEnum):
    """Controls on alert notifications (Pause and Edit are the schedule's own)."""

    SNOOZE = "alert-snooze"  # a select: 1 hour, 1 day, until resolved (values: jobs.alerts.snooze)
    UNSNOOZE = "alert-unsnooze"


class AlertBlocks(StrEnum):
    FIGURES = "alert-figures"
    REPORT = "alert-report"
    SNOOZED = "alert-snoozed"
    ACTIONS_PREFIX = "alert-actions-"  # + schedule id


class OverflowChoices(StrEnum):
    """Values (prefixes) of the App Home overflow menu's options."""

    HISTORY = "history"
    DELETE = "delete"


class HomeActions(StrEnum):
    CREATE = "home-create"
    REFRESH = "home-refresh"
    PAGE_PREV = "home-page-prev"
    PAGE_NEXT = "home-page-next"
    SCOPE = "home-scope"


class HomeBlocks(StrEnum):
    HEADER = "home-header"
    TOOLBAR = "home-toolbar"
    SCHEDULES = "home-schedules"
    PAGER = "home-pager"
    RUNS = "home-runs"
    SCHEDULE_PREFIX = "home-schedule-"  # + schedule id
    ACTIONS_PREFIX = "home-actions-"  # + schedule id


class ViewCallbacks(StrEnum):
    SCHEDULE_MODAL = "schedule-modal"
    DELETE_MODAL = "schedule-delete-modal"
    INFO_MODAL = "info-modal"


class ModalBlocks(StrEnum):
    """Block ids of the create/edit modal; input blocks are the keys of `response_action: errors`."""

    NAME = "schedule-name"
    DESCRIPTION = "schedule-description"
    TAGS = "schedule-tags"
    REPORT_TYPE = "schedule-report-type"
    PARAM_PREFIX = "schedule-param-"  # + the report type's parameter name
    CADENCE = "schedule-cadence"
    CADENCE_PREVIEW = "schedule-cadence-preview"
    TIMEZONE = "schedule-timezone"
    CONDITION = "schedule-condition"  # "Alert when…": a condition makes the schedule an alert
    CONDITION_PREVIEW = "schedule-condition-preview"
    CHANNELS = "schedule-channels"
    PEOPLE = "schedule-people"
    EMAILS = "schedule-emails"
    WEBHOOKS = "schedule-webhooks"
    EMAIL_SUBJECT = "schedule-email-subject"
    EMAIL_CC = "schedule-email-cc"
    EMAIL_BCC = "schedule-email-bcc"
    EMAIL_FILES = "schedule-email-files"
    FORMATS = "schedule-formats"
    OPTIONS = "schedule-options"
    PREVIEW = "schedule-preview"
    PREVIEW_STATUS = "schedule-preview-status"


class ModalActions(StrEnum):
    NAME = "schedule-name-input"
    DESCRIPTION = "schedule-description-input"
    TAGS = "schedule-tags-input"
    REPORT_TYPE = "schedule-report-type-select"
    PARAM = "schedule-param-input"
    WINDOW = "schedule-window-select"  # the period a report covers: choosing one refreshes the read-back
    CADENCE = "schedule-cadence-input"
    TIMEZONE = "schedule-timezone-select"
    CONDITION = "schedule-condition-input"
    CHANNELS = "schedule-channels-select"
    PEOPLE = "schedule-people-select"
    EMAILS = "schedule-emails-input"
    WEBHOOKS = "schedule-webhooks-input"
    EMAIL_SUBJECT = "schedule-email-subject-input"
    EMAIL_CC = "schedule-email-cc-input"
    EMAIL_BCC = "schedule-email-bcc-input"
    EMAIL_FILES = "schedule-email-files-select"
    FORMATS = "schedule-formats-select"
    OPTIONS = "schedule-options-select"
    PREVIEW_NOW = "schedule-preview-now"


class ModalOptions(StrEnum):
    """Values of checkbox options in the modal."""

    SKIP_IF_EMPTY = "skip-if-empty"
    PARAM_ON = "on"


class ChatActions(StrEnum):
    """Buttons on the bot's answers to plain-words requests (it never acts without one)."""

    CONFIRM = "chat-confirm"
    OPEN_MODAL = "chat-open-modal"
    CANCEL = "chat-cancel"


class ChatBlocks(StrEnum):
    UNDERSTOOD = "chat-understood"
    CHOICES = "chat-choices"


class ReplyBlocks(StrEnum):
    """Block ids of ephemeral replies to `/report`."""

    SCHEDULE = "reply-schedule"
    ACTIONS = "reply-actions"
    DELETE = "reply-delete"
    PROGRESS = "reply-progress"
