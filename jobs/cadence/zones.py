"""Timezone words: IANA names, UTC offsets, city names and common abbreviations."""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from jobs.cadence.errors import CadenceError

NEW_YORK, CHICAGO, DENVER, LOS_ANGELES = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

# Abbreviations people type in schedules. Daylight and standard forms map to the same
# zone: "9am EST" in July means New York's 9am, which is what the writer wants.
ABBREVIATIONS = {
    "utc": "UTC", "gmt": "UTC", "z": "UTC", "zulu": "UTC",
    "et": NEW_YORK, "est": NEW_YORK, "edt": NEW_YORK, "eastern": NEW_YORK,
    "ct": CHICAGO, "cst": CHICAGO, "cdt": CHICAGO, "central": CHICAGO,
    "mt": DENVER, "mst": DENVER, "mdt": DENVER, "mountain": DENVER,
    "pt": LOS_ANGELES, "pst": LOS_ANGELES, "pdt": LOS_ANGELES, "pacific": LOS_ANGELES,
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "hst": "Pacific/Honolulu",
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "wet": "Europe/Lisbon", "eet": "Europe/Athens",
    "eest": "Europe/Athens", "msk": "Europe/Moscow", "jst": "Asia/Tokyo", "kst": "Asia/Seoul",
    "sgt": "Asia/Singapore", "hkt": "Asia/Hong_Kong", "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney", "aet": "Australia/Sydney", "acst": "Australia/Adelaide",
    "acdt": "Australia/Adelaide", "awst": "Australia/Perth", "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland", "nzt": "Pacific/Auckland", "brt": "America/Sao_Paulo",
}
AMBIGUOUS = {
    "ist": "India (Asia/Kolkata), Israel (Asia/Jerusalem) or Ireland (Europe/Dublin)",
    "bst": "British Summer Time (Europe/London) or Bangladesh (Asia/Dhaka)",
    "ast": "Atlantic (America/Halifax) or Arabia (Asia/Riyadh)",
    "sst": "Samoa (Pacific/Pago_Pago) or Singapore (Asia/Singapore)",
    "amt": "Amazon (America/Manaus) or Armenia (Asia/Yerevan)",
}
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


@lru_cache(maxsize=1)
def _iana() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


@lru_cache(maxsize=1)
def cities() -> dict[str, str]:
    """Map unambiguous city names ("new york", "berlin") to their zone."""
    seen: dict[str, list[str]] = {}
    for name in zoneinfo.available_timezones():
        if "/" in name and not name.startswith(("Etc/", "SystemV/")):
            city = name.rsplit("/", 1)[1].lower().replace("_", " ")
            seen.setdefault(city, []).append(name)
    return {city: names[0] for city, names in seen.items() if len(names) == 1}


def iana_name(word: str) -> str | None:
    """Return the canonical spelling of an IANA zone name, else None."""
    return _iana().get(word.lower())


def zone_from_word(word: str) -> str | None:
    """Resolve a zone word (IANA name, abbreviation, offset); None if it is no zone."""
    lowered = word.lower().strip()
    if lowered in AMBIGUOUS:
        raise CadenceError(
            f"'{word.upper()}' could mean {AMBIGUOUS[lowered]}: which one? "
            f"Name the zone, e.g. '{_first_zone(lowered)}'."
        )
    if lowered in ABBREVIATIONS:
        return ABBREVIATIONS[lowered]
    offset = _OFFSET.match(lowered)
    if offset:
        return _offset_zone(word, *offset.groups())
    return iana_name(lowered)


def _first_zone(abbreviation: str) -> str:
    return AMBIGUOUS[abbreviation].split("(")[1].split(")")[0]


def suggest_zone(word: str) -> str:
    """Offer the closest IANA name as ' Did you mean X?', or a generic hint."""
    import difflib

    found = difflib.get_close_matches(word.lower(), list(_iana()), n=1, cutoff=0.7)
    return f" Did you mean '{_iana()[found[0]]}'?" if found else " Use an IANA name such as 'Europe/Berlin'."


def _offset_zone(word: str, sign: str, hours: str, minutes: str | None) -> str:
    if minutes and minutes != "00" or int(hours) > 14:
        raise CadenceError(f"I can only use whole-hour offsets like UTC+2; "
                           f"for '{word}' name the zone, e.g. 'Asia/Kolkata'.")
    if int(hours) == 0:
        return "UTC"
    # The Etc/GMT zones count the other way round: UTC+2 is Etc/GMT-2.
    return f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"


def check_zone(zone: str) -> str:
    """Validate the user's zone argument and return its canonical name."""
    found = zone_from_word(zone) if zone else None
    if not found:
        raise CadenceError(f"I don't know the time zone '{zone}'.{suggest_zone(zone or '')}")
    return found
