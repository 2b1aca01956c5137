"""Channel, user, email and webhook references as people type them and as Slack escapes them.

With escaping on (the manifest turns it on) Slack sends `<#C0123|sales>`, `<@U0123|alice>` and
`<https://hooks.example.com/x>`; people also type plain `#sales`, `@alice`, `ana@example.com` and URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ESCAPED_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
ESCAPED_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
ESCAPED_MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")
# http too, so that it is refused with a reason (webhooks are https only) instead of read as a name.
ESCAPED_URL = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>", re.IGNORECASE)
PLAIN_URL = re.compile(r"(?<![\w<])(https?://[^\s<>,]+)", re.IGNORECASE)
PLAIN_CHANNEL = re.compile(r"(?<![\w<])#([a-z0-9][a-z0-9._-]{0,79})", re.IGNORECASE)
PLAIN_USER = re.compile(r"(?<![\w<])@([a-z0-9][a-z0-9._-]{0,79})", re.IGNORECASE)
EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")

REFERENCE = re.compile("|".join(p.pattern for p in (ESCAPED_CHANNEL, ESCAPED_USER, ESCAPED_MAILTO, ESCAPED_URL,
                                                     PLAIN_URL, EMAIL, PLAIN_CHANNEL, PLAIN_USER)), re.IGNORECASE)


@dataclass(frozen=True)
class Ref:
    """A destination as typed: kind is channel, user, email or webhook; `id` is set when Slack escaped it."""

    kind: str
    id: str | None
    name: str

    @property
    def display(self) -> str:
        return {"channel": f"#{self.name}", "user": f"@{self.name}"}.get(self.kind, self.name)


def parse_ref(token: str) -> Ref | None:
    """Read one reference; None if `token` is not one."""
    token = token.strip().rstrip(",.;")
    for pattern, kind in ((ESCAPED_CHANNEL, "channel"), (ESCAPED_USER, "user")):
        m = pattern.fullmatch(token)
        if m:
            return Ref(kind, m.group(1), m.group(2) or m.group(1))
    m = ESCAPED_MAILTO.fullmatch(token)
    if m:
        return Ref("email", None, m.group(1).lower())
    for pattern in (ESCAPED_URL, PLAIN_URL):
        m = pattern.fullmatch(token)
        if m:
            return Ref("webhook", None, m.group(1))
    m = EMAIL.fullmatch(token)
    if m:
        return Ref("email", None, m.group(1).lower())
    m = PLAIN_CHANNEL.fullmatch(token)
    if m:
        return Ref("channel", None, m.group(1).lower())
    m = PLAIN_USER.fullmatch(token)
    if m:
        return Ref("user", None, m.group(1).lower())
    return None


def find_refs(text: str) -> list[Ref]:
    """Every reference in `text`, in order."""
    return [ref for ref in (parse_ref(m.group(0)) for m in REFERENCE.finditer(text)) if ref is not None]
