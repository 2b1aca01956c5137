"""Read a condition written in plain words into a `Condition`, or refuse it with a concrete fix.

    parse_condition("revenue < 10000")                          # threshold
    parse_condition("when there are no rows")                    # rows = 0
    parse_condition("revenue drops by more than 10%")            # change since the previous check
    parse_condition("failed orders > 5% of orders for 3 checks")  # share, with a pending period
    parse_condition("only if it changed")                        # the data differs from last time

Options come anywhere after the condition: "for 3 checks", "for 30 minutes", "remind every hour",
"and when it resolves" / "not when it resolves", "if no data, keep the last state", "treat errors
as firing", "only the first time". Column names stay as typed here; `bind` matches them to the
report's columns. Nothing is guessed silently: vague words ("when revenue is low") are refused.
"""

from __future__ import annotations

import re
from dataclasses import replace

from reports.conditions import words as w
from reports.conditions.model import (
    Aggregate,
    Condition,
    ConditionError,
    Kind,
    Measure,
    Options,
)

MAX_CHARS = 500
EXAMPLES = ("“revenue < 10000”, “there are no rows”, “revenue drops by more than 10%”, "
            "“failed orders > 5% of orders”, “only if it changed”")

_LEADS = re.compile(r"^(?:(?:please\s+)?(?:alert|notify|tell|ping|warn|message)\s+(?:me|us|the\s+channel)\s+"
                    r"|(?:send|post)\s+(?:it\s+)?|only\s+)?(?:when|whenever|if|once|as\s+soon\s+as)\s+")
_QUOTED = re.compile(r"\"([^\"]+)\"|`([^`]+)`|“([^”]+)”")
_EMPTY = re.compile(r"^(?:(?:there\s+(?:are|is)|it\s+has|it\s+returns|the\s+(?:report|query|result)\s+"
                    r"(?:has|returns))\s+)?no\s+(?:rows|results|records|lines|data)(?:\s+at\s+all)?$"
                    r"|^(?:it|the\s+(?:report|result|results|query))\s+(?:is|are)\s+empty$|^empty$"
                    r"|^nothing\s+(?:is\s+)?(?:returned|comes\s+back|found)$|^(?:rows|results)\s*(?:=|==)\s*0$")
_NOT_EMPTY = re.compile(r"^(?:(?:there\s+(?:are|is)|it\s+has|it\s+returns|the\s+(?:report|query)\s+returns)\s+)?"
                        r"(?:any\s+|some\s+)?(?:rows|results|records|data)(?:\s+(?:exist|appear|come\s+back|"
                        r"are\s+returned|show\s+up))?$|^(?:it|the\s+(?:report|result|results|query))\s+"
                        r"(?:is|are)\s+not\s+empty$|^not\s+empty$|^(?:results|rows)\s+(?:exist|appear)$")
_CHANGED = re.compile(r"^(?:(?:it|the\s+data|the\s+results?|the\s+report|anything|something|the\s+numbers?)\s+)?"
                      r"(?:has\s+)?(?:changed|changes)(?:\s+(?:since|from)\s+(?:the\s+)?(?:last|previous)\s+"
                      r"(?:check|run|time))?$")
_ROW_NOUN = r"(?:rows?|results?|records?|lines?)"


def parse_condition(text: str) -> Condition:
    """Parse `text` (with or without a leading "when"/"if") into a Condition; raise ConditionError."""
    original = " ".join((text or "").split())
    if not original:
        raise ConditionError(f"Write a condition, like {EXAMPLES}.")
    if len(original) > MAX_CHARS:
        raise ConditionError(f"That condition is {len(original):,} characters long; keep it under {MAX_CHARS}.")
    quoted: list[str] = []

    def hold(match: re.Match) -> str:
        quoted.append(next(g for g in match.groups() if g is not None))
        return f" col{len(quoted) - 1}quoted "

    lowered = _QUOTED.sub(hold, original).lower().replace("’", "'")
    lowered = re.sub(r"\s+", " ", lowered).strip().rstrip(".!")
    core, options = _take_options(lowered)
    core = _LEADS.sub("", core.strip(" ,;")).strip(" ,;")
    core = re.sub(r"^(?:and|then)\s+|\s+(?:and|then)$", "", core).strip(" ,;")
    return replace(_core(core, quoted), options=options, text=original)


def _take_options(text: str) -> tuple[str, Options]:
    """Remove the option phrases from `text`; return what is left and the options they set."""
    found: dict = {}

    def take(handle, *patterns: str) -> None:
        nonlocal text
        for pattern in patterns:
            for match in list(re.finditer(pattern, text)):
                handle(match)
            text = re.sub(pattern, " , ", text)

    def set_policy(name: str):
        return lambda m: found.__setitem__(name, w.WORD_TO_POLICY[" ".join(m.group("policy").split())])

    checks = (r"(?P<count>\d+|" + w._WORD_NUMBER + r")\s+(?:consecutive\s+|straight\s+|successive\s+)?"
              r"(?:checks?|evaluations?|runs?|times?|cycles?)")
    take(lambda m: found.__setitem__("for_checks", _count(m.group("count"))),
         rf"\bfor\s+(?:at\s+least\s+)?{checks}(?:\s+in\s+a\s+row)?\b", rf"\b{checks}\s+in\s+a\s+row\b")
    take(lambda m: found.__setitem__("for_seconds", w.duration_seconds(m)),
         rf"\bfor\s+(?:at\s+least\s+|more\s+than\s+|over\s+)?{w.DURATION}")
    while_firing = r"(?:\s+while\s+(?:it's\s+|it\s+is\s+)?firing)"
    take(lambda m: found.__setitem__("rearm_seconds", w.duration_seconds(m)),
         rf"\b(?:re-?notify|re-?alert|remind(?:\s+(?:me|us))?|repeat(?:\s+it)?|notify\s+again|alert\s+again|"
         rf"tell\s+(?:me|us)\s+again|re-?arm)\s+(?:every|after|each)\s+{w.DURATION}{while_firing}?",
         rf"\b(?:and\s+)?every\s+{w.DURATION}{while_firing}")
    resolved = r"(?:resolved|resolves|recovers|recovered|back\s+to\s+normal|ok\s+again|back\s+to\s+ok|clears|cleared)"
    take(lambda m: found.__setitem__("notify_resolved", False),
         r"\b(?:but\s+)?(?:without|no)\s+(?:a\s+)?(?:resolved?|recovery|all[- ]clear)\s+"
         r"(?:message|notice|notification)s?\b",
         rf"\b(?:but\s+)?(?:don't|do\s+not|never)\s+(?:tell|notify|ping|alert)"
         rf"(?:\s+(?:me|us|anyone|the\s+channel))?\s+when\s+(?:it's\s+|it\s+)?(?:is\s+)?{resolved}\b",
         rf"\b(?:but\s+)?not\s+when\s+(?:it\s+)?(?:is\s+)?{resolved}\b",
         r"\bresolve\s+(?:silently|quietly)\b|\b(?:silently|quietly)\s+resolve\b")
    take(lambda m: found.__setitem__("notify_resolved", True),
         rf"\b(?:and\s+)?(?:also\s+)?(?:(?:tell|notify|ping|alert)\s+(?:me|us|the\s+channel)\s+)?(?:again\s+)?"
         rf"when\s+(?:it's\s+|it\s+|the\s+alert\s+|things\s+)?(?:is\s+|gets\s+|goes\s+|comes\s+|are\s+)?"
         rf"{resolved}\b",
         r"\b(?:and\s+)?notify\s+(?:when\s+)?resolved\b",
         r"\bwith\s+(?:a\s+)?(?:resolved?|recovery|all[- ]clear)\s+(?:message|notice|notification)\b")
    lead = r"(?:then\s+)?(?:treat\s+it\s+as\s+|count\s+it\s+as\s+|consider\s+it\s+|it\s+is\s+|=\s*|means\s+)?"
    take(set_policy("no_data"),
         rf"\b(?:if|when|on)\s+(?:there\s+is\s+|there's\s+|it\s+has\s+)?no\s+data[\s,:]*{lead}{w.POLICY}",
         rf"\btreat\s+no\s+data\s+as\s+{w.POLICY}", rf"\bno\s+data\s*(?:=|means|is|:)\s*{w.POLICY}")
    take(set_policy("on_error"),
         rf"\b(?:if|when|on)\s+(?:the\s+)?(?:check|query|evaluation|report|it)?\s*(?:fails|errors?|errored|failed|"
         rf"breaks|can't\s+run|cannot\s+run)[\s,:]*{lead}{w.POLICY}",
         rf"\btreat\s+(?:errors?|failures?|failed\s+checks?)\s+as\s+{w.POLICY}")
    take(lambda m: found.__setitem__("once", True),
         r"\b(?:only\s+(?:the\s+)?first\s+time|only\s+once|just\s+once|(?:the\s+)?first\s+time\s+only|"
         r"once\s+only)\b")
    if "for_checks" in found and "for_seconds" in found:
        raise ConditionError("Give one waiting period: “for 3 checks” or “for 30 minutes”, not both.")
    return text, Options(**found)


def _count(raw: str) -> int:
    count = int(w.SMALL_NUMBERS.get(raw, 0) or raw) if not raw.isdigit() else int(raw)
    if not 1 <= count <= 1000:
        raise ConditionError("The number of checks must be between 1 and 1,000, like “for 3 checks”.")
    return count


def _core(text: str, quoted: list[str]) -> Condition:
    if not text.strip(" ,"):
        raise ConditionError(f"Say what should happen, like {EXAMPLES}.")
    text = text.strip(" ,")
    if _CHANGED.match(text):
        return Condition(Kind.CHANGED)
    if _EMPTY.match(text):
        return Condition(Kind.THRESHOLD, Measure.rows(), "=", 0.0)
    if _NOT_EMPTY.match(text):
        return Condition(Kind.THRESHOLD, Measure.rows(), ">", 0.0)
    counted = re.match(rf"^(?:there\s+are\s+|it\s+returns\s+)?{w.COMPARISON}\s+{w.NUMBER}\s+{_ROW_NOUN}$", text)
    if counted:
        value, percent = w.number_value(counted)
        _no_percent(percent, "rows")
        return Condition(Kind.THRESHOLD, Measure.rows(), w.operator_of(counted.group("op")), _whole(value))
    change = _change(text, quoted)
    if change is not None:
        return change
    return _comparison(text, quoted)


def _change(text: str, quoted: list[str]) -> Condition | None:
    """`<measure> drops by [more than] N[%]` (since the previous check)."""
    cmp = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(w.CHANGE_COMPARISON, key=len, reverse=True))
    since = r"(?:\s+(?:since|from|vs\.?|versus|compared\s+(?:to|with))\s+(?:the\s+)?(?:previous|last|prior)\s+" \
            r"(?:check|evaluation|run|value|time|one))?"
    match = re.match(rf"^(?P<lhs>.+?)\s+{w.CHANGE_VERB}\s+(?:(?P<cmp>{cmp})\s+)?{w.NUMBER}"
                     rf"(?:\s+(?P<more>or\s+more))?{since}$", text)
    if match is None:
        return None
    value, percent = w.number_value(match)
    if match.group("cmp") is None and match.group("more") is None and not percent:
        return None  # "falls 10000": a change or a line? The comparison parser asks.
    if value <= 0:
        raise ConditionError("A change is measured as a positive amount: write “drops by more than 10%”, "
                             "not a negative or zero one.")
    op = ">=" if match.group("more") else w.CHANGE_COMPARISON.get(" ".join((match.group("cmp") or "by").split()), ">=")
    direction = w.VERB_TO_DIRECTION[" ".join(match.group("verb").split())]
    return Condition(Kind.CHANGE, _measure(match.group("lhs"), quoted), op, value, percent=percent,
                     direction=direction)


def _comparison(text: str, quoted: list[str]) -> Condition:
    """`<measure> <op> N`, `<measure> <op> N% of <measure>`, `<measure> / <measure> <op> N`."""
    lhs, op, rhs = _split_comparison(text)
    rhs, op = _suffix_bound(rhs, op)
    number = re.match(rf"^{w.NUMBER}(?:\s+(?P<of>of)\s+(?P<of_what>.+))?$", rhs)
    if number is None:
        raise ConditionError(f"Compare {_shown(lhs, quoted)} with a number, like “{_shown(lhs, quoted)} < 10000” "
                             f"(“{_shown(rhs, quoted)}” is not a number).")
    value, percent = w.number_value(number)
    ratio = re.match(r"^(?P<top>.+?)\s*/\s*(?P<bottom>.+)$", lhs)
    if number.group("of"):
        if not percent:
            raise ConditionError(f"Write the share as a percentage: “{_shown(lhs, quoted)} > 5% of "
                                 f"{_shown(number.group('of_what'), quoted)}”.")
        return Condition(Kind.SHARE, _measure(lhs, quoted), op, value, of=_measure(number.group("of_what"), quoted),
                         percent=True)
    if ratio is not None:
        return Condition(Kind.SHARE, _measure(ratio.group("top"), quoted), op, value,
                         of=_measure(ratio.group("bottom"), quoted), percent=percent)
    measure = _measure(lhs, quoted)
    if percent:
        name = _shown(lhs, quoted)
        raise ConditionError(f"Is {name} a fraction (0.05) or a percentage (5)? Write “{name} > 0.05” or "
                             f"“{name} > 5” — or compare it with another column: “{name} > 5% of orders”.")
    if measure.aggregate == Aggregate.ROWS:
        value = _whole(value)
    return Condition(Kind.THRESHOLD, measure, op, value)


def _split_comparison(text: str) -> tuple[str, str, str]:
    """Split at the comparison: a symbol wins over words ("over budget > 5"); bare "is" comes last."""
    match = re.search(rf"\s*{w.SYMBOL_COMPARISON}\s*", text)
    if match is None:
        match = re.search(rf"(?:^|\s+){w.COMPARISON}(?:\s+|$)", text)
    if match is None:
        match = re.search(r"\s+(?P<op>is|are|was)\s+", text)
        if match is None or not re.match(rf"^{w.NUMBER}(?:\s+or\s+\w+)?$", text[match.end():]):
            raise ConditionError(_vague(text))
        op = "="
    else:
        op = w.operator_of(match.group("op"))
    lhs, rhs = text[:match.start()].strip(), text[match.end():].strip()
    if not lhs:
        raise ConditionError(f"Say what to compare before “{match.group('op').strip()}”, like “revenue < 10000”.")
    if not rhs:
        raise ConditionError(f"Say what to compare {lhs} with, like “{lhs} < 10000”.")
    return lhs, op, rhs


def _suffix_bound(rhs: str, op: str) -> tuple[str, str]:
    """"10 or more" / "10 or less" after "=" or "is" widen the comparison."""
    suffix = re.search(r"\s+or\s+(?P<way>more|above|higher|greater|less|fewer|below|lower)$", rhs)
    if suffix is None:
        return rhs, op
    more = suffix.group("way") in ("more", "above", "higher", "greater")
    return rhs[:suffix.start()], ">=" if more else "<="


def _measure(phrase: str, quoted: list[str]) -> Measure:
    """`total revenue`, `avg(latency)`, `number of rows`, `"Net (€)"` → a Measure (column as typed)."""
    phrase = " ".join(phrase.strip(" ,").split())
    phrase = re.sub(r"^(?:the|our|my|today's|current)\s+", "", phrase)
    phrase = re.sub(r"\s+(?:is|are|was|were|gets|goes)$", "", phrase)
    if phrase in w.ROW_WORDS:
        return Measure.rows()
    aggregate = None
    call = re.match(w.AGGREGATE_CALL, phrase)
    if call:
        aggregate, phrase = w.WORD_TO_AGGREGATE[" ".join(call.group("aggregate").split())], call.group("inner")
    else:
        prefix = re.match(w.AGGREGATE_PREFIX, phrase)
        if prefix and phrase[prefix.end():]:
            aggregate, phrase = w.WORD_TO_AGGREGATE[" ".join(prefix.group("aggregate").split())], phrase[prefix.end():]
    phrase = phrase.strip()
    if phrase in w.ROW_WORDS:
        if aggregate not in (None, Aggregate.COUNT):
            raise ConditionError(f"Rows can only be counted: write “rows > 0”, not “{aggregate.value} of rows”.")
        return Measure.rows()
    held = re.fullmatch(r"col(\d+)quoted", phrase)
    column = quoted[int(held.group(1))] if held else phrase
    if not column or not re.search(r"\w", column):
        raise ConditionError(f"Name a column to compare, like “revenue < 10000” (“{phrase}” is not a column name).")
    return Measure(column, aggregate)


def _shown(phrase: str, quoted: list[str]) -> str:
    return re.sub(r"col(\d+)quoted", lambda m: quoted[int(m.group(1))], " ".join(phrase.split()))


def _whole(value: float) -> float:
    if value < 0 or not float(value).is_integer():
        raise ConditionError("A number of rows is a whole number of zero or more, like “rows > 0”.")
    return value


def _no_percent(percent: bool, what: str) -> None:
    if percent:
        raise ConditionError(f"A number of {what} can't be a percentage; write “more than 5 {what}”.")


def _vague(text: str) -> str:
    """The error for a condition that names no comparison: ask for the missing part."""
    verb = re.search(rf"\b(?P<verb>{'|'.join(re.escape(v) for v in w.VERB_TO_DIRECTION)})\b", text)
    if verb is not None:
        what = text[:verb.start()].strip() or "revenue"
        return (f"By how much? Write “{what} {verb.group('verb')} by more than 10%” (compared with the previous "
                f"check) or a line to cross, like “{what} < 10000”.")
    if any(re.search(rf"\b{re.escape(word)}", text) for word in w.VAGUE_WORDS):
        return (f"“{text}” is too vague for me to check. Say which number and which line it crosses, like "
                f"{EXAMPLES}.")
    return f"I couldn't find a comparison in “{text}”. Try {EXAMPLES}."
