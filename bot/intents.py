"""Understand plain-words requests to the bot ("pause weekly sales", "what reports do I have").

Pure and table-driven: text in, an Intent out. The conversation surface decides what to do with
it, and never acts on one without the person's confirmation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
POLITE_START = re.compile(r"^(?:(?:hey|hi|hello|ok|okay|so|yo)\s*[,!]?\s+)?(?:(?:please|pls|kindly|could you|can you|"
                          r"would you|will you|i want you to|i'd like you to|i would like you to)\s+)+", re.I)
POLITE_END = re.compile(r"(?:[\s,]+(?:please|pls|thanks|thank you))+$", re.I)


@dataclass(frozen=True)
class Intent:
    """What a message asks for: `kind`, which schedule (`target`), and for `create` the request."""

    kind: str  # greeting help list next_run show history run pause resume delete create unknown
    target: str = ""
    words: str = ""


_SCHEDULE_WORD = r"(?:reports?|schedules?|scheduled reports?)"
RULES: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(pattern, re.I)) for kind, pattern in (
    ("help", r"^(?:help|\?|what can you do|what do you do|how (?:does|do) (?:this|it|you) work|how do i .*|commands|"
             r"usage|menu)$"),
    ("greeting", r"^(?:hi|hello|hey|yo|hiya|good (?:morning|afternoon|evening)|thanks|thank you|ty|cheers)$"),
    ("list", rf"^(?:(?:what|which)\s+{_SCHEDULE_WORD}\s+(?:do|have|did)\s+(?:i|we)\s*(?:have|got|set up)?.*|"
             rf"(?:what|which)\s+{_SCHEDULE_WORD}\s+(?:are there|exist|are set up|are scheduled).*|"
             rf"(?:what|which)\s+(?:are\s+)?(?:my|our|the)\s+{_SCHEDULE_WORD}.*|"
             rf"(?:list|show(?: me)?|see)\s+(?:all\s+)?(?:of\s+)?(?:my|our|the)?\s*{_SCHEDULE_WORD}|"
             rf"(?:my|our)\s+{_SCHEDULE_WORD}|{_SCHEDULE_WORD}|list)$"),
    ("next_run", r"^(?:when|what time)\s+(?:does|will|is|do|'s)\s+(?:the\s+)?(?P<t>.+?)\s+(?:run|go out|go|get sent|be "
                 r"sent|send|happen|fire|due|going out|next run)(?:\s+next|\s+again)?$"),
    ("next_run", r"^(?:when(?:'s| is)\s+(?:the\s+)?next(?:\s+run)?\s+(?:of|for)\s+(?P<t>.+)|"
                 r"next runs?\s+(?:of|for)\s+(?P<t2>.+)|when is (?P<t3>.+?) (?:next|due))$"),
    ("run", r"^(?:run|send|generate|post|deliver|trigger|refresh)\s+(?P<t>.+?)\s+(?:now|right now|immediately|"
            r"right away|asap)$"),
    ("run", r"^(?:run|rerun|re-run|trigger)\s+(?P<t>.+)$"),
    ("pause", r"^(?:pause|stop|suspend|halt|mute|disable|turn off)\s+(?P<t>.+)$"),
    ("resume", r"^(?:resume|unpause|restart|continue|enable|reactivate|turn on)\s+(?P<t>.+)$"),
    ("delete", r"^(?:delete|remove|cancel|drop|get rid of)\s+(?P<t>.+)$"),
    ("history", r"^(?:show\s+(?:me\s+)?)?(?:the\s+)?(?:history|past runs|runs|log|last runs)\s+(?:of|for)\s+(?P<t>.+)$"),
    ("history", r"^history\s+(?P<t>.+)$"),
    ("show", r"^(?:show(?: me)?|describe|details(?: of| for)?|tell me about|what is|what's|info(?: on| about)?)\s+"
             r"(?P<t>.+)$"),
    ("create", r"^(?:send|schedule|post|deliver|email|create|set up|setup|new|make|add|share)\b\s*(?P<w>.*)$"),
))
NEW_SCHEDULE_HINT = re.compile(r"\b(?:every|each)\b|<#|(?<!\w)#\w|<@|(?<!\w)@\w|\sto\s", re.I)
CADENCE_HINT = re.compile(r"\b(?:every|each|daily|weekly|monthly|hourly|weekdays?|mondays?|tuesdays?|wednesdays?|"
                          r"thursdays?|fridays?|saturdays?|sundays?)\b", re.I)


def clean(text: str, bot_user_id: str | None = None) -> str:
    """The request without the bot's mention, greetings, politeness and closing punctuation."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    elif text.lstrip().startswith("<@"):  # a mention of the bot opens every app_mention
        text = MENTION.sub(" ", text, count=1)
    text = " ".join(text.split()).strip(" ,:;")
    text = POLITE_START.sub("", text)
    text = POLITE_END.sub("", text)
    return text.rstrip(" ?!.").strip()


def understand(text: str, bot_user_id: str | None = None) -> Intent:
    """Read one message; anything not understood is `unknown` (the bot then says what it can do)."""
    request = clean(text or "", bot_user_id)[:1000]
    if not request:
        return Intent("greeting")
    for kind, pattern in RULES:
        match = pattern.match(request)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v}
        if kind == "create":
            return Intent("create", words=groups.get("w", ""))
        target = next((v for k, v in groups.items() if k.startswith("t")), "")
        if kind == "run" and NEW_SCHEDULE_HINT.search(target):
            return Intent("create", words=target)  # "send X to #sales every monday" is a new schedule
        return Intent(kind, target=target.strip(" \"“”'‘’"))
    if CADENCE_HINT.search(request) and ("#" in request or "<#" in request or "@" in request):
        return Intent("create", words=request)
    return Intent("unknown", words=request)


def target_variants(target: str) -> list[str]:
    """Ways a person may name a schedule in passing: "the weekly sales report" is "Weekly sales"."""
    variants = [target]
    base = re.sub(r"^(?:the|my|our|that)\s+", "", target, flags=re.I)
    for candidate in (base, re.sub(r"\s+(?:report|schedule|one)$", "", base, flags=re.I)):
        if candidate and candidate not in variants:
            variants.append(candidate)
    return variants
