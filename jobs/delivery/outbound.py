"""Outbound HTTPS to URLs people typed (webhooks), guarded against server-side request forgery.

A webhook URL is someone's text, and the worker sits inside the company's network, so:
- only https, no credentials in the URL, and the host must be on the workspace's allow-list
  (jobs.access decides; this module only knows how to match a host against a pattern);
- the host is resolved once per attempt and refused when ANY of its addresses is not a public one
  (private, loopback, link-local, multicast, reserved, unspecified, shared, or such an address
  wrapped in IPv6: `::ffff:127.0.0.1`, 6to4, Teredo), unless the workspace's admins allowed private
  addresses;
- the connection goes to exactly the address that was checked (a second lookup could answer
  differently: DNS rebinding), with the URL's host as TLS SNI, certificate name and Host header;
- redirects are never followed (the caller treats a 3xx as a refusal), response bodies are read to
  a small cap, and the whole exchange has one deadline.

The resolver and the connector are settings so tests can play DNS tricks against a real TLS server.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from storage.errors import BadInput, PermissionDenied, SettingsError

MAX_URL_LENGTH = 300  # it is stored as a destination's target (320) behind "webhook:"
BODY_CAP = 2048  # bytes of an answer kept (for the owner's error message); the rest is not read
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

Resolver = Callable[[str, int], list[str]]
Connector = Callable[[tuple[str, int], float], socket.socket]


class UnresolvedHost(BadInput):
    """The URL's host has no address right now (DNS); at send time it is worth trying again."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system's resolver gives for `host` (one lookup)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvedHost(f"{host} could not be found in DNS ({exc.strerror or exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _connect(address: tuple[str, int], timeout: float) -> socket.socket:
    return socket.create_connection(address, timeout=timeout)


@dataclass(frozen=True)
class WebhookSettings:
    """How webhooks are sent: REPORTBOT_WEBHOOK_CA_FILE, REPORTBOT_WEBHOOK_TIMEOUT."""

    ca_file: str | None = None  # certificates trusted besides the system's (a private CA; the tests' own)
    timeout: float = 10.0  # seconds for the whole exchange: connect, TLS, request, answer
    resolve: Resolver = field(default=system_resolver, repr=False)
    connect: Connector = field(default=_connect, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebhookSettings:
        env = os.environ if env is None else env
        ca_file = (env.get("REPORTBOT_WEBHOOK_CA_FILE") or "").strip() or None
        if ca_file and not os.path.isfile(ca_file):
            raise SettingsError(f"REPORTBOT_WEBHOOK_CA_FILE: {ca_file} is not a file of PEM certificates.")
        try:
            timeout = float(env.get("REPORTBOT_WEBHOOK_TIMEOUT") or 10)
        except ValueError:
            raise SettingsError("REPORTBOT_WEBHOOK_TIMEOUT must be a number of seconds.") from None
        if not 0 < timeout <= 120:
            raise SettingsError("REPORTBOT_WEBHOOK_TIMEOUT must be between 0 and 120 seconds.")
        return cls(ca_file=ca_file, timeout=timeout)

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()  # certificate and host name checked; TLS 1.2 or later
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        return context


@dataclass(frozen=True)
class WebhookUrl:
    url: str  # as stored: scheme and host lower-cased, no fragment
    host: str
    port: int

    @property
    def path(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def parse_url(text: str) -> WebhookUrl:
    """Read a webhook URL as typed, or raise BadInput saying what is wrong with it."""
    text = (text or "").strip().strip("<>")
    shown = text[:80]
    if len(text) > MAX_URL_LENGTH:
        raise BadInput(f"That webhook URL is {len(text)} characters long; reportbot takes up to {MAX_URL_LENGTH}.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise BadInput("A webhook URL cannot contain spaces or control characters.")
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port or 443
    except ValueError:
        raise BadInput(f"“{shown}” is not a URL I can read.") from None
    if parts.scheme.lower() != "https":
        raise BadInput(f"Webhooks are sent over https only; “{shown}” is not an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise BadInput("Leave credentials out of the webhook URL: reportbot signs every request instead "
                       "(the signing secret is shown once when the webhook is added).")
    host = (parts.hostname or "").rstrip(".")
    if not host or not (_is_ip(host) or all(HOST_LABEL.match(label) for label in host.split("."))):
        raise BadInput(f"“{shown}” has no host name I can use (letters, digits, hyphens and dots).")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{port}"
    url = urllib.parse.urlunsplit(("https", netloc, parts.path or "/", parts.query, ""))
    return WebhookUrl(url, host, port)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def parse_host_pattern(text: str) -> str | None:
    """An allow-list entry as stored ("hooks.example.com", "*.corp.example", an IP), or None."""
    text = text.strip().lower().rstrip(".")
    if _is_ip(text):
        return text
    name = text[2:] if text.startswith("*.") else text
    labels = name.split(".")
    if len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels):
        return None
    return text


def host_allowed(host: str, patterns: tuple[str, ...]) -> bool:
    """Whether `host` is on the allow-list: itself, or under a `*.` entry (any depth, not the apex)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def refused_because(address: str) -> str | None:
    """Why an address is not one a webhook may reach without the admins' leave, or None if public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    embedded = []
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [a for a in (ip.ipv4_mapped, ip.sixtofour, ip.teredo and ip.teredo[1]) if a is not None]
    for candidate in [*embedded, ip]:  # the wrapped address names the reason best
        for test, words in ((lambda a: a.is_unspecified, "an unspecified address"),
                            (lambda a: a.is_loopback, "a loopback address"),
                            (lambda a: a.is_link_local, "a link-local address (cloud metadata lives there)"),
                            (lambda a: a.is_multicast, "a multicast address"),
                            (lambda a: a.is_private, "a private address"),
                            (lambda a: a.is_reserved, "a reserved address"),
                            (lambda a: not a.is_global, "not a public address")):
            if test(candidate):
                return words
    return None


def resolve_checked(target: WebhookUrl, *, allow_private: bool, resolve: Resolver) -> str:
    """Resolve the host once and return the address to connect to; PermissionDenied when any address
    it resolves to is not public (and private ones are not allowed), UnresolvedHost when it has none."""
    addresses = [target.host] if _is_ip(target.host) else resolve(target.host, target.port)
    if not addresses:
        raise UnresolvedHost(f"{target.host} could not be found in DNS")
    if not allow_private:
        for address in addresses:
            why = refused_because(address)
            if why is not None:
                raise PermissionDenied(
                    f"{target.host} resolves to {address}, {why}: webhooks only go to public addresses unless a "
                    f"workspace admin allows private ones (`/report admin webhooks private on`).")
    return addresses[0]


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes  # at most BODY_CAP bytes


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address, named by host: SNI, certificate check and Host header use the host.

    It keeps its own hold on the socket so `cut_off` can end the exchange at the deadline from
    another thread: http.client lets go of `sock` as soon as an answer says `Connection: close`
    (the answer's reader keeps using it), and there is no `sock` yet while TLS is being set up."""

    def __init__(self, target: WebhookUrl, address: str, settings: WebhookSettings, deadline: float) -> None:
        super().__init__(target.host, target.port, timeout=settings.timeout, context=settings.tls_context())
        self._address = address
        self._connector = settings.connect
        self._deadline = deadline  # time.monotonic() by which the whole exchange is over
        self._held: socket.socket | None = None
        self.expired = threading.Event()

    def _remaining(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0 or self.expired.is_set():
            raise TimeoutError("the deadline passed")
        return left

    def connect(self) -> None:
        raw = self._connector((self._address, self.port), self._remaining())
        self._held = raw
        try:
            raw.settimeout(self._remaining())  # the TLS handshake as a whole gets what is left, not a fresh timeout
            self.sock = self._context.wrap_socket(raw, server_hostname=self.host)
            self._held = self.sock
            self.sock.settimeout(self._remaining())
        except BaseException:
            raw.close()
            raise

    def cut_off(self) -> None:
        """End the exchange now: a read or write blocked on the socket returns at once."""
        self.expired.set()
        held = self._held
        if held is not None:
            try:
                socket.socket.shutdown(held, socket.SHUT_RDWR)  # the descriptor itself, TLS state untouched
            except OSError:
                pass


def post(target: WebhookUrl, address: str, body: bytes, headers: Mapping[str, str],
         settings: WebhookSettings) -> Answer:
    """POST `body` to `address` as `target`; the answer's status, headers and first bytes.

    Raises OSError (including ssl.SSLError and timeouts) and http.client.HTTPException; the whole
    exchange is cut off after `settings.timeout` seconds even when the other side trickles bytes.
    """
    started = time.monotonic()
    connection = _PinnedHTTPSConnection(target, address, settings, started + settings.timeout)
    timer = threading.Timer(settings.timeout, connection.cut_off)
    timer.daemon = True
    timer.start()
    try:
        connection.request("POST", target.path, body=body, headers=dict(headers))
        response = connection.getresponse()
        data = response.read(BODY_CAP)
        answer = Answer(response.status, response.reason or "", {k.lower(): v for k, v in response.getheaders()},
                        data)
    except (OSError, http.client.HTTPException):
        if connection.expired.is_set() or time.monotonic() - started > settings.timeout:
            raise TimeoutError(f"no complete answer within {settings.timeout:g} s") from None
        raise
    finally:
        timer.cancel()
        connection.close()
    if connection.expired.is_set() or time.monotonic() - started > settings.timeout:
        raise TimeoutError(f"no complete answer within {settings.timeout:g} s")
    return answer
