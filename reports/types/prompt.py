"""`prompt`: the "Pulse" report — a question for an AI model, optionally about another report's data.

The prompt, and the attached report's rows when one is chosen, go to the chat-completions endpoint
an admin configured (reports/types/chat_client.py); the answer is Markdown. It comes back as
`Table.meta["message_markdown"]` for the message, and as a one-column table (one row per line of
the answer) so the CSV and PDF renderers carry it like any other report. Off unless configured.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
from dataclasses import replace
from typing import Any

from reports.errors import ParameterError, ReportError
from reports.registry import (
    Param,
    ReportRequest,
    all_report_types,
    get_report_type,
    report_type,
)
from reports.table import Column, ColumnType, Table
from reports.types.chat_client import ChatClient, ChatNotConfigured, ChatSettings

MAX_PROMPT_CHARS = 8_000
MAX_ATTACHED_CHARS = 40_000  # keeps the request well inside any model's context
SYSTEM_PROMPT = (
    "You are Pulse, a reporting assistant whose answers are posted in Slack and saved as a PDF. "
    "Answer in concise Markdown: a one-line headline, then short sections or bullet points, figures in bold. "
    "The report covers {window}. {data_note} "
    "Never invent figures; if the data cannot answer the question, say so."
)


def _attachable() -> list[str]:
    return [t.name for t in all_report_types() if t.name != "prompt"]


@report_type(
    "prompt",
    title="Pulse",
    description="An AI-written summary: your prompt, optionally about another report's data, answered by the "
                "model an admin configured.",
    params=(
        Param("prompt", "Prompt", required=True, multiline=True, max_length=MAX_PROMPT_CHARS,
              help="What to ask, e.g. “Summarise last week's sales and call out anything unusual.”"),
        Param("attach", "Attach data from", type="choice", choices_from=_attachable,
              help="Another report type whose data (for the same window) is sent with the prompt."),
        Param("attach_params", "Parameters of the attached report",
              help='Its parameters as JSON ({"region": "North"}) or key=value pairs (region=North, view=daily).'),
        Param("attach_rows", "Rows to send", type="integer", min=0, max=2_000, default=200,
              help="At most this many rows of the attached data are sent; the row count and totals always are."),
    ),
    default_formats=("pdf",),
    reads=lambda params: attached_report_types(params),
    check=lambda params, **who: attached_report_problem(params, **who),
)
def fetch_prompt(request: ReportRequest) -> Table:
    settings = request.services.get("chat_settings") or ChatSettings.from_env()
    if settings is None:
        raise ChatNotConfigured("The Pulse report is off: a reportbot admin must set REPORTBOT_LLM_BASE_URL and "
                                "REPORTBOT_LLM_MODEL (and REPORTBOT_LLM_API_KEY if the endpoint needs one).")
    params = request.params
    attachment, attached_title = "", ""
    if params.get("attach"):
        attachment, attached_title = _attachment(request, params["attach"], params.get("attach_params"),
                                                 params.get("attach_rows"))
    data_note = (f"The user's data from the “{attached_title}” report follows the question, as CSV."
                 if attachment else "No data is attached.")
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT.format(window=request.window.label, data_note=data_note)},
        {"role": "user", "content": params["prompt"] + (f"\n\n{attachment}" if attachment else "")},
    ]
    client = ChatClient(settings, **({"sleep": request.services["sleep"]} if "sleep" in request.services else {}))
    answer = client.complete(messages)
    markdown = answer.text + ("\n\n_(The answer was cut short by the model's length limit.)_"
                              if answer.truncated else "")
    lines = [(line,) for line in markdown.splitlines() if line.strip()]
    return Table.from_rows(
        [Column("answer", ColumnType.TEXT)], lines, title="Pulse", window_label=request.window.label,
        meta={"message_markdown": markdown, "model": answer.model, "attached": attached_title or None,
              "chat_attempts": client.attempts},
    )


def _attachment(request: ReportRequest, name: str, raw_params: str | None, max_rows: int | None) -> tuple[str, str]:
    """Fetch the other report for the same window and render it as bounded CSV with a header note."""
    if name == "prompt":
        raise ParameterError("A Pulse report can't attach another Pulse report.")
    other = get_report_type(name)
    params = other.validate_params(parse_attach_params(raw_params))
    table = other.fetch(replace(request, params=params))
    limit = 200 if max_rows is None else max_rows
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    numeric = [i for i, c in enumerate(table.columns) if c.type.is_numeric]
    totals = {i: 0.0 for i in numeric}
    count = sent = 0
    for row in table.rows():
        count += 1
        for i in numeric:
            if isinstance(row[i], (int, float, decimal.Decimal)) and not isinstance(row[i], bool):
                totals[i] += float(row[i])
        if sent < limit and out.tell() < MAX_ATTACHED_CHARS:
            writer.writerow([_cell(v) for v in row])
            sent += 1
    note = f"{count:,} rows" + (f", the first {sent:,} below" if sent < count else "")
    if numeric:
        note += "; totals: " + ", ".join(f"{table.columns[i].name} = {totals[i]:,.2f}" for i in numeric)
    title = table.title or other.title
    return f"Data: {title} ({note})\n```csv\n{out.getvalue()}```", title


def attached_report_types(params: dict[str, Any]) -> tuple[str, ...]:
    """The report a Pulse attaches (and whatever that one reads), for the permission checks."""
    name = params.get("attach")
    if not name or name == "prompt":
        return ()
    try:
        other = get_report_type(name)
        return other.report_types_read(parse_attach_params(params.get("attach_params")))
    except ReportError:  # unknown type or unreadable parameters: the named type is still checked
        return (name,)


def attached_report_problem(params: dict[str, Any], *, team_id: str, user_id: str, timezone: str) -> str | None:
    """What the attached report would run into at every run (its own save-time check), or None."""
    name = params.get("attach")
    if not name or name == "prompt":
        return None
    try:
        other = get_report_type(name)
        attached = other.validate_params(parse_attach_params(params.get("attach_params")))
    except ReportError as exc:
        return str(exc)
    problem = other.problem_with(attached, team_id=team_id, user_id=user_id, timezone=timezone)
    return f"The attached “{other.title}” report: {problem}" if problem else None


def parse_attach_params(raw: str | None) -> dict[str, Any]:
    """Read `{"a": 1}` or `a=1, b=two` into a dict; ParameterError when it is neither."""
    if not raw or not raw.strip():
        return {}
    text = raw.strip()
    if text.startswith(("{", "[")):
        try:
            value = json.loads(text)
        except ValueError:
            raise ParameterError("The attached report's parameters are not valid JSON.") from None
        if not isinstance(value, dict):
            raise ParameterError("The attached report's parameters must be a JSON object.")
        return value
    pairs: dict[str, Any] = {}
    for part in re.split(r"[,;\n]+", text):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"“{part.strip()}” is not a key=value pair (for the attached report's parameters).")
        pairs[key.strip()] = value.strip()
    return pairs


def _cell(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else value
