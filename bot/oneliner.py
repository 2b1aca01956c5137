"""Read `/report new` one-liners: `"Daily sales" every day at 9am in #sales as csv,xlsx`.

Grammar, loosely: NAME CADENCE [in|to DESTINATIONS] [as FORMATS] [using TYPE] — the name is quoted,
or the words before the first cadence word; destinations and formats may come in any order at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.refs import REFERENCE, Ref, find_refs
from reports.renderers import available_formats

CADENCE_START = re.compile(
    r"\b(every|each|daily|weekly|monthly|quarterly|yearly|annually|hourly|fortnightly|weekdays?|weekends?|"
    r"on|at|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|biweekly)\b"
    r"|(?:^|\s)(?=[\d*/,-]+(?:\s+[\w*/,-]+){4}\s*$)",
    re.IGNORECASE,
)
TYPE_CLAUSE = re.compile(r"\s+(?:using|type)\s+([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
DESTINATION_CLAUSE = re.compile(r"\s+(?:in|to|into|for)\s+((?:%s)(?:\s*(?:,|and|&)?\s*(?:%s))*)" % (REFERENCE.pattern, REFERENCE.pattern),
                                re.IGNORECASE)
FORMAT_ALIASES = {"excel": "xlsx", "chart": "png"}


@lru_cache(maxsize=1)
def formats_clause() -> re.Pattern:
    """"as csv, xlsx and pdf": every registered format, and the aliases people type."""
    names = sorted(set(available_formats()) | set(FORMAT_ALIASES), key=len, reverse=True)
    one = "(?:%s)" % "|".join(re.escape(n) for n in names)
    return re.compile(r"\s+as\s+(%s(?:\s*(?:,|and|\+|&)\s*%s)*)\b\s*" % (one, one), re.IGNORECASE)


@dataclass
class OneLiner:
    name: str = ""
    cadence_text: str = ""
    destinations: list[Ref] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    report_type: str | None = None

    @property
    def missing(self) -> list[str]:
        """What the one-liner did not say and the user must still give."""
        return [label for label, value in (("a name", self.name), ("when it runs", self.cadence_text),
                                           ("where it goes", self.destinations)) if not value]


def parse_one_liner(text: str) -> OneLiner:
    """Split a one-liner into its parts; parts it cannot find stay empty (the caller asks for them)."""
    result = OneLiner()
    rest = " " + " ".join(text.split())
    for clause, apply in ((formats_clause(), _formats), (TYPE_CLAUSE, _type), (DESTINATION_CLAUSE, _destinations)):
        while (m := clause.search(rest)) is not None:
            apply(result, m.group(1))
            rest = (rest[: m.start()] + " " + rest[m.end():]).rstrip()
    rest = rest.strip()
    quoted = re.match(r"""^(["“”'‘’])(.+?)["“”'‘’](.*)$""", rest)
    if quoted:
        result.name, rest = quoted.group(2).strip(), quoted.group(3).strip()
    else:
        split = _cadence_start(rest)
        result.name, rest = rest[:split].strip(), rest[split:].strip()
    result.cadence_text = rest.strip(" ,")
    return result


def _cadence_start(text: str) -> int:
    """Where the cadence begins in an unquoted one-liner: at "every"/"each" if present, else at the
    first cadence word after the first word (so "weekly sales every monday" keeps "weekly sales")."""
    every = re.search(r"\b(every|each)\b", text, re.IGNORECASE)
    if every:  # at the very start it means no name was given ("every day at 9am in #sales")
        return every.start()
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
