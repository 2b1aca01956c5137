"""Turn a run into the email one recipient gets: attachments or signed links, unsubscribe, notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from jobs import links
from jobs.context import JobContext
from jobs.delivery import policy
from jobs.delivery.email_compose import (
    Attachment,
    DownloadLink,
    ReportEmail,
    compose,
    human_size,
    message_id_for,
    render_subject,
    summary_rows,
)
from jobs.delivery.plan import ArtifactInfo, DeliveryInfo, RunPlan
from reports.summary import covers_words
from storage.models import AttachMode

INLINE_CHART_LIMIT = 5 * 1024 * 1024
ReadFile = Callable[[ArtifactInfo], bytes]


def message_id(ctx: JobContext, plan: RunPlan, delivery: DeliveryInfo) -> str:
    """Reuse the id of an earlier attempt: a re-sent copy then carries the same Message-ID."""
    return delivery.smtp_message_id or message_id_for(plan.run_id, delivery.id, ctx.email.sender_domain)


def build(ctx: JobContext, plan: RunPlan, delivery: DeliveryInfo, read: ReadFile, *, notice: str | None,
          now: dt.datetime) -> EmailMessage | policy.SendOutcome:
    """Return the message for `delivery`, or a failed outcome saying why it cannot be sent."""
    address = delivery.target
    fallback = delivery.fallback_for is not None
    total = sum(a.size for a in plan.artifacts)
    too_big = total > ctx.email.max_bytes
    use_links = bool(plan.artifacts) and (plan.attach_mode == AttachMode.LINK or too_big)
    if use_links and not ctx.links.enabled:
        why = (f"the files are too large to email ({human_size(total)}; the limit is "
               f"{human_size(ctx.email.max_bytes)})" if too_big else "the schedule sends download links")
        return policy.failed("links_not_configured", f"{why}, and download links are not set up on this server "
                                                     f"(REPORTBOT_PUBLIC_URL, REPORTBOT_LINK_SECRET)")
    chart = next((a for a in plan.artifacts if a.content_type == "image/png"
                  and a.size <= min(INLINE_CHART_LIMIT, ctx.email.max_bytes)), None)
    link_list: list[DownloadLink] = []
    expires: dt.datetime | None = None
    attachments: list[Attachment] = []
    too_large = None
    if use_links:
        retention = dt.timedelta(days=ctx.settings.artifact_retention_days)
        for artifact in plan.artifacts:
            url, until = links.artifact_link(ctx.links, artifact_id=artifact.id, delivery_id=delivery.id,
                                             created_at=artifact.created_at, retention=retention, now=now)
            expires = until if expires is None else min(expires, until)
            link_list.append(DownloadLink(artifact.filename, artifact.size, url))
        if too_big:
            too_large = (f"The files are too large to attach ({human_size(total)}; the limit is "
                         f"{human_size(ctx.email.max_bytes)}), so they are available as downloads:")
    else:
        attachments = [Attachment(a.filename, a.content_type, read(a)) for a in plan.artifacts if a is not chart]
    unsubscribe = None
    if not fallback and ctx.links.enabled:
        token = links.unsubscribe_token(ctx.links, schedule_id=plan.schedule_id, address=address)
        unsubscribe = links.unsubscribe_url(ctx.links, token)
    window = plan.summary.get("window_label") or ""  # the subject's {window}: the dates
    local_slot = plan.slot.astimezone(ZoneInfo(plan.timezone))
    subject = render_subject(plan.subject_template, {
        "name": plan.name, "window": window, "date": f"{local_slot:%Y-%m-%d}",
        "rows": f"{summary_rows(plan.summary):,}"})
    if fallback:
        to, cc = [address], []
        footer = f"Sent by reportbot to the owner of “{plan.name}” because Slack delivery failed."
    else:
        to = plan.to or [address]  # cc and bcc recipients see whom the report is for
        cc = plan.cc
        footer = f"You receive this because you are a recipient of the scheduled report “{plan.name}”."
    return compose(ReportEmail(
        sender=ctx.email.sender or "", to=to, cc=cc, subject=subject, title=plan.name,
        window_label=covers_words(plan.summary),
        summary=plan.summary, message_id=message_id(ctx, plan, delivery), attachments=attachments, links=link_list,
        links_expire=expires, too_large=too_large,
        chart=Attachment(chart.filename, chart.content_type, read(chart)) if chart else None,
        notice=notice, footer=footer, unsubscribe_url=unsubscribe,
        list_id=None if fallback else f"<schedule-{plan.schedule_id}.reportbot.{ctx.email.sender_domain}>",
        run_id=plan.run_id, date=now,
    ))
