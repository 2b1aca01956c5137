"""Deliver a generated run: one delivery row per destination, each sent at most once.

Slack channels and users get one message with the summary, all of the run's files in one
`files_upload_v2` call (DMs through `conversations.open`) and the buttons.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError, SlackClientError

from jobs.context import JobContext
from jobs.messages import report_message_blocks
from jobs.outcome import after_settle, settle_run
from storage import runs as run_repo
from storage.models import Delivery, DeliveryStatus, DestinationKind, Run, RunStatus, Schedule

log = logging.getLogger(__name__)

# Errors that will not go away by trying again (architecture: "permanent Slack errors").
PERMANENT_SLACK_ERRORS = frozenset({
    "channel_not_found", "is_archived", "not_in_channel", "invalid_auth", "account_inactive", "user_not_found",
    "user_disabled", "token_revoked", "missing_scope", "restricted_action", "posting_to_channel_denied",
    "invalid_channel", "file_uploads_disabled", "file_upload_size_restricted", "not_authed",
})


class TransientDeliveryError(Exception):
    """Some destinations failed in a way worth retrying; the actor retries with backoff."""


@dataclass(frozen=True)
class _FileToSend:
    filename: str
    title: str
    data: bytes


def deliver(ctx: JobContext, run_id: int) -> str:
    """Send `run_id` to every destination not yet sent; return the run's resulting status."""
    token = uuid.uuid4().hex
    now = ctx.now()
    with ctx.database.session() as session:
        if not run_repo.take_lease(session, run_id, statuses=(RunStatus.DELIVERING,), to_status=RunStatus.DELIVERING,
                                   token=token, now=now, lease_for=dt.timedelta(seconds=ctx.settings.lease_seconds)):
            return "not-taken"
        run = session.get(Run, run_id)
        schedule = session.get(Schedule, run.schedule_id)
        keys = {d.key: d for d in schedule.destinations}
        deliveries = run_repo.ensure_deliveries(session, run_id, list(keys))
        pending = [(d.id, keys.get(d.destination)) for d in deliveries if d.status == DeliveryStatus.PENDING]
        files = [_FileToSend(a.filename, a.filename, ctx.artifacts.read_bytes(a.storage_key)) for a in run.artifacts]
        text = (run.summary or {}).get("text") or f"*{schedule.name}*"
        team_id, owner, schedule_id = schedule.team_id, schedule.owner_user_id, schedule.id

    transient = False
    for delivery_id, destination in pending:
        outcome = _send_one(ctx, team_id, schedule_id, destination, text, files)
        transient |= outcome.get("retry", False)
        with ctx.database.session() as session:
            delivery = session.get(Delivery, delivery_id)
            delivery.attempts += 1
            if outcome.get("sent"):
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = ctx.now()
                delivery.channel_id = outcome.get("channel_id")
                delivery.slack_file_ids = outcome.get("file_ids")
                delivery.last_error = None
            else:
                delivery.last_error = outcome["error"]
                if not outcome.get("retry"):
                    delivery.status = DeliveryStatus.FAILED

    with ctx.database.session() as session:
        run = run_repo.holds_lease(session, run_id, token)
        if run is None:
            return "lease-lost"
        statuses = [d.status for d in run.deliveries]
        if transient and DeliveryStatus.PENDING in statuses:
            run.lease_token = None  # the retry takes it again
            run.lease_until = ctx.now() + dt.timedelta(seconds=ctx.settings.dispatch_timeout)
            errors = "; ".join(d.last_error for d in run.deliveries if d.status == DeliveryStatus.PENDING and d.last_error)
            raise_later = TransientDeliveryError(errors or "temporary delivery failure")
        else:
            raise_later = None
            final = _final_status(statuses)
            errors = [f"{d.destination}: {d.last_error}" for d in run.deliveries if d.status == DeliveryStatus.FAILED]
            settle_run(session, run, final, now=ctx.now(), error="; ".join(errors) or None)
    if raise_later is not None:
        raise raise_later
    after_settle(ctx, team_id, owner)
    return final


def _final_status(statuses: list[str]) -> str:
    sent = statuses.count(DeliveryStatus.SENT)
    if statuses and sent == len(statuses):
        return RunStatus.DELIVERED
    return RunStatus.PARTIAL if sent else RunStatus.FAILED


def _send_one(ctx: JobContext, team_id: str, schedule_id: int, destination, text: str, files: list[_FileToSend]) -> dict:
    if destination is None:
        return {"error": "The destination was removed from the schedule."}
    if destination.kind not in (DestinationKind.SLACK_CHANNEL, DestinationKind.SLACK_USER):
        return {"error": f"{destination.kind} delivery is not available yet."}
    client = ctx.slack(team_id)
    try:
        channel_id = destination.target
        if destination.kind == DestinationKind.SLACK_USER:
            channel_id = client.conversations_open(users=destination.target)["channel"]["id"]
        blocks = report_message_blocks(schedule_id, text)
        if files:
            response = client.files_upload_v2(
                file_uploads=[{"content": f.data, "filename": f.filename, "title": f.title} for f in files],
                channel=channel_id,
                blocks=json.dumps(blocks),
            )
            file_ids = [f["id"] for f in response.get("files", [])]
        else:
            client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
            file_ids = []
        return {"sent": True, "channel_id": channel_id, "file_ids": file_ids}
    except SlackApiError as exc:
        code = exc.response.get("error", "unknown_error") if exc.response is not None else "unknown_error"
        status = getattr(exc.response, "status_code", 200)
        retry = code not in PERMANENT_SLACK_ERRORS and (status >= 500 or status == 429 or code in (
            "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"))
        log.warning("delivery to %s failed: %s", destination.key, code)
        return {"error": code, "retry": retry}
    except SlackClientError as exc:
        log.warning("delivery to %s failed: %s", destination.key, exc)
        return {"error": f"Slack could not be reached ({type(exc).__name__}).", "retry": True}
    except OSError as exc:
        return {"error": f"Slack could not be reached ({type(exc).__name__}).", "retry": True}
