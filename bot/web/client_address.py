"""Who sent a request: the connecting address, or what a trusted proxy says it forwarded.

X-Forwarded-For is written by whoever sends the request, so it is believed only when the
connection comes from a proxy the operator named (REPORTBOT_TRUSTED_PROXIES). Each proxy appends
the address it received the request from, so the header is read from the right, past our own
proxies, and the first address that is not one of them is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

MAX_HOPS = 32  # the right-most hops are the ones our proxies wrote; a longer header is the client's


def client_address(environ: dict, trusted_proxies: Sequence[str] = ()) -> str:
    """Return the address to record for this request (REMOTE_ADDR unless a trusted proxy forwarded it)."""
    remote = _address(environ.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(trusted_proxies))
    if remote is None:
        return ""
    if not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.rsplit(",", MAX_HOPS)[-MAX_HOPS:]):
        address = _address(hop)
        if address is None:  # our proxy would not have written this: believe nothing further left
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _is_trusted(address, networks) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _address(text: str):
    """An IP address from a header entry ("1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443"), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket shows up as ::ffff:a.b.c.d; record it as the IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address
