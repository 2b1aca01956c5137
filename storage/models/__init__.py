"""All mapped models; importing this package registers every table on `Base.metadata`."""

from storage.models.alerts import AlertEvaluation, AlertState, AlertStates
from storage.models.audit import AuditEvent
from storage.models.base import Base
from storage.models.delivery import AttachMode, EmailOptions, MaintenanceTask, OwnerContact
from storage.models.runs import (
    FINAL_RUN_STATUSES,
    Artifact,
    Delivery,
    DeliveryStatus,
    Run,
    RunStatus,
    RunTrigger,
)
from storage.models.schedules import Destination, DestinationKind, Schedule, ScheduleStatus
from storage.models.tokens import TriggerToken
from storage.models.slack import (
    HomePreference,
    HomeScope,
    ProcessedEvent,
    ProgressMessage,
    WorkspaceSettings,
)
from storage.models import slack_install  # noqa: F401  (registers Slack's OAuth tables)

__all__ = [
    "AlertEvaluation",
    "AlertState",
    "AlertStates",
    "Artifact",
    "AttachMode",
    "AuditEvent",
    "Base",
    "Delivery",
    "DeliveryStatus",
    "Destination",
    "DestinationKind",
    "EmailOptions",
    "FINAL_RUN_STATUSES",
    "MaintenanceTask",
    "OwnerContact",
    "HomePreference",
    "HomeScope",
    "ProcessedEvent",
    "ProgressMessage",
    "Run",
    "RunStatus",
    "RunTrigger",
    "Schedule",
    "TriggerToken",
    "ScheduleStatus",
    "WorkspaceSettings",
]
