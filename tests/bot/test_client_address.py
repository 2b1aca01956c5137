"""The address recorded for a web request: X-Forwarded-For counts only when a trusted proxy sent it."""

from __future__ import annotations

import pytest

from bot.web.client_address import client_address

PROXIES = ("10.0.0.0/8", "2001:db8::/32")


@pytest.mark.parametrize(("remote", "forwarded", "proxies", "expected"), [
    ("203.0.113.5", "1.2.3.4", (), "203.0.113.5"),  # no proxies configured: the header is ignored
    ("203.0.113.5", "1.2.3.4", PROXIES, "203.0.113.5"),  # not from our proxy: ignored
    ("10.0.0.2", "198.51.100.7", PROXIES, "198.51.100.7"),
    ("10.0.0.2", "6.6.6.6, 198.51.100.7", PROXIES, "198.51.100.7"),  # the left part is the client's own claim
    ("10.0.0.2", "198.51.100.7, 10.0.0.9", PROXIES, "198.51.100.7"),  # two of our proxies in a row
    ("10.0.0.2", "garbage, 10.0.0.9", PROXIES, "10.0.0.9"),  # nothing left of a hop we cannot read
    ("10.0.0.2", "", PROXIES, "10.0.0.2"),
    ("10.0.0.2", "198.51.100.7:51234", PROXIES, "198.51.100.7"),
    ("2001:db8::1", "[2001:db8:ffff::1]:443, 2a00:1450::5", PROXIES, "2a00:1450::5"),
    ("::ffff:10.0.0.2", "198.51.100.7", PROXIES, "198.51.100.7"),  # IPv4 proxy seen through an IPv6 socket
    ("10.0.0.2", ", ".join(["10.0.0.3"] * 100 + ["198.51.100.7"]), PROXIES, "198.51.100.7"),
    ("10.0.0.2", ", ".join(["198.51.100.7"] + ["10.0.0.3"] * 100), PROXIES, "10.0.0.3"),  # only the last 32 read
    ("not-an-address", "1.2.3.4", PROXIES, ""),
])
def test_the_client_is_the_right_most_address_our_proxies_did_not_write(remote, forwarded, proxies, expected):
    environ = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(environ, proxies) == expected
