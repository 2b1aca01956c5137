"""All mapped models; importing this package registers every table on `Base.metadata`."""

from storage.models import slack_install  # noqa: F401  (registers Slack's OAuth tables)
from storage.models.alerts import AlertEvaluation, AlertState, AlertStates
from storage.models.audit import AuditEvent
from storage.models.base import Base
from storage.models.deliveries import Artifact, Delivery, DeliveryStatus
from storage.models.email import AttachMode, EmailOptions, OwnerContact
from storage.models.events import ProcessedEvent
from storage.models.maintenance import MaintenanceTask
from storage.models.mutes import RecipientMute
from storage.models.progress import ProgressMessage
from storage.models.runs import (
    CLOCK_TRIGGERS,
    FINAL_RUN_STATUSES,
    Run,
    RunStatus,
    RunTrigger,
)
from storage.models.schedules import (
    Destination,
    DestinationKind,
    Schedule,
    ScheduleStatus,
)
from storage.models.tokens import ApiIdempotencyKey, TriggerToken
from storage.models.workspace import HomePreference, HomeScope, WorkspaceSettings

__all__ = [
    "AlertEvaluation",
    "ApiIdempotencyKey",
    "AlertState",
    "AlertStates",
    "Artifact",
    "AttachMode",
    "AuditEvent",
    "Base",
    "CLOCK_TRIGGERS",
    "Delivery",
    "DeliveryStatus",
    "Destination",
    "DestinationKind",
    "EmailOptions",
    "FINAL_RUN_STATUSES",
    "HomePreference",
    "HomeScope",
    "MaintenanceTask",
    "OwnerContact",
    "ProcessedEvent",
    "ProgressMessage",
    "RecipientMute",
    "Run",
    "RunStatus",
    "RunTrigger",
    "Schedule",
    "ScheduleStatus",
    "TriggerToken",
    "WorkspaceSettings",
]
