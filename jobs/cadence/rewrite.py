"""Rewrite everyday phrasings into the words the grammar reads ('half an hour' → '30 minutes').

Each rule has a cheap trigger (a substring) so that a phrase without it costs one `in` test.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_N = r"(\d{1,2}|" + "|".join(_WORD_NUMBERS) + ")"
_HOURS = r"(?:hours?|hrs?|h)"
_QUARTERS = {1: "january, february and march", 2: "april, may and june", 3: "july, august and september",
             4: "october, november and december"}


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _WORD_NUMBERS[text]


def _minutes(found: re.Match[str]) -> str:
    hours = _number(found[1]) if found[1] and found[1] not in ("a", "an") else 1
    return f"{hours * 60 + 30} minutes"


def _hours_and_minutes(found: re.Match[str]) -> str:
    return f"every {int(found[1]) * 60 + int(found[2])} minutes"


def _past(found: re.Match[str]) -> str:
    minute = {"half": 30, "quarter": 15}[found[1]]
    return f"{_number(found[2])}:{minute:02d}{found[3] or ''}"


def _to(found: re.Match[str]) -> str:
    hour = (_number(found[1]) - 1) or 12  # "quarter to one" is 12:45
    return f"{hour}:45{found[2] or ''}"


_Rule = tuple[str, re.Pattern[str], str | Callable[[re.Match[str]], str]]
_RULES: list[_Rule] = [
    ("day", re.compile(r"\bevery-?day\b"), "every day"),
    ("m-f", re.compile(r"\bm-f\b"), "mon-fri"),
    ("every", re.compile(r"\b(?:each and every|every single|each single|each & every)\b"), "every"),
    ("without", re.compile(r"\bwithout (?:fail|exception)\b"), ""),
    ("dot", re.compile(r"\bon the dot\b"), ""),
    ("of the week", re.compile(r"\bdays? of the week\b"), "day"),
    ("half", re.compile(r"\bhalf[- ]?hourly\b"), "every 30 minutes"),
    ("quarter", re.compile(r"\bquarter[- ]?hourly\b"), "every 15 minutes"),
    ("half", re.compile(rf"\b(?:(an?|{_N[1:-1]}) )?{_HOURS} and a half\b"), _minutes),
    ("half", re.compile(rf"\b{_N} and a half {_HOURS}\b"), _minutes),
    ("1/2", re.compile(rf"\b{_N} 1/2 {_HOURS}\b"), _minutes),
    (".5", re.compile(rf"\b(\d{{1,2}})\.5 ?{_HOURS}\b"), _minutes),
    ("quarter", re.compile(r"\b(?:an? |one )?(?:hour|hr) and a quarter\b"), "75 minutes"),
    ("quarter", re.compile(r"\bthree[- ]quarters? of an hour\b"), "45 minutes"),
    ("past", re.compile(rf"\b(half|quarter) past {_N}(\s*[ap]m\b)?"), _past),
    ("half", re.compile(r"\b(?:on|at) (?:the )?half(?: hour| past(?: the hour| each hour| every hour)?)\b"), "at :30"),
    ("quarter", re.compile(r"\b(?:at )?(?:a )?quarter past(?: the hour| each hour| every hour)?\b"), "at :15"),
    ("quarter", re.compile(r"\b(?:at )?(?:a )?quarter to(?: the hour| each hour| every hour)\b"), "at :45"),
    ("past", re.compile(r"\b(?:at )?(\d{1,2}) (?:minutes? |mins? )?past(?: the hour| each hour| every hour)?\b"),
     lambda m: f"at :{int(m[1]):02d}"),
    ("quarter to", re.compile(rf"\bquarter to {_N}(\s*[ap]m\b)?"), _to),
    ("quarter", re.compile(r"\b(?:an? |one )?quarter(?: of)?[- ]?(?:an?[- ])?(?:hour|hr)\b"), "15 minutes"),
    ("half", re.compile(r"\b(?:an? |one )?half(?: of)?[- ]?(?:an?[- ])?(?:hour|hr)\b"), "30 minutes"),
    ("1/", re.compile(r"\b1/([24]) ?(?:hours?|hrs?)\b"), lambda m: "30 minutes" if m[1] == "2" else "15 minutes"),
    ("every", re.compile(rf"\bevery (\d{{1,2}}) ?{_HOURS},? ?(?:and )?(\d{{1,2}}) ?(?:minutes?|mins?|m)\b"),
     _hours_and_minutes),
    ("every", re.compile(r"\bevery (\d{1,2})h(\d{2})\b"), _hours_and_minutes),
    ("fortnight", re.compile(r"\b(?:once )?(?:a|every|each|per) fortnight\b"), "every 2 weeks"),
    ("12", re.compile(r"\b12(?::00)? ?(noon|midnight)\b"), r"\1"),
    ("penultimate", re.compile(r"\bpenultimate\b"), "2nd to last"),
    ("last", re.compile(r"\b(?:next[- ]to[- ]last|last but one)\b"), "2nd to last"),
    ("last", re.compile(r"\b(\w+)-(?:to-)?last\b"), r"\1 to last"),
    ("last", re.compile(r"\b(second|third|fourth|fifth|2nd|3rd|4th|5th) last\b"), r"\1 to last"),
    ("but not", re.compile(r"\bbut not\b"), "except"),
    ("apart from", re.compile(r"\bapart from\b"), "except"),
    ("other than", re.compile(r"\bother than\b"), "except"),
    ("exception of", re.compile(r"\bwith the exception of\b"), "except"),
    ("but only", re.compile(r"\bbut only\b"), "only"),
    ("except for", re.compile(r"\bexcept for\b"), "except"),
    ("q", re.compile(r"\bq([1-4])\b"), lambda m: _QUARTERS[int(m[1])]),
    ("ce-", re.compile(r"\b(once|twice|thrice)-"), r"\1 "),
    ("annual", re.compile(r"\bsemi-?annual(?:ly)?\b"), "every 6 months"),
    ("yearly", re.compile(r"\bhalf-? ?yearly\b"), "every 6 months"),
    ("leap day", re.compile(r"\bleap day\b"), "february 29"),
    ("christmas", re.compile(r"\bchristmas eve\b"), "december 24"),
    ("mas", re.compile(r"\b(?:christmas|xmas)(?: day)?\b"), "december 25"),
    ("boxing day", re.compile(r"\bboxing day\b"), "december 26"),
    ("new year", re.compile(r"\bnew year'?s'? eve\b"), "december 31"),
    ("new year", re.compile(r"\bnew year'?s'?(?: day)?\b"), "january 1"),
]


def rewrite(text: str) -> str:
    """Apply every rule whose trigger occurs in the lower-cased `text`."""
    for trigger, pattern, replacement in _RULES:
        if trigger in text:
            text = pattern.sub(replacement, text)
    return text
