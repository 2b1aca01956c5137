"""Holiday calendars: the 'US holidays' clause and country/subdivision names."""

from __future__ import annotations

import re
from functools import lru_cache

from jobs.cadence.cursor import Cursor
from jobs.cadence.errors import CadenceError

# Adjectives and everyday names the holidays registry does not spell out.
_ALIASES = {
    "uk": "GB", "britain": "GB", "great britain": "GB", "british": "GB", "england": "GB-ENG", "scotland": "GB-SCT",
    "wales": "GB-WLS", "usa": "US", "america": "US", "american": "US", "us": "US", "german": "DE", "french": "FR",
    "canadian": "CA", "australian": "AU", "indian": "IN", "irish": "IE", "dutch": "NL", "spanish": "ES",
    "italian": "IT", "swiss": "CH", "austrian": "AT", "japanese": "JP", "polish": "PL", "swedish": "SE",
    "norwegian": "NO", "danish": "DK", "finnish": "FI", "belgian": "BE", "mexican": "MX", "brazilian": "BR",
    "chinese": "CN", "portuguese": "PT", "kiwi": "NZ", "singaporean": "SG", "israeli": "IL", "korean": "KR",
}
_PART = ("unknown", "zone")
_LINKS = ("-", "/", "(", ")", ",")
_DROPPED = ("public", "business", "the")


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    from holidays.registry import COUNTRIES

    names = {}
    for module, (_, alpha2, alpha3, *_rest) in COUNTRIES.items():
        names.update({module.replace("_", " "): alpha2, alpha2.lower(): alpha2, alpha3.lower(): alpha2})
    return names


@lru_cache(maxsize=1)
def _subdivisions() -> dict[str, list[str]]:
    from holidays import list_supported_countries

    return list_supported_countries()


def holidays_clause(cursor: Cursor) -> bool:
    """Read 'US holidays', 'skipping UK bank holidays', 'holidays in Germany (BY)'."""
    start = cursor.index
    skipping = cursor.accept("except")
    cursor.accept("on")
    words = _country_words(cursor)
    if cursor.accept("holiday"):
        if not words and cursor.accept("in"):
            words = _country_words(cursor)
        if not words:
            raise CadenceError("Which holiday calendar? Try 'every weekday, skipping US holidays' or "
                               "'every weekday except holidays in Germany (BY)'.")
        _set_calendar(cursor, resolve_calendar(" ".join(words)))
        return True
    cursor.index = start
    if skipping:  # weekdays, months and dates after "except" are read by `exclusions`
        raise CadenceError("I can skip weekdays, months, dates or holidays, e.g. 'every day except fridays' or "
                           "'every weekday, skipping US holidays'.")
    return False


def _country_words(cursor: Cursor) -> list[str]:
    words: list[str] = []
    while True:
        token = cursor.peek()
        if token is None:
            return words
        if token.kind in _PART or token.kind == "punct" and token.value in _LINKS and words:
            words.append(token.text)
        elif token.kind == "kw" and token.value in _DROPPED:
            pass
        elif len(token.text) in (2, 3) and token.text.isalpha() and token.text in _countries() \
                and (token.kind != "kw" or token.value in ("in", "at")) and cursor.kw(1, "holiday", "-", "("):
            words.append(token.text)  # codes that are also words ("in", "at", "de"), right before "holidays"
        else:
            return words
        cursor.take()


def _set_calendar(cursor: Cursor, calendar: tuple[str, str | None]) -> None:
    if cursor.draft.holidays and cursor.draft.holidays != calendar:
        raise CadenceError("Name one holiday calendar, e.g. 'every weekday, skipping US holidays'.")
    cursor.draft.holidays = calendar


def resolve_calendar(words: str) -> tuple[str, str | None]:
    """Turn 'us-ny', 'germany (by)' or 'uk' into a (country, subdivision) pair."""
    text = " ".join(re.sub(r"[()\-/,]", " ", words).split())
    if text in _ALIASES or text in _countries():
        return _split(_ALIASES.get(text) or _countries()[text])
    parts = text.split()
    for cut in range(len(parts) - 1, 0, -1):
        country = " ".join(parts[:cut])
        code = _ALIASES.get(country) or _countries().get(country)
        if code and "-" not in code:
            return code, _subdivision(code, " ".join(parts[cut:]))
    raise CadenceError(f"I don't know a holiday calendar for '{words}'. Try 'every weekday, skipping US holidays' or "
                       "'every weekday except holidays in Germany (BY)'.")


def _split(code: str) -> tuple[str, str | None]:
    country, _, subdivision = code.partition("-")
    return country, subdivision or None


def _subdivision(country: str, name: str) -> str:
    known = _subdivisions().get(country, [])
    if name.upper() in known:
        return name.upper()
    import holidays

    aliases = getattr(type(holidays.country_holidays(country)), "subdivisions_aliases", {})
    for alias, code in aliases.items():
        if alias.lower() == name:
            return code
    hint = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
    raise CadenceError(f"I don't know the region '{name}' for {country} holidays. Try one of: {hint or 'none'}.")
