"""Cursor over tokens with the small look-ahead helpers the clauses share."""

from __future__ import annotations

from jobs.cadence.draft import Draft
from jobs.cadence.lexer import Token

SEPARATORS = (",", "and", "/")


class Cursor:
    """Walk the token list while clauses fill a draft."""

    def __init__(self, tokens: list[Token], text: str, source: str, today, date_order: str | None = None):
        self.tokens = tokens
        self.source = source  # normalised text the token offsets point into
        self.today = today  # the user's local date, for "starting next monday"
        self.date_order = date_order  # "MDY" or "DMY" reads 5/6; None asks
        self.index = 0
        self.text = text
        self.draft = Draft(text)

    def done(self) -> bool:
        """Tell whether every token has been read."""
        return self.index >= len(self.tokens)

    def peek(self, ahead: int = 0) -> Token | None:
        """Look at a token without taking it."""
        position = self.index + ahead
        return self.tokens[position] if 0 <= position < len(self.tokens) else None

    def kind(self, ahead: int, *kinds: str) -> bool:
        """Tell whether the token `ahead` is of one of `kinds`."""
        token = self.peek(ahead)
        return token is not None and token.kind in kinds

    def kw(self, ahead: int, *words: str) -> bool:
        """Tell whether the token `ahead` is one of the keywords (or punctuation) `words`."""
        token = self.peek(ahead)
        return token is not None and token.kind in ("kw", "punct") and token.value in words

    def take(self) -> Token:
        """Consume one token."""
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, *words: str) -> bool:
        """Consume the next token if it is one of the keywords `words`."""
        if self.kw(0, *words):
            self.index += 1
            return True
        return False

    def separator(self, *kinds: str) -> bool:
        """Consume a list separator when a token of `kinds` follows it."""
        for width in (2, 1):  # ", and" before "," or "and"
            if all(self.kw(k, *SEPARATORS) for k in range(width)) and self.kind(width, *kinds):
                self.index += width
                return True
        return False
