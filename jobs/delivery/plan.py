"""What one delivery pass works from, copied out of the session so no row is held while Slack
and SMTP are called."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass, field

from jobs.delivery.addresses import valid_address
from jobs.policy import Policy, PolicyDefaults, policy_for
from jobs.views.blocks import escape
from storage import deliveries as delivery_repo
from storage import email as email_repo
from storage.db import Session
from storage.models import AttachMode, DeliveryStatus, DestinationKind, Run, Schedule

EMAIL = DestinationKind.EMAIL
WEBHOOK = DestinationKind.WEBHOOK
SLACK_KINDS = (DestinationKind.SLACK_CHANNEL, DestinationKind.SLACK_USER)


def webhook_host(url: str) -> str:
    """A webhook URL's host: all of it that may be shown or logged (its path may hold a token)."""
    try:
        return urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        return ""


def webhook_words(url: str) -> str:
    """How a webhook is named to people and in logs: by its host only (its path may hold a token)."""
    return f"webhook {webhook_host(url) or 'without a host'}"


def shown_key(key: str) -> str:
    """A delivery key as it may leave reportbot (the REST API): `kind:target`, a webhook's target cut
    to its host."""
    kind, _, target = key.partition(":")
    return f"{kind}:{webhook_host(target)}" if kind == WEBHOOK else key


def safe_name(key: str) -> str:
    """A delivery key as it may be logged or shown when no label is known: a webhook by its host."""
    kind, _, target = key.partition(":")
    return webhook_words(target) if kind == WEBHOOK else (target or key)


@dataclass(frozen=True)
class ArtifactInfo:
    id: int
    format: str
    filename: str
    content_type: str
    size: int
    storage_key: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DeliveryInfo:
    id: int
    key: str
    status: str
    attempts: int
    channel_id: str | None
    sending_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    smtp_message_id: str | None
    fallback_for: str | None

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]

    @property
    def target(self) -> str:
        return self.key.partition(":")[2]

    @property
    def log_name(self) -> str:
        return safe_name(self.key) if self.kind == WEBHOOK else self.key

    @property
    def open(self) -> bool:
        return self.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass
class RunPlan:
    run_id: int
    schedule_id: int
    team_id: str
    owner_user_id: str
    name: str
    timezone: str
    slot: dt.datetime
    trigger: str
    summary: dict
    text: str
    labels: dict[str, str]  # delivery key -> how people know the destination
    configured: set[str]  # delivery keys the schedule asks for right now
    to: list[str]
    cc: list[str]
    bcc: list[str]
    subject_template: str | None
    attach_mode: str
    artifacts: list[ArtifactInfo]
    deliveries: list[DeliveryInfo] = field(default_factory=list)
    email_domains: tuple[str, ...] = ()  # where reports may be emailed (the workspace's policy)
    fallback_note: str | None = None  # why no fallback email went out, when one was wanted
    policy: Policy | None = None  # the workspace's rules now (webhook hosts are checked again at send time)
    # delivery key -> a webhook's sealed signing secret (storage.sealed); opened only to sign.
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def label(self, key: str) -> str:
        return self.labels.get(key) or safe_name(key)


def delivery_info(delivery) -> DeliveryInfo:
    return DeliveryInfo(delivery.id, delivery.destination, delivery.status, delivery.attempts, delivery.channel_id,
                        delivery.sending_at, delivery.next_attempt_at, delivery.smtp_message_id, delivery.fallback_for)


def load_plan(session: Session, run: Run, defaults: PolicyDefaults) -> RunPlan:
    """Create the run's delivery rows (idempotent) and copy out everything a pass needs."""
    schedule = session.get(Schedule, run.schedule_id)
    options = email_repo.email_options(session, schedule.id)
    labels: dict[str, str] = {}
    to: list[str] = []
    for destination in schedule.destinations:
        key = destination.key
        if destination.kind in SLACK_KINDS:
            labels[key] = f"{destination.label} ({destination.target})" if destination.label else destination.target
        elif destination.kind == WEBHOOK:
            labels[key] = webhook_words(destination.target)
        else:
            labels[key] = destination.target
        if destination.kind == EMAIL and valid_address(destination.target):  # bad ones fail on their own
            to.append(destination.target)
    cc = [a for a in (options.cc if options else []) if a not in to and valid_address(a)]
    bcc = [a for a in (options.bcc if options else []) if a not in to and a not in cc and valid_address(a)]
    keys = [d.key for d in schedule.destinations] + [f"{EMAIL}:{a}" for a in cc + bcc]
    for address in cc + bcc:
        labels[f"{EMAIL}:{address}"] = f"{address} ({'cc' if address in cc else 'bcc'})"
    deliveries = delivery_repo.ensure_deliveries(session, run.id, list(dict.fromkeys(keys)))
    for delivery in deliveries:
        if delivery.fallback_for:
            labels.setdefault(delivery.destination, f"{delivery.destination.partition(':')[2]} (email instead of "
                                                    f"{labels.get(delivery.fallback_for, delivery.fallback_for)})")
    summary = dict(run.summary or {})
    policy = policy_for(session, defaults, schedule.team_id)
    return RunPlan(
        run_id=run.id, schedule_id=schedule.id, team_id=schedule.team_id, owner_user_id=schedule.owner_user_id,
        name=schedule.name, timezone=schedule.timezone, slot=run.scheduled_for, trigger=run.trigger, summary=summary,
        text=summary.get("text") or f"*{escape(schedule.name)}*", labels=labels, configured=set(keys),
        to=to, cc=cc, bcc=bcc,
        subject_template=options.subject_template if options else None,
        attach_mode=options.attach_mode if options else AttachMode.AUTO,
        artifacts=[ArtifactInfo(a.id, a.format, a.filename, a.content_type, a.size, a.storage_key, a.created_at)
                   for a in run.artifacts],
        deliveries=[delivery_info(d) for d in deliveries],
        email_domains=policy.email_domains, policy=policy,
        secrets={d.key: d.secret for d in schedule.destinations if d.kind == WEBHOOK and d.secret},
    )

