"""Block Kit primitives and Slack text rules every message, modal and Home view is built from."""

from __future__ import annotations

SECTION_LIMIT = 3000


STATUS_ICONS = {
    "delivered": "✅", "partial": "⚠️", "failed": "❌", "skipped": "⏭️", "canceled": "🚫",
    "pending": "⏳", "running": "⚙️", "delivering": "📤", "sent": "✅", "sending": "📤",
}


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack mrkdwn escaping of text people typed (names, errors)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button(action_id: str, text: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text[:75]},
              "value": value}
    if style:
        button["style"] = style
    return button
