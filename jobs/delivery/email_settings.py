"""SMTP settings, read once from the environment.

Email is off until `SMTP_HOST` is set; then `EMAIL_FROM` is required. The password is kept out of
`repr()` so a settings object that ends up in a log line or a traceback never shows it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from email.utils import parseaddr

from storage.errors import SettingsError

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class EmailSettings:
    host: str | None = None
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str | None = None  # the From header, e.g. "Reports <reports@example.com>"
    timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES  # attachments above this total go as download links
    ca_file: str | None = None  # extra CA bundle for a private mail relay (and the tests)

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def sender_domain(self) -> str:
        return parseaddr(self.sender or "")[1].rpartition("@")[2] or "localhost"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> EmailSettings:
        env = dict(os.environ if env is None else env)
        host = env.get("SMTP_HOST") or None
        security = (env.get("SMTP_SECURITY") or "starttls").lower()
        if security not in SECURITY_MODES:
            raise SettingsError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}.")
        port_text = env.get("SMTP_PORT") or str(DEFAULT_PORTS[security])
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"SMTP_PORT must be a TCP port number, not {port_text!r}.")
        sender = env.get("EMAIL_FROM") or None
        if host and (not sender or "@" not in parseaddr(sender)[1]):
            raise SettingsError("EMAIL_FROM must be set to the sender address (e.g. reports@example.com) "
                                "when SMTP_HOST is set.")
        user = env.get("SMTP_USER") or None
        password = env.get("SMTP_PASSWORD") or None
        if bool(user) != bool(password):
            raise SettingsError("Set both SMTP_USER and SMTP_PASSWORD, or neither.")
        try:
            timeout = float(env.get("SMTP_TIMEOUT") or 30)
            max_mb = float(env.get("EMAIL_MAX_MB") or DEFAULT_MAX_BYTES / 1024 / 1024)
        except ValueError:
            raise SettingsError("SMTP_TIMEOUT and EMAIL_MAX_MB must be numbers.") from None
        return cls(host=host, port=int(port_text), security=security, user=user, password=password, sender=sender,
                   timeout=timeout, max_bytes=int(max_mb * 1024 * 1024),
                   ca_file=env.get("SMTP_CA_FILE") or None)
