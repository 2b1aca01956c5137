"""Every Slack action, block, view and callback id the app uses, in one place.

Values are kebab-case and namespaced by flow. They live in `jobs` because both the worker (which
posts report messages and App Home) and the bot (which handles the clicks) need them.
"""

from enum import StrEnum


class ScheduleActions(StrEnum):
    RUN_NOW = "schedule-run-now"
    PAUSE = "schedule-pause"
    RESUME = "schedule-resume"
    HISTORY = "schedule-history"
    EDIT = "schedule-edit"
    DELETE = "schedule-delete"
    OVERFLOW = "schedule-overflow"
    RETRY = "schedule-retry"


class HomeActions(StrEnum):
    CREATE = "home-create"
    REFRESH = "home-refresh"
    PAGE = "home-page"


class HomeBlocks(StrEnum):
    HEADER = "home-header"
    SCHEDULES = "home-schedules"
    RUNS = "home-runs"
