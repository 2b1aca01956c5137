"""Email addresses: the one rule for what reportbot emails to, used by the form and by delivery.

An address is a plain ASCII `local@domain` — no display names, lists, quoted parts or IP literals.
The local part allows letters, digits and `. _ + - ' =` (not at either end, never two dots in a row);
`%` and `!` are refused because some mail relays still route on them (`user%evil.com@example.com`
would leave an allowed domain's relay for evil.com). Domains are compared lower-case, and a domain
on an allow-list allows its subdomains.
"""

from __future__ import annotations

import re

from storage.errors import BadInput

MAX_ADDRESS = 254
MAX_LOCAL = 64
_LOCAL = re.compile(r"^[A-Za-z0-9_+'=-]+(?:\.[A-Za-z0-9_+'=-]+)*$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def address_problem(address: str) -> str | None:
    """Why `address` cannot be emailed to, in words; None when it can."""
    shown = address[:80]
    if len(address) > MAX_ADDRESS:
        return f"“{shown}…” is too long for an email address ({len(address)} characters)."
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return f"“{shown}” is not an email address."
    if "%" in local or "!" in local:
        return f"“{shown}” routes mail through another server (% or !); give the recipient's own address."
    if len(local) > MAX_LOCAL or not _LOCAL.match(local):
        return f"“{shown}” is not an email address I can send to."
    if not _DOMAIN.match(domain.lower()):
        return f"“{shown}” does not end in a domain name."
    return None


def valid_address(address: str) -> bool:
    return address_problem(address) is None


def parse_address(text: str) -> str:
    """The address in what a person typed or Slack sent (`<mailto:a@b.com|a@b.com>`), lower-cased;
    BadInput when it is not one reportbot sends to."""
    address = text.strip().strip("<>").removeprefix("mailto:").split("|")[0].strip().lower()
    problem = address_problem(address)
    if problem:
        raise BadInput(problem)
    return address


def parse_domain(text: str) -> str | None:
    """A domain as an admin types it for the allow-list ("@Example.com" → "example.com"); None if not one."""
    domain = text.strip().lstrip("@").lower().rstrip(".")
    return domain if len(domain) <= 253 and _DOMAIN.match(domain) else None


def domain_allowed(address: str, domains) -> bool:
    """Whether the address's domain is one of `domains` or a subdomain of one."""
    domain = address.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in domains)
