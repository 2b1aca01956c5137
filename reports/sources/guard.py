"""Check a user's SQL before it reaches a database: one read-only statement, known parameters.

This is the friendly first line: it turns the common mistakes (a second statement, an INSERT, a
typo in a parameter name) into a clear message before anything runs. It is not the security
boundary — a tokenizer cannot know every dialect's side effects. The real guard is the read-only
connection of each backend (`reports.sources.postgres`, `.mysql`: a READ ONLY transaction; `.sqlite`: a
connection opened with mode=ro and an authorizer that allows reads and listed functions only).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from reports.sources.errors import UnsafeQuery

WINDOW_PARAMETERS = ("window_start", "window_end", "window_start_date", "window_end_date", "timezone")
_READ_STARTS = {"select", "with", "values", "table"}
# In a statement that starts like a read, these words mean it writes or locks: a data-modifying
# CTE (WITH … INSERT/UPDATE/DELETE/MERGE), SELECT … INTO (creates a table), FOR UPDATE / FOR SHARE.
_WRITE_WORDS = {"insert", "update", "delete", "merge", "into"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_DIGIT_COLON = re.compile(r"(?<![:\w\\]):(?=\d)")  # arr[1:2]; text() would read ":2" as a parameter
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_]\w*)?\$")


@dataclass(frozen=True)
class GuardedQuery:
    """SQL ready for SQLAlchemy's `text()` and the window parameters it uses."""

    sql: str
    parameters: tuple[str, ...]


def guard_query(sql: str, available: tuple[str, ...] = WINDOW_PARAMETERS) -> GuardedQuery:
    """Return the statement prepared for `text()`, or raise UnsafeQuery saying what is wrong."""
    segments = _segments(sql)
    segments = _drop_trailing_semicolons(segments)
    code = " ".join(text for kind, text in segments if kind == "code")
    words = [w.lower() for w in _WORD.findall(code)]
    if not words:
        raise UnsafeQuery("The query is empty.")
    if ";" in code:
        raise UnsafeQuery("Only one SQL statement can run per report; remove the “;” between statements.")
    if not _balanced(code):
        # Also what keeps the statement a self-contained subquery when a backend wraps it (postgres.py).
        raise UnsafeQuery("The query's parentheses do not match: every “(” needs its “)”.")
    first = words[0]
    if first not in _READ_STARTS:
        raise UnsafeQuery(f"Only SELECT queries can run here, and this one starts with {first.upper()}. "
                          "Data sources are read-only.")
    writes = sorted({w for w in words if w in _WRITE_WORDS})
    # FOR SHARE / FOR KEY SHARE (PostgreSQL), LOCK IN SHARE MODE (MySQL, MariaDB).
    if any(a in ("for", "key", "in") and b == "share" for a, b in itertools.pairwise(words)):
        writes.append("share")
    if writes:
        raise UnsafeQuery(f"This query would change data or lock rows ({', '.join(w.upper() for w in writes)}); "
                          "data sources are read-only. If a column has that name, quote it (\"update\").")
    used: list[str] = []
    out: list[str] = []
    for kind, text in segments:
        if kind != "code":
            # SQLAlchemy's text() would read ":x" inside a string or comment as a parameter.
            out.append(text.replace(":", "\\:"))
            continue
        for name in _PARAM.findall(text):
            if name not in available:
                raise UnsafeQuery(f"The query uses :{name}, but the only parameters are "
                                  f"{', '.join(':' + p for p in available)}.")
            if name not in used:
                used.append(name)
        out.append(_DIGIT_COLON.sub("\\:", text))
    return GuardedQuery("".join(out).strip(), tuple(used))


def _balanced(code: str) -> bool:
    depth = 0
    for char in code:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def _segments(sql: str) -> list[tuple[str, str]]:
    """Split SQL into ("code" | "quoted" | "comment", text) pieces, keeping every character."""
    out: list[tuple[str, str]] = []
    i, n, start = 0, len(sql), 0

    def flush(upto: int) -> None:
        if upto > start:
            out.append(("code", sql[start:upto]))

    while i < n:
        c = sql[i]
        end = None
        kind = "quoted"
        if c == "-" and sql.startswith("--", i):
            end, kind = _find(sql, "\n", i + 2, inclusive=False), "comment"
        elif c == "/" and sql.startswith("/*", i):
            end, kind = _block_comment_end(sql, i), "comment"
        elif c == "'":
            # E'…' strings (PostgreSQL) let a backslash escape the quote.
            escapes = i > 0 and sql[i - 1] in "eE" and (i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] == "_"))
            end = _quoted_end(sql, i, "'", backslash=escapes)
        elif c in "\"`":
            end = _quoted_end(sql, i, c, backslash=False)
        elif c == "[" and _sqlite_bracket(sql, i):
            end = _find(sql, "]", i + 1)
        elif c == "$":
            tag = _DOLLAR_TAG.match(sql, i)
            if tag and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                end = _find(sql, tag.group(0), tag.end())
        if end is None:
            i += 1
            continue
        flush(i)
        out.append((kind, sql[i:end]))
        i = start = end
    flush(n)
    return out


def _find(sql: str, token: str, at: int, *, inclusive: bool = True) -> int:
    found = sql.find(token, at)
    if found < 0:
        if token == "\n":
            return len(sql)
        raise UnsafeQuery("The query has an unterminated quote or comment.")
    return found + (len(token) if inclusive else 0)


def _quoted_end(sql: str, i: int, quote: str, *, backslash: bool) -> int:
    j = i + 1
    while j < len(sql):
        if backslash and sql[j] == "\\":
            j += 2
            continue
        if sql[j] == quote:
            if sql.startswith(quote * 2, j):  # a doubled quote is an escaped quote
                j += 2
                continue
            return j + 1
        j += 1
    raise UnsafeQuery("The query has an unterminated quote or comment.")


def _block_comment_end(sql: str, i: int) -> int:
    depth, j = 0, i
    while j < len(sql):  # PostgreSQL nests block comments
        if sql.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif sql.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j
        else:
            j += 1
    raise UnsafeQuery("The query has an unterminated quote or comment.")


def _sqlite_bracket(sql: str, i: int) -> bool:
    """`[name]` quotes an identifier in SQLite; after a value it is a PostgreSQL array subscript."""
    before = sql[:i].rstrip()
    return not before or not (before[-1].isalnum() or before[-1] in "_)]\"'")


def _drop_trailing_semicolons(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A single statement may end in “;” and comments; drop those so only inner “;” count."""
    out = list(segments)
    while out:
        kind, text = out[-1]
        if kind == "comment":
            out.pop()
            continue
        if kind == "code":
            stripped = text.rstrip()
            while stripped.endswith(";"):
                stripped = stripped[:-1].rstrip()
            if not stripped:
                out.pop()
                continue
            out[-1] = (kind, stripped)
        break
    return out
