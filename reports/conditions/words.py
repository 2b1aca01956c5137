"""The vocabulary of conditions: numbers, durations, comparison phrases and aggregate words.

Each table maps what people type to one meaning; the parser (reports.conditions.parse) only
arranges them. Longest phrases are tried first, so "at least" wins over "least".
"""

from __future__ import annotations

import re

from reports.conditions.model import Aggregate, ConditionError, Direction, Policy

SMALL_NUMBERS = {"zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20,
                 "thirty": 30, "a hundred": 100, "a thousand": 1000, "a million": 1_000_000}
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
           "billion": 1e9}
_WORD_NUMBER = "|".join(sorted((re.escape(w) for w in SMALL_NUMBERS), key=len, reverse=True))

# 10000 · 10,000 · 10 000 · 12.5 · $10k · -3 · 1.5m · 5% · "zero"
NUMBER = (r"(?P<number>(?P<sign>[-+−])?\s*[$€£¥]?\s*(?P<digits>\d{1,3}(?:[, _]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
          r"(?:\s*(?P<scale>thousand|million|billion|bn|mm|mn|k|m|b)\b)?"
          rf"|(?P<word>{_WORD_NUMBER})\b)"
          r"(?:\s*(?P<percent>%|percent\b|pct\b))?")

_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60, "minute": 60,
          "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "d": 86400,
          "day": 86400, "days": 86400, "week": 604800, "weeks": 604800}
DURATION = (rf"(?:(?P<half>half\s+an\s+hour)|(?:(?P<amount>\d+(?:\.\d+)?|{_WORD_NUMBER})\s*)?"
            r"(?P<unit>seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?)\b)")


def number_value(match: re.Match) -> tuple[float, bool]:
    """The number a NUMBER match stands for, and whether it carried a percent sign."""
    if match.group("word"):
        value = float(SMALL_NUMBERS[match.group("word")])
    else:
        digits = re.sub(r"[, _]", "", match.group("digits"))
        value = float(digits) * _SCALES.get(match.group("scale") or "", 1.0)
        if match.group("sign") in ("-", "−"):
            value = -value
    return value, bool(match.group("percent"))


def duration_seconds(match: re.Match) -> int:
    """Seconds of a DURATION match; refuses zero."""
    if match.group("half"):
        return 1800
    amount = match.group("amount") or "1"
    number = float(SMALL_NUMBERS[amount]) if amount in SMALL_NUMBERS else float(amount)
    seconds = int(number * _UNITS[match.group("unit")])
    if seconds <= 0:
        raise ConditionError("A duration must be longer than zero, like “for 30 minutes”.")
    return seconds


# Comparison phrases, each with the operator it means.
_COMPARISONS = {
    "<=": ("<=", "≤", "=<", "at most", "no more than", "not more than", "not above", "not over", "up to",
           "less than or equal to", "lower than or equal to", "below or equal to", "fewer than or equal to"),
    ">=": (">=", "≥", "=>", "at least", "no less than", "not less than", "not below", "not under", "no fewer than",
           "more than or equal to", "greater than or equal to", "above or equal to", "reaches", "reach", "hits",
           "hit"),
    "<": ("<", "below", "under", "beneath", "less than", "fewer than", "lower than", "smaller than"),
    ">": (">", "above", "over", "more than", "greater than", "higher than", "bigger than", "larger than",
          "exceeds", "exceed", "tops", "past", "beyond"),
    "!=": ("!=", "<>", "≠", "is not", "isn't", "are not", "aren't", "not equal to", "does not equal",
           "doesn't equal", "is different from", "differs from", "other than"),
    "=": ("==", "=", "equals", "equal to", "is equal to", "is exactly", "exactly"),
}
_PHRASE_TO_OP = {phrase: op for op, phrases in _COMPARISONS.items() for phrase in phrases}
# A verb may come before the comparison: "drops below", "is above", "stays under".
_VERBS = ("is", "are", "was", "gets", "goes", "drops", "drop", "falls", "fall", "dips", "dip", "sinks", "sink",
          "rises", "rise", "climbs", "climb", "jumps", "jump", "stays", "stay", "remains", "remain", "becomes",
          "become", "gets", "get", "go", "is still")


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


def _bounded(phrase_alternation: str) -> str:
    # Word phrases need word boundaries; symbols ("<", "=") must not.
    return rf"(?:(?<![\w<>=!])(?:{phrase_alternation})(?![\w<>=]))"


COMPARISON = rf"(?:(?:{_alternation(_VERBS)})\s+)?(?P<op>{_bounded(_alternation(_PHRASE_TO_OP))})"
SYMBOL_COMPARISON = r"(?P<op><=|>=|=<|=>|!=|<>|==|≤|≥|≠|<|>|=)"


def operator_of(phrase: str) -> str:
    return _PHRASE_TO_OP[" ".join(phrase.split())]


# Aggregate words before a column: "total revenue", "average of latency", "max(load)".
_AGGREGATES = {
    Aggregate.SUM: ("sum of", "sum", "total of", "total", "the sum of", "the total", "the total of"),
    Aggregate.AVERAGE: ("average of", "average", "avg of", "avg", "mean of", "mean", "the average",
                        "the average of", "the mean"),
    Aggregate.MIN: ("minimum of", "minimum", "min of", "min", "lowest", "smallest", "the lowest", "the smallest",
                    "the minimum"),
    Aggregate.MAX: ("maximum of", "maximum", "max of", "max", "highest", "largest", "biggest", "peak", "the highest",
                    "the largest", "the maximum", "the peak"),
    Aggregate.COUNT: ("count of", "count", "number of", "the number of", "the count of", "how many"),
    Aggregate.LAST: ("last", "latest", "most recent", "final", "the last", "the latest", "the most recent"),
}
WORD_TO_AGGREGATE = {word: aggregate for aggregate, words in _AGGREGATES.items() for word in words}
AGGREGATE_PREFIX = rf"^(?P<aggregate>{_alternation(WORD_TO_AGGREGATE)})\s+(?:of\s+)?(?:the\s+)?"
AGGREGATE_CALL = rf"^(?P<aggregate>{_alternation(WORD_TO_AGGREGATE)})\s*\(\s*(?P<inner>[^()]*?)\s*\)$"
ROW_WORDS = ("rows", "row", "results", "result", "records", "record", "lines", "row count", "rows count",
             "number of rows", "the number of rows", "count of rows", "count(*)", "count", "the row count",
             "number of results", "number of records", "*")

# Change verbs: "drops by", "rises by", "changes by".
_CHANGE_VERBS = {
    Direction.DOWN: ("drops", "drop", "dropped", "falls", "fall", "fell", "decreases", "decrease", "decreased",
                     "declines", "decline", "declined", "goes down", "went down", "shrinks", "shrank", "sinks",
                     "sank", "dips", "dipped", "is down", "gets smaller"),
    Direction.UP: ("rises", "rise", "rose", "increases", "increase", "increased", "grows", "grow", "grew",
                   "goes up", "went up", "jumps", "jump", "jumped", "climbs", "climbed", "spikes", "spiked",
                   "is up", "gets bigger"),
    Direction.ANY: ("changes", "change", "changed", "moves", "move", "moved", "swings", "swung", "shifts",
                    "shifted", "varies"),
}
VERB_TO_DIRECTION = {verb: direction for direction, verbs in _CHANGE_VERBS.items() for verb in verbs}
CHANGE_VERB = rf"(?:has\s+)?(?P<verb>{_alternation(VERB_TO_DIRECTION)})"
CHANGE_COMPARISON = {"more than": ">", "at least": ">=", "by at least": ">=", "by more than": ">", "by over": ">",
                     "by": ">="}

# What no data / an error should count as.
POLICY_WORDS = {
    Policy.KEEP: ("keep the last state", "keep the previous state", "keep last state", "keep the state", "keep it",
                  "keep", "unchanged", "ignore it", "ignore", "do nothing", "nothing", "stay", "the last state"),
    Policy.FIRING: ("fire the alert", "fire", "firing", "alert", "alerting", "a problem", "trouble", "bad",
                    "triggered"),
    Policy.OK: ("ok", "okay", "fine", "normal", "resolved", "good", "not firing", "all clear", "clear"),
    Policy.OWN: ("no data", "its own state", "an error", "error", "tell me", "tell us", "warn me", "warn us",
                 "notify", "warn", "say so"),
}
WORD_TO_POLICY = {word: policy for policy, words in POLICY_WORDS.items() for word in words}
POLICY = rf"(?P<policy>{_alternation(WORD_TO_POLICY)})\b"

# Words that say something is wrong without saying how much: asked about instead of guessed.
VAGUE_WORDS = ("low", "high", "bad", "good", "weird", "wrong", "unusual", "abnormal", "anomal", "strange", "spike",
               "a lot", "too much", "too many", "too few", "too little", "big", "small", "dips", "tanks", "crashes",
               "looks off", "odd")
