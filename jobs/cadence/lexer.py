"""Lexer: normalise the user's words and cut them into typed tokens."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jobs.cadence.errors import CadenceError
from jobs.cadence.rewrite import rewrite
from jobs.cadence.words import AMBIGUOUS, VAGUE, VOCABULARY
from jobs.cadence.zones import cities, suggest_zone, zone_from_word


@dataclass(frozen=True)
class Token:
    """One lexical unit: num, ord, time, minute, numdate, stamp, the word kinds, zone, punct or unknown."""

    kind: str
    value: Any
    text: str
    start: int
    end: int


_MERIDIEM = re.compile(r"(?<=\d)\s*([ap])\.\s?m\b\.?|\b([ap])\.m\.")
_PATTERNS = [
    ("path", re.compile(r"[a-z][a-z0-9_+\-]*(?:/[a-z0-9_+\-]+)+")),
    ("offset", re.compile(r"(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?\b")),
    ("stamp", re.compile(r"(\d{4}-\d{2}-\d{2})t(\d{2}):(\d{2})\b")),
    # "12a", "3p" and "9:30a" are am/pm only when the letter touches the digits: "2 a day" is a count.
    ("clock", re.compile(r"(\d{1,2})[:.h](\d{2})(?:\s*(am|pm)\b|([ap])\b)?(?![\d.:])")),
    ("meridiem", re.compile(r"(\d{1,4})(?:\s*(am|pm)|([ap]))\b")),
    ("numdate", re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/:])")),
    ("oclock", re.compile(r"(\d{1,2})\s*o'?clock\b")),
    ("minute", re.compile(r":(\d{2})\b")),
    ("ord", re.compile(r"(\d+)(?:st|nd|rd|th)\b")),
    ("num", re.compile(r"\d+")),
    ("word", re.compile(r"[a-z]+(?:'[a-z]+)?")),
    ("punct", re.compile(r"[,;\-/()+*@]")),
    ("space", re.compile(r"[\s.!?\"'`]+|:")),
]
_KINDS = [kind for kind, _ in _PATTERNS]
_ANY = re.compile("|".join(f"(?P<{kind}>{pattern.pattern})" for kind, pattern in _PATTERNS))
_CORRECTABLE = sorted(word for word in VOCABULARY if len(word) >= 4)
_NOT_TYPOS = {"none", "note", "nope", "node", "moon", "mine", "mind", "wood", "word", "dayz"}  # words, not misspellings
_VAGUE_PHRASES = re.compile(r"\b(?:now and (?:then|again)|every so often|from time to time|once in a while|"
                            r"every once in a while|here and there|on and off|"
                            r"when(?:ever)? (?:i|you|we) (?:can|like))\b")


def normalise(text: str) -> str:
    """Lower-case and straighten punctuation so the patterns see one spelling."""
    text = text.strip().lower()
    for fancy, plain in (("–", "-"), ("—", "-"), ("’", "'"), ("&", " and "), ("\u00a0", " "), ("½", " 1/2")):
        text = text.replace(fancy, plain)
    return rewrite(" ".join(_MERIDIEM.sub(lambda m: (m[1] or m[2]) + "m", text).split()))


def tokenize(source: str) -> list[Token]:
    """Cut normalised text (see `normalise`) into tokens, merging multi-word names and fixing typos."""
    vague = _VAGUE_PHRASES.search(source)
    if vague:
        raise CadenceError(f"'{vague[0]}' is too vague for a schedule. Say when, e.g. 'every monday at 9am'.")
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        token, position = _next_token(source, position)
        if token:
            tokens.append(token)
    return _correct(_merge_cities(_merge_numbers(tokens)))


def _next_token(source: str, position: int) -> tuple[Token | None, int]:
    # One combined match finds the first pattern that fits; only a path or offset that names no zone
    # (make() returns False) falls back to trying the later patterns one by one.
    found = _ANY.match(source, position)
    first = _KINDS.index(found.lastgroup) if found else len(_PATTERNS)
    for kind, pattern in _PATTERNS[first:]:
        found = pattern.match(source, position)
        if not found:
            continue
        token = _make(kind, found, source)
        if token is not False:
            return token, found.end()
    raise CadenceError(f"I don't understand '{source[position]}' in '{source}'. "
                       "Try something like 'every monday at 9am'.")


def _make(kind: str, found: re.Match[str], source: str) -> Token | None | bool:
    text, start, end = found[0], found.start(), found.end()
    if kind == "space":
        return None
    if kind in ("path", "offset"):
        zone = zone_from_word(text.replace(" ", ""))
        if not zone and kind == "path" and not all(part in VOCABULARY for part in text.split("/")):
            raise CadenceError(f"I don't know the time zone '{text}'.{suggest_zone(text)}")
        return Token("zone", zone, text, start, end) if zone else False
    if kind == "stamp":
        return Token("stamp", (_iso_date(found[1]), clock_minutes(int(found[2]), int(found[3]), None, text)), text,
                     start, end)
    if kind == "clock":
        meridiem = found[3] or (found[4] and found[4] + "m")
        return Token("time", clock_minutes(int(found[1]), int(found[2]), meridiem, text), text, start, end)
    if kind == "meridiem":
        digits = found[1]
        hour, minute = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
        return Token("time", clock_minutes(hour, minute, found[2] or found[3] + "m", text), text, start, end)
    if kind == "numdate":
        if text == "24/7":
            raise CadenceError("'24/7' doesn't say how often. Try 'every hour' or 'every 15 minutes'.")
        return Token("numdate", (int(found[1]), int(found[2]), found[3] and _full_year(found[3])), text, start, end)
    if kind == "oclock":
        return Token("time", clock_minutes(int(found[1]), 0, None, text), text, start, end)
    if kind == "minute":
        return Token("minute", _minute(int(found[1]), text), text, start, end)
    if kind == "ord":
        return Token("ord", int(found[1]), text, start, end)
    if kind == "num":
        return Token("num", int(text), text, start, end)
    if kind == "punct":
        return Token("kw", "at", text, start, end) if text == "@" else Token("punct", text, text, start, end)
    return _word(text, start, end)


def _word(text: str, start: int, end: int) -> Token:
    if text in VAGUE:
        raise CadenceError(f"'{text}' is too vague for a schedule. Say when, e.g. 'every monday at 9am'.")
    if text in AMBIGUOUS:
        raise CadenceError(AMBIGUOUS[text])
    if text in VOCABULARY:
        kind, value = VOCABULARY[text]
        return Token(kind, value, text, start, end)
    zone = zone_from_word(text) or cities().get(text)
    if zone:
        return Token("zone", zone, text, start, end)
    return Token("unknown", text, text, start, end)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CadenceError(f"'{text}' isn't a real date. Try a date like '2026-03-01'.") from None


def _full_year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def clock_minutes(hour: int, minute: int, meridiem: str | None, text: str) -> int:
    """Turn a clock reading into minutes after midnight, refusing impossible ones."""
    if meridiem:
        if not 1 <= hour <= 12:
            raise CadenceError(f"'{text}' isn't a clock time: with am/pm the hour runs 1–12. Try '1pm' or '13:00'.")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif hour > 23:
        raise CadenceError(f"'{text}' isn't a clock time: hours run 0–23. Try '23:00' or '00:00' (midnight).")
    return hour * 60 + _minute(minute, text)


def _minute(minute: int, text: str) -> int:
    if minute > 59:
        raise CadenceError(f"'{text}' isn't a clock time: minutes run 00–59. Try '9:45'.")
    return minute


def _merge_numbers(tokens: list[Token]) -> list[Token]:
    """Join spelled compounds such as 'thirty five' or 'twenty first'."""
    merged: list[Token] = []
    for token in tokens:
        previous = merged[-1] if merged else None
        if (previous and previous.kind == "num" and previous.value in (20, 30, 40, 50) and previous.text.isalpha()
                and token.kind in ("num", "ord") and token.text.isalpha() and 0 < token.value < 10):
            token = Token(token.kind, previous.value + token.value, f"{previous.text} {token.text}", previous.start,
                          token.end)
            merged.pop()
        merged.append(token)
    return merged


def _merge_cities(tokens: list[Token]) -> list[Token]:
    """Join multi-word city names such as 'new york' into one zone token."""
    merged: list[Token] = []
    index = 0
    while index < len(tokens):
        if tokens[index].text not in _first_city_words():
            merged.append(tokens[index])
            index += 1
            continue
        for size in (3, 2):
            group = tokens[index:index + size]
            name = " ".join(token.text for token in group)
            if len(group) == size and all(t.kind in ("unknown", "zone", "kw") for t in group) and name in cities():
                merged.append(Token("zone", cities()[name], name, group[0].start, group[-1].end))
                index += size
                break
        else:
            merged.append(tokens[index])
            index += 1
    return merged


@lru_cache(maxsize=1)
def _first_city_words() -> frozenset[str]:
    return frozenset(city.split()[0] for city in cities() if " " in city)


def _correct(tokens: list[Token]) -> list[Token]:
    """Replace unknown words with the closest known word, except next to 'holidays'."""
    corrected = []
    for index, token in enumerate(tokens):
        if token.kind == "unknown" and not _near_holidays(tokens, index):
            guess = _closest(token.text)
            if guess:
                kind, value = VOCABULARY[guess]
                token = Token(kind, value, token.text, token.start, token.end)
        corrected.append(token)
    return corrected


def _near_holidays(tokens: list[Token], index: int) -> bool:
    window = tokens[max(0, index - 3):index + 5]
    return any(t.kind == "kw" and t.value == "holiday" for t in window)


def _closest(word: str) -> str | None:
    if len(word) < 4 or word in _NOT_TYPOS:
        return None
    candidates = [w for w in _CORRECTABLE if w[0] == word[0] and abs(len(w) - len(word)) <= 2]
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return found[0] if found else None

