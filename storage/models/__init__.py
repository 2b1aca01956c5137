"""All mapped models; importing this package registers every table on `Base.metadata`."""

from storage.models.audit import AuditEvent
from storage.models.base import Base
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

__all__ = [
    "Artifact",
    "AuditEvent",
    "Base",
    "Delivery",
    "DeliveryStatus",
    "Destination",
    "DestinationKind",
    "FINAL_RUN_STATUSES",
    "Run",
    "RunStatus",
    "RunTrigger",
    "Schedule",
    "ScheduleStatus",
]
