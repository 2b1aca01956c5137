"""The REST API's bodies and answers as pydantic models: they read requests, shape responses and,
through their JSON Schema, make the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=3000)]
Short = Annotated[str, Field(max_length=320)]
ParamValue = str | int | float | bool | list[Short] | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DestinationsIn(Strict):
    """Where reports go: Slack channel ids, Slack user ids (DMs), email addresses, HTTPS webhooks."""

    channels: list[Short] = Field(default_factory=list, max_length=50, examples=[["C0123SALES"]])
    people: list[Short] = Field(default_factory=list, max_length=50, examples=[["U0123ALICE"]])
    emails: list[Short] = Field(default_factory=list, max_length=50, examples=[["finance@example.com"]])
    webhooks: list[Short] = Field(default_factory=list, max_length=20, description=(
        "HTTPS URLs on the workspace's webhook allow-list (`/report admin webhooks`); each gets a signing "
        "secret, returned once in `webhook_secrets`."), examples=[["https://hooks.example.com/reportbot"]])


class EmailIn(Strict):
    """How the schedule's emails look (all optional)."""

    subject: Annotated[str, Field(max_length=500)] | None = None
    cc: list[Short] | None = Field(default=None, max_length=50)
    bcc: list[Short] | None = Field(default=None, max_length=50)
    files: Literal["auto", "attach", "link"] | None = None


class ScheduleUpdate(Strict):
    """The fields to change; those left out keep their value."""

    name: Annotated[str, Field(max_length=400)] | None = None
    cadence: Annotated[str, Field(max_length=500, examples=["every weekday at 9am"])] | None = Field(
        default=None, description="When it runs, in words (`every monday at 9`) or as cron (`0 9 * * 1-5`).")
    timezone: Annotated[str, Field(max_length=64, examples=["Europe/Berlin"])] | None = Field(
        default=None, description="IANA zone; by default the owner's Slack time zone.")
    report_type: Annotated[str, Field(max_length=64, examples=["demo_sales"])] | None = None
    params: dict[Annotated[str, Field(max_length=64)], ParamValue] | None = Field(
        default=None, description="The report type's parameters, e.g. `{\"window\": \"previous_week\"}`.")
    formats: list[Annotated[str, Field(max_length=16)]] | None = Field(default=None, max_length=10,
                                                                       examples=[["csv", "pdf"]])
    destinations: DestinationsIn | None = None
    email: EmailIn | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None
    tags: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=50)
    skip_if_empty: bool | None = None
    condition: Annotated[str, Field(max_length=1000)] | None = Field(
        default=None, description="An alert's condition in words (`revenue < 1000`); empty for a report.")


class ScheduleCreate(ScheduleUpdate):
    """A new schedule: the same fields a person gives in Slack, checked by the same rules."""

    name: Annotated[str, Field(max_length=400, examples=["Daily sales"])]
    cadence: Annotated[str, Field(max_length=500, examples=["every weekday at 9am"])] = Field(
        description="When it runs, in words (`every monday at 9`) or as cron (`0 9 * * 1-5`).")
    destinations: DestinationsIn
    owner: Annotated[str, Field(max_length=32, examples=["U0123ALICE"])] | None = Field(
        default=None, description="The Slack user id who owns it: required with a workspace token (whose "
                                  "channel membership, report access and quotas apply); a person's token owns "
                                  "what it creates.")


class NextRun(BaseModel):
    local: dt.datetime = Field(description="In the schedule's time zone, with its offset.")
    utc: dt.datetime
    words: str = Field(examples=["Tue 24 Nov 2026 09:00 CET"])


class CadenceOut(BaseModel):
    text: str = Field(description="As given.")
    read_back: str = Field(description="How it was understood, in words.", examples=["every weekday at 09:00"])
    timezone: str
    next_runs: list[NextRun] = Field(description="The next 5 runs.")


class DestinationOut(BaseModel):
    kind: str = Field(examples=["slack_channel"])
    target: str = Field(examples=["C0123SALES"], description="A webhook's host only: its path may hold a secret.")
    label: str = Field(examples=["#sales"])


class WebhookSecret(BaseModel):
    destination: str = Field(examples=["webhook hooks.example.com"])
    secret: str = Field(description="Checks each request's `Reportbot-Signature` (see the README). Shown only in "
                                    "this answer: keep it.")


class ScheduleOut(BaseModel):
    id: int
    name: str
    status: Literal["active", "paused", "error"]
    owner: str
    access: Literal["full", "recipient"] = Field(
        description="`recipient`: the caller only receives it, so how it is made and who else gets it are left out.")
    description: str | None
    tags: list[str]
    report_type: str
    params: dict[str, ParamValue] | None
    formats: list[str]
    destinations: list[DestinationOut] | None
    cadence: CadenceOut
    period: str = Field(description="What each report covers, in words.")
    condition: str | None = Field(description="An alert's condition in words; null for a report.")
    next_run_at: dt.datetime | None
    last_run_at: dt.datetime | None
    paused_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    webhook_secrets: list[WebhookSecret] | None = Field(
        default=None, description="Only in the answer that added webhooks: their signing secrets, shown once.")


class SchedulePage(BaseModel):
    items: list[ScheduleOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ScheduleListQuery(Strict):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: Annotated[str, Field(max_length=200)] | None = None
    status: Literal["active", "paused"] | None = None
    owner: Annotated[str, Field(max_length=32)] | None = None
    tag: Annotated[str, Field(max_length=40)] | None = None


class PageQuery(Strict):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: Annotated[str, Field(max_length=200)] | None = None


class RunNowIn(Strict):
    period: Annotated[str, Field(max_length=100, examples=["last month"])] | None = Field(
        default=None, description="Another period than the schedule's latest, in words (`last week`, "
                                  "`month to date`, `last 7 days`)."
    )


class RunStarted(BaseModel):
    run_id: int
    schedule_id: int
    covers: str | None = Field(default=None, description="The period the run covers, in words.")


class TriggerIn(BaseModel):
    schedule: Annotated[str, Field(max_length=300)] = Field(description="A schedule's name or id.")
    period: Annotated[str, Field(max_length=100)] | None = None


class FileOut(BaseModel):
    id: int
    format: str
    filename: str
    content_type: str
    size: int
    sha256: str
    download: str = Field(description="The path that streams the file (same token).")


class DeliveryOut(BaseModel):
    id: int
    destination: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None = None


class RunOut(BaseModel):
    id: int
    schedule_id: int
    status: str
    trigger: str
    triggered_by: str | None
    scheduled_for: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    row_count: int | None
    error: str | None
    files: list[FileOut]
    deliveries: list[DeliveryOut] | None = Field(description="Left out for a caller who only receives it.")


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    error_id: str | None = Field(default=None, description="For a 500: quote it; the log has the details.")
