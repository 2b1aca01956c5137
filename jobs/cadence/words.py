"""Vocabulary: every word the grammar knows, mapped to a token kind and value."""

from __future__ import annotations

_DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_SHORT = [("mon",), ("tue", "tues"), ("wed", "weds"), ("thu", "thur", "thurs"), ("fri",), ("sat",), ("sun",)]
_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"]
_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
             "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
             "nineteenth", "twentieth"]
_UNITS = {
    "minute": ("minute", "minutes", "min", "mins", "m"),
    "hour": ("hour", "hours", "hr", "hrs", "h"),
    "day": ("day", "days"),
    "week": ("week", "weeks", "wk", "wks"),
    "month": ("month", "months"),
    "quarter": ("quarter", "quarters"),
    "year": ("year", "years", "yr", "yrs"),
    "second": ("seconds", "secs", "sec"),
}
_KEYWORDS = {
    "every": ("every", "each", "per"),
    "on": ("on",),
    "at": ("at",),
    "the": ("the", "a", "an"),
    "of": ("of",),
    "in": ("in", "during"),
    "and": ("and", "plus", "also", "or"),
    "to": ("to", "till", "til", "until", "through", "thru", "ending", "ends"),
    "from": ("from",),
    "between": ("between",),
    "starting": ("starting", "beginning", "commencing", "effective", "starts", "begins"),
    "after": ("after", "since"),
    "last": ("last", "final"),
    "previous": ("previous", "prior", "preceding"),
    "run": ("run", "report", "delivery", "send", "execution"),
    "other": ("other", "alternate", "alternating"),
    "weekday": ("weekday", "weekdays", "workday", "workdays", "weekdaily"),
    "weekend": ("weekend", "weekends"),
    "business": ("business", "working", "work", "bank"),
    "holiday": ("holiday", "holidays"),
    "public": ("public", "national", "federal", "official", "statutory"),
    "except": ("except", "excluding", "exclude", "skip", "skipping", "without", "observing", "not"),
    "morning": ("morning", "mornings"),
    "end": ("end",),
    "start": ("start",),
    "time": ("time", "timezone", "zone", "o'clock", "oclock"),
    "once": ("once",),
    "twice": ("twice", "thrice"),
    "times": ("times", "x", "occurrences", "occurrence", "runs", "deliveries", "repetitions", "repeats", "iterations"),
    "for": ("for", "over"),
    "only": ("only", "just", "solely"),
    "next": ("next", "following", "coming"),
    "stop": ("stop", "stops", "stopping"),
    "filler": ("please", "then", "it", "schedule", "s", "but", "single", "sharp", "exactly", "precisely", "promptly",
               "always", "regularly", "religiously", "consistently"),
}
FREQUENCIES = {
    "hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter",
    "yearly": "year", "annually": "year", "annual": "year", "fortnightly": "fortnight",
}
AMBIGUOUS = {
    "biweekly": "'Biweekly' can mean every two weeks or twice a week. "
                "Try 'every other monday' or 'every monday and thursday'.",
    "bi-weekly": "'Bi-weekly' can mean every two weeks or twice a week. "
                 "Try 'every other monday' or 'every monday and thursday'.",
    "bimonthly": "'Bimonthly' can mean every two months or twice a month. "
                 "Try 'every 2 months on the 1st' or 'on the 1st and 15th'.",
    "semimonthly": "Which days of the month? Try 'on the 1st and 15th at 9am'.",
    "biannually": "'Biannually' can mean twice a year or every two years. Try 'every 6 months on the 1st'.",
    "biannual": "'Biannual' can mean twice a year or every two years. Try 'every 6 months on the 1st'.",
    "semiweekly": "Which days of the week? Try 'every monday and thursday at 9am'.",
    **{season: f"Which months are {season}? They differ north and south of the equator. Name them, "
               f"e.g. 'every monday in {months}'." for season, months in (
        ("summer", "june, july and august"), ("winter", "december, january and february"),
        ("spring", "march, april and may"), ("autumn", "september, october and november"))},
}
# Parts of the day: a time must be given; a bare hour then reads in that part ("evening at 7" is 19:00).
PARTS_OF_DAY = {
    "evening": "When in the evening? Give a time, e.g. 'every day at 6pm'.",
    "afternoon": "When in the afternoon? Give a time, e.g. 'every day at 2pm'.",
    "night": "When at night? Give a time, e.g. 'every day at 10pm'.",
}
ONE_OFF = {"today", "tonight", "tomorrow", "next", "this", "now", "once", "ago"}
VAGUE = {
    "sometimes", "whenever", "occasionally", "often", "periodically", "frequently", "soon",
    "later", "sometime", "someday", "asap", "randomly", "anytime", "eventually", "whatever", "usually",
    "rarely", "seldom", "constantly", "never", "maybe", "sporadically",
}


def vocabulary() -> dict[str, tuple[str, object]]:
    """Build the word → (kind, value) table."""
    table: dict[str, tuple[str, object]] = {}
    for index, name in enumerate(_DAY_NAMES):
        for word in (name, name + "s", *_DAY_SHORT[index]):
            table[word] = ("day", index)
    for index, name in enumerate(_MONTH_NAMES):
        for word in (name, name[:3], "sept" if index == 8 else name):
            table[word] = ("month", index + 1)
    table.update({word: ("num", n) for n, word in enumerate(_NUMBERS)})
    table.update({word: ("num", n) for word, n in _TENS.items()})
    table.update({word: ("ord", n) for n, word in enumerate(_ORDINALS, start=1)})
    table.update({"thirtieth": ("ord", 30)})
    table.update({word: ("unit", unit) for unit, words in _UNITS.items() for word in words})
    table.update({word: ("kw", key) for key, words in _KEYWORDS.items() for word in words})
    table.update({word: ("freq", unit) for word, unit in FREQUENCIES.items()})
    table.update({"noon": ("time", 720), "midday": ("time", 720), "midnight": ("time", 0)})
    for part, words in (("evening", ("evening", "evenings")), ("afternoon", ("afternoon", "afternoons")),
                        ("night", ("night", "nights", "nightly"))):
        table.update({word: ("part", part) for word in words})
    return table


VOCABULARY = vocabulary()
