"""Block Kit primitives and Slack text rules every message, modal and Home view is built from.

Anything that came from a person, a data source or a model goes through `escape` before it is
put in mrkdwn: `&`, `<` and `>` are how Slack writes links and mentions, so escaped text can never
ping a channel (`<!channel>`) or disguise a link (`<https://evil.example|the login page>`).
"""

from __future__ import annotations

from reports.markdown import escape_mrkdwn

SECTION_LIMIT = 3000  # characters in a section's text
PLAIN_LIMIT = 75  # characters in a button's or option's label
HEADER_LIMIT = 150  # characters in a header block
FIELD_LIMIT = 2000  # characters in one of a section's fields
MAX_FIELDS = 10  # fields in one section
VALUE_LIMIT = 2000  # characters in a button's value

STATUS_ICONS = {
    "delivered": "✅", "partial": "⚠️", "failed": "❌", "skipped": "⏭️", "canceled": "🚫",
    "pending": "⏳", "running": "⚙️", "delivering": "📤", "sent": "✅", "sending": "📤",
}


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack mrkdwn escaping of text people typed (names, errors); the rule is reports.markdown's."""
    return escape_mrkdwn(text)


def plain_text(text: str, limit: int = PLAIN_LIMIT) -> dict:
    return {"type": "plain_text", "text": clip(text or " ", limit)}


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict:
    return {"type": "mrkdwn", "text": clip(text or " ", limit)}


def section(text: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def header(text: str, block_id: str | None = None) -> dict:
    """A header: plain text (nothing in it is a mention or a link), bold and large."""
    block = {"type": "header", "text": plain_text(text, HEADER_LIMIT)}
    if block_id:
        block["block_id"] = block_id
    return block


def fields_section(fields: list[str], block_id: str | None = None) -> dict:
    """A section of up to ten mrkdwn fields, shown two by two (key figures)."""
    block = {"type": "section", "fields": [mrkdwn(f, FIELD_LIMIT) for f in fields[:MAX_FIELDS]]}
    if block_id:
        block["block_id"] = block_id
    return block


def context(text: str, block_id: str | None = None) -> dict:
    block = {"type": "context", "elements": [mrkdwn(text, 2000)]}
    if block_id:
        block["block_id"] = block_id
    return block


def actions(elements: list[dict], block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": elements}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> dict:
    return {"text": plain_text(text), "value": value[:150]}


def button(action_id: str, text: str, value: str | None = None, style: str | None = None,
           confirm: dict | None = None) -> dict:
    element = {"type": "button", "action_id": action_id, "text": plain_text(text)}
    if value is not None:
        element["value"] = value[:VALUE_LIMIT]
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element
