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

    # greeting help list received next_run show history run pause resume delete mute mute_all create unknown
    kind: str
    target: str = ""
    words: str = ""


_SCHEDULE_WORD = r"(?:reports?|schedules?|scheduled reports?|alerts?)"
_ANYTHING = rf"(?:(?:any|all|these|those|the|your|of\s+the|of\s+your)\s+)*(?:{_SCHEDULE_WORD}|messages?|dms?|" \
            r"stuff|things|everything|anything|them|all(?:\s+of\s+them)?)"
_STOP_SENDING = r"(?:stop|quit|cease|no\s+more)\s+(?:sending|dming|dm'?ing|messaging|emailing|posting)\s+(?:me|to\s+me)"
_NOT_ANY_MORE = r"(?:\s+(?:any\s*more|from\s+now\s+on))?"
RULES: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(pattern, re.I)) for kind, pattern in (
    ("help", r"^(?:help|\?|what can you do|what do you do|how (?:does|do) (?:this|it|you) work|how do i .*|commands|"
             r"usage|menu)$"),
    ("greeting", r"^(?:hi|hello|hey|yo|hiya|good (?:morning|afternoon|evening)|thanks|thank you|ty|cheers)$"),
    ("received", rf"^(?:(?:what|which)\s+{_SCHEDULE_WORD}\s+(?:do|will|am|did)\s+i\s+(?:get|getting|receive|receiving|"
                 rf"subscribed\s+to|signed\s+up\s+(?:to|for)|on)\b.*|"
                 rf"what\s+(?:do|will|did)\s+i\s+(?:get|receive)(?:\s+from\s+you)?|"
                 rf"what\s+am\s+i\s+(?:getting|receiving|subscribed\s+to|signed\s+up\s+(?:to|for)|on)|"
                 rf"(?:what|which)\s+{_SCHEDULE_WORD}\s+(?:are|get|come|go)\s+(?:sent\s+|posted\s+)?to\s+me|"
                 rf"(?:what|which)\s+{_SCHEDULE_WORD}\s+(?:reach|come\s+to|go\s+to)\s+me|"
                 rf"(?:list|show(?:\s+me)?)\s+(?:the\s+|all\s+)?{_SCHEDULE_WORD}\s+(?:i\s+(?:get|receive)|"
                 rf"(?:sent|that\s+go|that\s+come)\s+to\s+me|that\s+reach\s+me)|"
                 rf"(?:my\s+)?subscriptions|(?:what|which)\s+(?:are\s+)?my\s+subscriptions)$"),
    ("mute_all", rf"^(?:{_STOP_SENDING}\s+{_ANYTHING}|{_STOP_SENDING}|"
                 rf"unsubscribe\s+(?:me\s+)?(?:from\s+)?(?:all|everything|every\s+report|all\s+(?:reports|of\s+them))|"
                 rf"unsubscribe\s+me|mute\s+(?:all|everything|all\s+reports|every\s+report)|"
                 rf"(?:i\s+)?(?:don'?t|do\s+not)\s+want\s+(?:to\s+(?:get|receive)\s+)?(?:any\s+)?(?:more\s+)?"
                 rf"{_SCHEDULE_WORD}{_NOT_ANY_MORE}|no\s+more\s+{_SCHEDULE_WORD}){_NOT_ANY_MORE}$"),
    ("mute", rf"^{_STOP_SENDING}\s+(?P<t>.+?){_NOT_ANY_MORE}$"),
    ("mute", r"^unsubscribe\s+(?:me\s+)?(?:from\s+)?(?P<t>.+)$"),
    ("mute", r"^(?:mute|silence)\s+(?P<t>.+)$"),
    ("mute", r"^(?:remove|take|drop)\s+me\s+(?:from|off)(?:\s+of)?\s+"
             r"(?:the\s+(?:list|recipients)\s+(?:of|for)\s+)?(?P<t>.+)$"),
    ("mute", rf"^(?:i\s+)?(?:don'?t|do\s+not)\s+want\s+(?:to\s+(?:get|receive)\s+)?(?P<t>.+?){_NOT_ANY_MORE}$"),
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
    ("pause", r"^(?:pause|stop|suspend|halt|disable|turn off)\s+(?P<t>.+)$"),
    ("resume", r"^(?:resume|unpause|restart|continue|enable|reactivate|turn on)\s+(?P<t>.+)$"),
    ("delete", r"^(?:delete|remove|cancel|drop|get rid of)\s+(?P<t>.+)$"),
    ("history", r"^(?:show\s+(?:me\s+)?)?(?:the\s+)?(?:history|past runs|runs|log|last runs)\s+"
                r"(?:of|for)\s+(?P<t>.+)$"),
    ("history", r"^history\s+(?P<t>.+)$"),
    ("show", r"^(?:show(?: me)?|describe|details(?: of| for)?|tell me about|what is|what's|info(?: on| about)?)\s+"
             r"(?P<t>.+)$"),
    # "tell me in #ops when revenue drops below 10k": an alert (to the person's DM unless it says where).
    ("alert", r"^(?:tell|notify|alert|warn|ping|message|let)\s+(?P<who>me|us|the\s+(?:channel|team))(?:\s+know)?\b"
              r"\s*(?P<w>.*\b(?:when|whenever|if|as\s+soon\s+as)\s+.+)$"),
    ("create", r"^(?P<verb>send|schedule|post|deliver|email|e-mail|mail|create|set up|setup|new|make|add|share|dm|"
               r"message)\b(?:\s+(?P<who>me|myself|us)\b)?\s*(?P<w>.*)$"),
))
# "every day at 8am post demo sales to #ops": the cadence first, then what to send.
CADENCE_FIRST = re.compile(r"^(?P<when>(?:every|each|daily|weekly|monthly|hourly|weekdays?|on|at)\b.*?)[\s,]+"
                           r"(?P<verb>send|post|deliver|share|email|e-mail|mail|dm|message)\s+(?:(?P<who>me|myself|us)\s+)?"
                           r"(?P<w>\S.*)$", re.I)
NEW_SCHEDULE_HINT = re.compile(r"\b(?:every|each)\b|<#|(?<!\w)#\w|<@|(?<!\w)@\w|\sto\s", re.I)
CADENCE_HINT = re.compile(r"\b(?:every|each|daily|weekly|monthly|hourly|weekdays?|mondays?|tuesdays?|wednesdays?|"
                          r"thursdays?|fridays?|saturdays?|sundays?)\b", re.I)
DESTINATION_HINT = re.compile(r"<#|(?<!\w)#\w|<@|(?<!\w)@\w|\bto me\b|\bmy dms?\b|\bprivately\b|\bby dm\b", re.I)
EMAIL_VERBS = ("email", "e-mail", "mail")


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
    cadence_first = CADENCE_FIRST.match(request)
    if cadence_first is not None:
        groups = cadence_first.groupdict()
        return Intent("create", words=_addressed(f"{groups['w']} {groups['when']}", groups["verb"], groups["who"]))
    for kind, pattern in RULES:
        match = pattern.match(request)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v}
        if kind == "create":
            return Intent("create", words=_addressed(groups.get("w", ""), groups["verb"], groups.get("who")))
        if kind == "alert":
            words = re.sub(r"^(?=<?[#@])", "in ", groups["w"])  # "tell the channel #ops when …"
            if groups["who"].lower() == "me" and not DESTINATION_HINT.search(words):
                words += " to me"  # "tell me when …": the person's DM, unless it says where
            return Intent("create", words=words)
        target = next((v for k, v in groups.items() if k.startswith("t")), "")
        if kind == "run":
            target = re.sub(r"^(?:me|us)\s+", "", target, flags=re.I)  # "send me weekly sales now"
            if NEW_SCHEDULE_HINT.search(target):
                return Intent("create", words=target)  # "send X to #sales every monday" is a new schedule
        return Intent(kind, target=target.strip(" \"“”'‘’"))
    if CADENCE_HINT.search(request) and DESTINATION_HINT.search(request):
        return Intent("create", words=request)
    return Intent("unknown", words=request)


def _addressed(words: str, verb: str, who: str | None) -> str:
    """"send me X" asks for X in the person's DM ("email me X": to their address)."""
    if (who or "").lower() not in ("me", "myself"):
        return words
    return f"{words} to my email" if verb.lower() in EMAIL_VERBS else f"{words} to me"


def target_variants(target: str) -> list[str]:
    """Ways a person may name a schedule in passing: "the weekly sales report" is "Weekly sales"."""
    variants = [target]
    base = re.sub(r"^(?:the|my|our|that)\s+", "", target, flags=re.I)
    for candidate in (base, re.sub(r"\s+(?:report|schedule|one)$", "", base, flags=re.I)):
        if candidate and candidate not in variants:
            variants.append(candidate)
    return variants
