"""Block Kit of the bot's answers in conversation: what it understood, and the buttons to confirm,
open the form prefilled, or cancel. Pure functions."""

from __future__ import annotations

from bot.metadata import ChatRequest
from bot.views.replies import HELP, Reply
from jobs.slack_ids import ChatActions, ChatBlocks
from jobs.views.blocks import button, clip, section

EXAMPLES = ("• “send the demo sales report to #sales every monday at 9” · “send me demo sales every day at 8am”\n"
            "• “tell me in #ops when revenue drops below 10k”\n"
            "• “what reports do I have” · “what reports do I get”\n"
            "• “pause weekly sales” · “run weekly sales now” · “when does weekly sales run next”\n"
            "• “stop sending me weekly sales” · “stop sending me reports”")
MAX_RECEIVED = 40
INTRO = "Hi! I schedule reports into channels, DMs and email. Tell me in plain words, for example:\n" + EXAMPLES


def _choices(request: ChatRequest | None, confirm_label: str | None, *, danger: bool = False,
             form_request: ChatRequest | None = None) -> dict | None:
    elements = []
    value = request.dumps() if request else None
    if confirm_label and value:
        elements.append(button(ChatActions.CONFIRM, confirm_label, value, "danger" if danger else "primary"))
    form_value = form_request.dumps() if form_request else None
    if form_value:
        elements.append(button(ChatActions.OPEN_MODAL, "Open the form", form_value))
    if elements:
        elements.append(button(ChatActions.CANCEL, "Cancel", "cancel"))
    return {"type": "actions", "block_id": ChatBlocks.CHOICES, "elements": elements} if elements else None


def confirmation(text: str, request: ChatRequest | None, confirm_label: str | None, *, danger: bool = False,
                 form_request: ChatRequest | None = None) -> Reply:
    """What the bot understood, and buttons: it never acts before one is clicked."""
    blocks = [section(text, ChatBlocks.UNDERSTOOD)]
    choices = _choices(request, confirm_label, danger=danger, form_request=form_request)
    if choices:
        blocks.append(choices)
    return Reply(clip(text, 3900), blocks)


def understood_create(summary: list[str], problems: str | None, request: ChatRequest, *, alert: bool = False,
                      runs: str = "") -> Reply:
    what = "a new alert" if alert else "a new scheduled report"
    lines = [f"Here's what I understood — *{what}*:"] + [f"• {line}" for line in summary] + ([runs] if runs else [])
    if problems:
        lines.append(f"⚠️ Before I can create it: {problems}\nOpen the form to finish it.")
        return confirmation("\n".join(lines), None, None, form_request=request)
    lines.append("Shall I create it?")
    return confirmation("\n".join(lines), request, "Create it", form_request=request)


def intro(words: str | None = None) -> Reply:
    text = INTRO if not words else f"I'm not sure what you mean by “{words[:100]}”. I can help with things like:\n" \
                                   f"{EXAMPLES}\nOr open the form to set one up step by step."
    return confirmation(text, None, None, form_request=ChatRequest("create"))


def chat_help() -> Reply:
    return Reply(clip(INTRO + "\n\nThe `/report` command does the same:\n" + HELP.split("\n", 1)[1], 3900))


def received(lines: list[str]) -> Reply:
    """"What reports do I get?": one line per schedule that reaches the person."""
    if not lines:
        return Reply("Nothing reaches you from me right now: no report or alert is sent to you by DM or posted in "
                     "a channel you are in.")
    shown = lines[:MAX_RECEIVED]
    more = f"\n… and {len(lines) - MAX_RECEIVED} more." if len(lines) > MAX_RECEIVED else ""
    text = ("*What reaches you*\n" + "\n".join(f"• {line}" for line in shown) + more +
            "\nTo stop one you get by DM, say “stop sending me <name>” (or “stop sending me reports” for all).")
    return Reply(clip(text, 3900))
