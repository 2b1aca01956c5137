"""Build a report email: plain text and HTML with the summary, the chart inline, and the files
attached, or, when they are too large, signed download links with a notice saying so.

Pure: plain data in, an `EmailMessage` out. Every recipient gets a copy of their own (its own
unsubscribe link); the To and Cc headers still show the schedule's recipients as configured.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from reports.renderers.html_page import content_from_summary, report_body_html

SUBJECT_LIMIT = 200
DEFAULT_SUBJECT = "{name} · {window}"
SUBJECT_PLACEHOLDERS = ("name", "window", "date", "rows")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def unknown_placeholders(template: str) -> list[str]:
    """Placeholders in a subject template that `render_subject` would leave as typed."""
    return [name for name in dict.fromkeys(_PLACEHOLDER.findall(template)) if name not in SUBJECT_PLACEHOLDERS]


def render_subject(template: str | None, values: dict[str, str]) -> str:
    """Fill {name} {window} {date} {rows}; unknown placeholders stay as typed.

    Deliberately not str.format: a template is user input, and format() reaches attributes.
    """
    subject = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template or DEFAULT_SUBJECT)
    subject = " ".join(subject.split())  # no line breaks: they would inject headers
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DownloadLink:
    filename: str
    size: int
    url: str


@dataclass(frozen=True)
class ReportEmail:
    sender: str
    to: list[str]
    subject: str
    title: str
    window_label: str
    summary: dict
    message_id: str
    cc: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    links: list[DownloadLink] = field(default_factory=list)
    links_expire: dt.datetime | None = None
    too_large: str | None = None  # why files come as links, shown to the reader
    chart: Attachment | None = None
    notice: str | None = None  # shown first, e.g. why this came by email instead of Slack
    footer: str = ""
    unsubscribe_url: str | None = None
    list_id: str | None = None
    run_id: int | None = None
    date: dt.datetime | None = None


def message_id_for(run_id: int, delivery_id: int, domain: str) -> str:
    return make_msgid(idstring=f"reportbot.run{run_id}.d{delivery_id}", domain=domain)


def human_size(size: int) -> str:
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _number(value) -> str:
    if isinstance(value, bool) or value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _figures(summary: dict) -> list[str]:
    lines = []
    for figure in summary.get("figures") or []:
        if not isinstance(figure, dict):
            continue
        line = f"{figure.get('label', '')}: {_number(figure.get('value'))}"
        change = figure.get("change_pct")
        if isinstance(change, (int, float)) and not isinstance(change, bool):
            line += f" ({change:+.1f}% vs previous)"
        lines.append(line)
    return lines


def _rows(summary: dict) -> tuple[list[str], list[list[str]]]:
    columns = [str(c) for c in summary.get("columns") or []]
    rows = [[str(cell) for cell in row] for row in summary.get("top_rows") or [] if isinstance(row, list)]
    return columns, rows


def _text_body(email: ReportEmail) -> str:
    parts: list[str] = []
    if email.notice:
        parts += [email.notice, ""]
    rows_total = summary_rows(email.summary)
    parts += [f"{email.title} · {email.window_label}", f"{rows_total:,} row{'' if rows_total == 1 else 's'}", ""]
    parts += _figures(email.summary)
    columns, rows = _rows(email.summary)
    if rows:
        parts += ["", f"First {len(rows)} rows:", " | ".join(columns)] + [" | ".join(r) for r in rows]
    parts.append("")
    if email.links:
        parts.append(email.too_large or "Download the files:")
        parts += [f"  {link.filename} ({human_size(link.size)}): {link.url}" for link in email.links]
        if email.links_expire:
            parts.append(f"The links expire on {email.links_expire:%a %d %b %Y %H:%M} UTC.")
    elif email.attachments:
        parts.append("Attached: " + ", ".join(a.filename for a in email.attachments))
    if email.footer or email.unsubscribe_url:
        parts += ["", "-- ", email.footer]
        if email.unsubscribe_url:
            parts.append(f"Unsubscribe: {email.unsubscribe_url}")
    return "\n".join(parts).strip() + "\n"


def _html_body(email: ReportEmail, chart_cid: str | None) -> str:
    e = html.escape
    out: list[str] = ['<html><body style="font-family: Arial, sans-serif; color: #1d1c1d;">']
    if email.notice:
        out.append(f'<p style="background:#fff4e5;border-left:4px solid #e8912d;padding:8px;">{e(email.notice)}</p>')
    # The same page as the report's HTML file: key figures with their change, the chart, the first rows.
    content = content_from_summary(email.summary, email.title, email.window_label)
    out.append(report_body_html(content, chart_src=f"cid:{chart_cid}" if chart_cid else None))
    if email.links:
        out.append(f'<p style="background:#eef4fb;padding:8px;"><b>{e(email.too_large or "Download the files:")}</b>')
        out.append("<ul>" + "".join(f'<li><a href="{e(link.url)}">{e(link.filename)}</a> ({human_size(link.size)})</li>'
                                    for link in email.links) + "</ul>")
        if email.links_expire:
            out.append(f"The links expire on {email.links_expire:%a %d %b %Y %H:%M} UTC.")
        out.append("</p>")
    elif email.attachments:
        out.append("<p>Attached: " + e(", ".join(a.filename for a in email.attachments)) + "</p>")
    if email.footer or email.unsubscribe_url:
        out.append(f'<hr><p style="color:#616061;font-size:12px;">{e(email.footer)}')
        if email.unsubscribe_url:
            out.append(f' <a href="{e(email.unsubscribe_url)}">Unsubscribe</a>')
        out.append("</p>")
    out.append("</body></html>")
    return "\n".join(out)


def summary_rows(summary: dict) -> int:
    rows = summary.get("row_count")
    return rows if isinstance(rows, int) and not isinstance(rows, bool) else 0


def compose(email: ReportEmail) -> EmailMessage:
    """Return the message: multipart/mixed(alternative(text, related(html, chart)), files…)."""
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = ", ".join(email.to)
    if email.cc:
        message["Cc"] = ", ".join(email.cc)
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.date or dt.datetime.now(dt.UTC))
    # Automated mail: no out-of-office replies back to the sender (RFC 3834; Outlook's own header).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    if email.run_id is not None:
        message["X-Reportbot-Run"] = str(email.run_id)
    if email.list_id:
        message["List-Id"] = email.list_id
    if email.unsubscribe_url:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    chart_cid = make_msgid(domain=email.message_id.rpartition("@")[2].rstrip(">") or "reportbot")[1:-1] \
        if email.chart else None
    message.set_content(_text_body(email))
    message.add_alternative(_html_body(email, chart_cid), subtype="html")
    if email.chart is not None:
        html_part = message.get_payload()[1]
        maintype, _, subtype = email.chart.content_type.partition("/")
        html_part.add_related(email.chart.data, maintype=maintype, subtype=subtype, cid=f"<{chart_cid}>",
                              filename=email.chart.filename, disposition="inline")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype or "application",
                               subtype=subtype or "octet-stream", filename=attachment.filename)
    return message
