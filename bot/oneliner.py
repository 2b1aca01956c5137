"""Read `/report new` one-liners: `"Daily sales" every day at 9am in #sales as csv,xlsx`.

Grammar, loosely: NAME CADENCE [in|to DESTINATIONS] [as FORMATS] [using TYPE] [covering PERIOD] [when CONDITION] — the
name is quoted, or the words before the first cadence word (or after the cadence: "every monday at 9
the demo sales report", when the caller can tell a cadence from other words); destinations (`to me`
is the person's own DM) and formats may come in any order at the end; a condition ("when revenue <
10000", "only if it changed") comes last and makes it an alert.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.refs import REFERENCE, Ref, find_refs
from jobs.cadence.words import VOCABULARY
from reports.renderers import available_formats
from reports.window_words import period_phrases_pattern

CADENCE_START = re.compile(
    r"\b(every|each|daily|weekly|monthly|quarterly|yearly|annually|hourly|fortnightly|weekdays?|weekends?|"
    r"on|at|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|biweekly)\b"
    r"|(?:^|\s)(?=[\d*/,-]+(?:\s+[\w*/,-]+){4}\s*$)",
    re.IGNORECASE,
)
TYPE_CLAUSE = re.compile(r"\s+(?:using|type)\s+([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
DESTINATION_CLAUSE = re.compile(
    rf"\s+(?:in|to|into|for|with)\s+((?:{REFERENCE.pattern})(?:\s*(?:,|and|&)?\s*(?:{REFERENCE.pattern}))*)",
    re.IGNORECASE,
)
FORMAT_ALIASES = {"excel": "xlsx", "chart": "png"}
# Words that name a period without being one we read ("covering last 3 weeks", "covering fortnights"):
# taken as a period (and refused by name) only when they end in such a unit, so a name such as "cost
# covering report" stays a name.
PERIOD_UNITS = r"(?:day|week|month|quarter|year|hour|minute|fortnight|period)s?"
# The person's own DM ("to me", "by DM", "privately"), and their own address ("to my email").
TO_ME = re.compile(r"(?:\s+(?:to|for|in|into|by|via)\s+(?:me|myself|my\s+dms?|(?:a\s+)?dms?|(?:a\s+|my\s+)?direct\s+"
                   r"messages?|(?:a\s+)?private\s+messages?)|\s+privately)(?=[\s,.;]|$)", re.IGNORECASE)
TO_MY_EMAIL = re.compile(r"\s+(?:to|by|via)\s+(?:my\s+)?(?:email|e-mail|mail)(?:\s+address)?(?=[\s,.;]|$)",
                         re.IGNORECASE)
# The condition of an alert: from its first "when" / "if" to the end ("only if it changed").
CONDITION_CLAUSE = re.compile(r"(?:^|[\s,]+)((?:only\s+)?(?:when(?:ever)?|if|as\s+soon\s+as)\s+\S.*)$", re.IGNORECASE)
# Words that lead into a report's name when it comes after the cadence ("every day at 8 post demo sales").
NAME_LEAD = re.compile(r"^(?:(?:send|post|deliver|share|email|dm|message)\s+(?:(?:me|us)\s+)?)?", re.IGNORECASE)
# Cadence words that may end a cadence and belong to the name after it instead ("… at 9 the demo report").
MOVABLE = {"the", "a", "an", "and", "of", "send", "report", "run", ","}


@lru_cache(maxsize=1)
def period_clause() -> re.Pattern:
    """"covering the last 7 days", "covering month to date": the phrases reports.window_words reads, or
    other words ending in a unit of time (an unknown period, refused by name)."""
    other = rf"(?:the\s+)?(?:\S+\s+){{0,2}}?(?:\d{{1,5}}\s+)?{PERIOD_UNITS}(?![\w'’])"
    return re.compile(rf"\s+covering\s+({period_phrases_pattern()}|{other})", re.IGNORECASE)


@lru_cache(maxsize=1)
def formats_clause() -> re.Pattern:
    """"as csv, xlsx and pdf": every registered format, and the aliases people type."""
    names = sorted(set(available_formats()) | set(FORMAT_ALIASES), key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names)
    one = f"(?:{alternatives})"
    return re.compile(rf"\s+as\s+({one}(?:\s*(?:,|and|\+|&)\s*{one})*)\b\s*", re.IGNORECASE)


@dataclass
class OneLiner:
    name: str = ""
    cadence_text: str = ""
    destinations: list[Ref] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    report_type: str | None = None
    to_me: bool = False  # the person's own DM
    to_my_email: bool = False
    condition_text: str = ""  # an alert's condition, as typed
    period_text: str = ""  # "the last 7 days" of "covering the last 7 days", as typed

    @property
    def missing(self) -> list[str]:
        """What the one-liner did not say and the user must still give."""
        where = self.destinations or self.to_me or self.to_my_email
        return [label for label, value in (("a name", self.name), ("when it runs", self.cadence_text),
                                           ("where it goes", where)) if not value]


def parse_one_liner(text: str, *, is_cadence: Callable[[str], bool] | None = None) -> OneLiner:
    """Split a one-liner into its parts; parts it cannot find stay empty (the caller asks for them).

    `is_cadence` says whether words read as a schedule: with it, a name after the cadence is found.
    """
    result = OneLiner()
    rest = " " + " ".join(text.split())
    for clause, apply in ((formats_clause(), _formats), (TYPE_CLAUSE, _type), (DESTINATION_CLAUSE, _destinations),
                          (TO_MY_EMAIL, _to_my_email), (TO_ME, _to_me)):
        while (m := clause.search(rest)) is not None:
            apply(result, m.group(1) if clause.groups else m.group(0))
            rest = (rest[: m.start()] + " " + rest[m.end():]).rstrip()
    rest = rest.strip()
    quoted = re.match(r"""^(["“”'‘’])(.+?)["“”'‘’](.*)$""", rest)
    if quoted:
        result.name, rest = quoted.group(2).strip(), quoted.group(3).strip()
    condition = CONDITION_CLAUSE.search(rest)
    if condition is not None:
        result.condition_text, rest = condition.group(1).strip(" ,."), rest[:condition.start()].strip()
    # "covering …" is looked for outside the quoted name and the condition, where it can only be a period.
    if (period := period_clause().search(" " + rest)) is not None:
        result.period_text, rest = period.group(1), (" " + rest)[:period.start()] + (" " + rest)[period.end():]
        rest = " ".join(rest.split())
    if not quoted:
        split = _cadence_start(rest)
        result.name, rest = rest[:split].strip(), rest[split:].strip()
    result.cadence_text = rest.strip(" ,")
    if not result.name and is_cadence is not None:
        result.cadence_text, result.name = split_trailing_name(result.cadence_text, is_cadence)
    return result


def split_trailing_name(text: str, is_cadence: Callable[[str], bool]) -> tuple[str, str]:
    """"every day at 8am post demo sales" → ("every day at 8am", "demo sales"): the longest start that
    reads as a cadence, when what follows it is not more of a cadence ("… until March" stays whole,
    so its own error is shown). Unchanged when the whole text is a cadence or no start is."""
    words = text.split()
    if len(words) < 2 or len(words) > 40 or is_cadence(text):
        return text, ""
    for end in range(len(words) - 1, 0, -1):
        if not is_cadence(" ".join(words[:end])):
            continue
        while end > 1 and words[end - 1].lower() in MOVABLE and is_cadence(" ".join(words[:end - 1])):
            end -= 1  # "… at 9 the demo report": "the" goes with the name
        name_words = [w.lower().strip(",.") for w in words[end:] if w.lower().strip(",.") not in MOVABLE]
        if not name_words or name_words[0] in VOCABULARY or not name_words[0][:1].isalpha():
            return text, ""  # more of a schedule ("until 1 March 2020"): its own error says what is wrong
        return " ".join(words[:end]).strip(" ,"), NAME_LEAD.sub("", " ".join(words[end:])).strip(" ,")
    return text, ""


def _cadence_start(text: str) -> int:
    """Where the cadence begins in an unquoted one-liner: at "every"/"each" if present, else at the
    first cadence word after the first word (so "weekly sales every monday" keeps "weekly sales")."""
    every = re.search(r"\b(every|each)\b", text, re.IGNORECASE)
    if every:  # at the very start it means no name was given ("every day at 9am in #sales")
        # "… at 8am every day": the time said first belongs to the cadence too
        said_first = re.search(r"\b(?:at|on)\s+[\w:.]+(?:\s*[ap]\.?m\.?)?\s+$", text[:every.start()], re.IGNORECASE)
        return said_first.start() if said_first else every.start()
    later = [m.start() for m in CADENCE_START.finditer(text) if m.start() > 0]
    return min(later) if later else len(text)


def _formats(result: OneLiner, text: str) -> None:
    for word in re.split(r"\s*(?:,|and|\+|&)\s*", text.lower()):
        fmt = FORMAT_ALIASES.get(word, word)
        if fmt and fmt not in result.formats:
            result.formats.append(fmt)


def _type(result: OneLiner, text: str) -> None:
    result.report_type = text.lower()


def _destinations(result: OneLiner, text: str) -> None:
    for ref in find_refs(text):
        if ref not in result.destinations:
            result.destinations.append(ref)


def _period(result: OneLiner, text: str) -> None:
    result.period_text = text


def _to_me(result: OneLiner, text: str) -> None:
    result.to_me = True


def _to_my_email(result: OneLiner, text: str) -> None:
    result.to_my_email = True
