"""Signed links in emails: file downloads that expire, and one-click unsubscribe.

A token is `<payload>.<mac>`: the payload is small base64url JSON (ids and an expiry, never an
email address or a file path) and the mac is HMAC-SHA256 over the purpose and the payload with
`REPORTBOT_LINK_SECRET`. Without the secret a token can be neither forged nor guessed (256 bits);
changing the secret invalidates every link at once. The web process serves them (bot/web/downloads.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field

from storage.email import address_hash
from storage.errors import ReportbotError, SettingsError

DOWNLOAD = "d"
UNSUBSCRIBE = "u"
MIN_SECRET_LENGTH = 16
MAX_TOKEN_LENGTH = 512


class BadLink(ReportbotError):
    """The token is malformed, forged or for another purpose."""


class ExpiredLink(BadLink):
    """The token was genuine but its time is up."""


@dataclass(frozen=True)
class LinkSettings:
    public_url: str | None = None  # where the web process is reachable, e.g. https://reportbot.example.com
    secret: str | None = field(default=None, repr=False)
    download_ttl: dt.timedelta = dt.timedelta(days=7)

    @property
    def enabled(self) -> bool:
        return bool(self.public_url and self.secret)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> LinkSettings:
        env = dict(os.environ if env is None else env)
        url = (env.get("REPORTBOT_PUBLIC_URL") or "").rstrip("/") or None
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError(f"REPORTBOT_PUBLIC_URL must be an http(s) URL, not {url!r}.")
        secret = env.get("REPORTBOT_LINK_SECRET") or None
        if secret and len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(f"REPORTBOT_LINK_SECRET must be at least {MIN_SECRET_LENGTH} characters.")
        try:
            hours = float(env.get("DOWNLOAD_LINK_TTL_HOURS") or 168)
        except ValueError:
            raise SettingsError("DOWNLOAD_LINK_TTL_HOURS must be a number of hours.") from None
        return cls(public_url=url, secret=secret, download_ttl=dt.timedelta(hours=hours))


@dataclass(frozen=True)
class DownloadClaim:
    artifact_id: int
    delivery_id: int
    expires_at: dt.datetime


@dataclass(frozen=True)
class UnsubscribeClaim:
    schedule_id: int
    address_hash: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), f"reportbot-link.{payload}".encode(), hashlib.sha256).digest())


def _sign(settings: LinkSettings, claims: dict) -> str:
    if not settings.secret:
        raise SettingsError("REPORTBOT_LINK_SECRET is not set; signed links are unavailable.")
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_mac(settings.secret, payload)}"


def _open(settings: LinkSettings, token: str, kind: str) -> dict:
    if not settings.secret:
        raise BadLink("links are not configured")
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise BadLink("malformed token")
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(settings.secret, payload).encode()):
        raise BadLink("bad signature")
    try:
        claims = json.loads(_unb64(payload))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadLink("malformed payload") from None
    if not isinstance(claims, dict) or claims.get("k") != kind:
        raise BadLink("token is for another purpose")
    return claims


def download_token(settings: LinkSettings, *, artifact_id: int, delivery_id: int, expires_at: dt.datetime) -> str:
    return _sign(settings, {"k": DOWNLOAD, "a": artifact_id, "d": delivery_id, "e": int(expires_at.timestamp())})


def read_download_token(settings: LinkSettings, token: str, *, now: dt.datetime) -> DownloadClaim:
    """Return what a download token grants, or raise BadLink / ExpiredLink."""
    claims = _open(settings, token, DOWNLOAD)
    try:
        claim = DownloadClaim(int(claims["a"]), int(claims["d"]),
                              dt.datetime.fromtimestamp(int(claims["e"]), dt.UTC))
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        raise BadLink("incomplete token") from None
    if now >= claim.expires_at:
        raise ExpiredLink("link expired")
    return claim


def unsubscribe_token(settings: LinkSettings, *, schedule_id: int, address: str) -> str:
    return _sign(settings, {"k": UNSUBSCRIBE, "s": schedule_id, "h": address_hash(address)})


def read_unsubscribe_token(settings: LinkSettings, token: str) -> UnsubscribeClaim:
    """Unsubscribe links do not expire: people unsubscribe from old emails too."""
    claims = _open(settings, token, UNSUBSCRIBE)
    try:
        return UnsubscribeClaim(int(claims["s"]), str(claims["h"]))
    except (KeyError, TypeError, ValueError):
        raise BadLink("incomplete token") from None


def download_url(settings: LinkSettings, token: str) -> str:
    return f"{settings.public_url}/files/{token}"


def artifact_link(settings: LinkSettings, *, artifact_id: int, delivery_id: int, created_at: dt.datetime,
                  retention: dt.timedelta, now: dt.datetime) -> tuple[str, dt.datetime]:
    """A signed download link for one delivery's file and when it expires: after DOWNLOAD_LINK_TTL_HOURS,
    or when the file itself is removed (ARTIFACT_RETENTION_DAYS), whichever comes first."""
    until = min(now + settings.download_ttl, created_at + retention)
    token = download_token(settings, artifact_id=artifact_id, delivery_id=delivery_id, expires_at=until)
    return download_url(settings, token), until


def unsubscribe_url(settings: LinkSettings, token: str) -> str:
    return f"{settings.public_url}/unsubscribe/{token}"
