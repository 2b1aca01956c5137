"""Shared by the delivery, email, cleanup and fault tests: a real SMTP server on loopback
(aiosmtpd), an email-enabled job context, due runs, and the invariants every fault test checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import func, select

from jobs.delivery.email_settings import EmailSettings
from jobs.links import LinkSettings
from jobs.tick import tick
from storage.models import (
    FINAL_RUN_STATUSES,
    Delivery,
    DeliveryStatus,
    Run,
    RunStatus,
    Schedule,
)
from tests.factories import make_schedule
from tests.support.network import free_port

SMTP_USER = "reportbot-test"
SMTP_PASSWORD = "fake-smtp-password-for-tests"
LINK_SECRET = "fake-link-secret-for-tests-0123456789"
PUBLIC_URL = "http://127.0.0.1:9"



@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        reply = self.server.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.on_data is not None:
            self.server.on_data(envelope)
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1 that records what it accepts; stop() / start() keep the port."""

    port: int = field(default_factory=free_port)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    refuse: dict[str, str] = field(default_factory=dict)  # address -> reply, e.g. "550 5.1.1 no such user"
    on_data: object = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def _auth(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == SMTP_USER and \
            auth_data.password.decode() == SMTP_PASSWORD
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 235 or 535

    def start(self) -> SmtpServer:
        kwargs: dict = {"authenticator": self._auth, "auth_exclude_mechanism": ["LOGIN"]}
        if self.tls_cert:
            import ssl

            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.tls_cert, self.tls_key)
            kwargs.update(tls_context=context, require_starttls=True, auth_require_tls=True)
        else:
            kwargs.update(auth_require_tls=False)
        for _ in range(50):  # the port may linger briefly after a stop
            try:
                self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
                self._controller.start()
                return self
            except (OSError, RuntimeError):
                time.sleep(0.1)
        raise RuntimeError(f"SMTP server could not bind 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self, **overrides) -> EmailSettings:
        base = EmailSettings(host="127.0.0.1", port=self.port, security="starttls" if self.tls_cert else "none",
                             user=SMTP_USER, password=SMTP_PASSWORD, sender="Reports <reports@example.com>",
                             timeout=5,
                             ca_file=str(self.tls_cert) if self.tls_cert else None)
        return dataclasses.replace(base, **overrides)

    def messages_to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.recipients]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def link_settings(public_url: str = PUBLIC_URL) -> LinkSettings:
    return LinkSettings(public_url=public_url, secret=LINK_SECRET)


def with_email(ctx, smtp: SmtpServer, *, public_url: str = PUBLIC_URL, **overrides):
    ctx.email = smtp.settings(**overrides)
    ctx.links = link_settings(public_url)
    ctx.settings = dataclasses.replace(ctx.settings, policy=dataclasses.replace(
        ctx.settings.policy, email_domains=("example.com", "example.org")))
    return ctx


def due_run(ctx, enqueue, **schedule_kwargs) -> int:
    """Create a schedule, move the clock to its slot and tick: return the new run's id."""
    with ctx.database.session() as s:
        slot = make_schedule(s, **schedule_kwargs).next_run_at
    ctx.now.jump_to(slot)
    [run_id] = tick(ctx, enqueue).created
    return run_id


def load_run(ctx, run_id) -> Run:
    with ctx.database.session() as s:
        run = s.get(Run, run_id)
        return run


@dataclass
class Invariants:
    """What a fault test found: the issue's three promises, counted."""

    runs: int = 0
    final: int = 0
    statuses: Counter = field(default_factory=Counter)
    duplicate_slots: int = 0
    without_reason: list[int] = field(default_factory=list)
    unfinished: list[int] = field(default_factory=list)
    duplicate_deliveries: dict = field(default_factory=dict)
    lost_schedules: int = 0

    def assert_hold(self) -> None:
        assert self.duplicate_slots == 0, "a slot got more than one run"
        assert self.unfinished == [], f"runs without a final status: {self.unfinished}"
        assert self.without_reason == [], f"runs that did not deliver and say no reason: {self.without_reason}"
        assert self.duplicate_deliveries == {}, f"destinations that got a run twice: {self.duplicate_deliveries}"
        assert self.lost_schedules == 0, "schedules disappeared"


def check_invariants(db, *, schedules: int, slack_posts: Counter, emails: Counter | None = None) -> Invariants:
    """Every due slot ends in exactly one run with a final status and a reason; each destination got
    each run at most once (`slack_posts` / `emails` count arrivals per (run id, destination)); no
    schedule or run is lost."""
    found = Invariants()
    with db.session() as s:
        runs = list(s.scalars(select(Run)))
        found.runs = len(runs)
        per_slot = Counter((r.schedule_id, r.scheduled_for) for r in runs)
        found.duplicate_slots = sum(1 for n in per_slot.values() if n > 1)
        for run in runs:
            found.statuses[run.status] += 1
            if run.status not in FINAL_RUN_STATUSES:
                found.unfinished.append(run.id)
                continue
            found.final += 1
            if run.status != RunStatus.DELIVERED and not run.error:
                found.without_reason.append(run.id)
        found.lost_schedules = schedules - (s.scalar(select(func.count()).select_from(Schedule)) or 0)
        sent = {(d.run_id, d.destination) for d in s.scalars(select(Delivery).where(
            Delivery.status == DeliveryStatus.SENT))}
    for counter in (slack_posts, emails or Counter()):
        for key, count in counter.items():
            if count > 1:
                found.duplicate_deliveries[key] = count
    # Every destination recorded as sent really got it (no "marked sent but never arrived").
    arrived = set(slack_posts) | set(emails or ())
    missing = [key for key in sent if key not in arrived]
    assert not missing, f"recorded as sent but never arrived: {missing[:5]}"
    return found


def slack_posts_by_run(emulator, db) -> Counter:
    """Count report messages per (run id, destination key) from the emulator's channel histories.

    A report message carries its delivery's marker block id, which names the delivery row.
    """
    with db.session() as s:
        by_delivery = {d.id: (d.run_id, d.destination) for d in s.scalars(select(Delivery))}
    posts: Counter = Counter()
    with emulator.lock:
        for team in emulator.workspace.teams.values():
            for channel in team.channels.values():
                for message in channel.messages:
                    for block in message.get("blocks") or []:
                        block_id = str(block.get("block_id", ""))
                        if block_id.startswith("reportbot-delivery-"):
                            key = by_delivery.get(int(block_id.rsplit("-", 1)[1]))
                            if key is not None:
                                posts[key] += 1
    return posts


def emails_by_run(smtp: SmtpServer) -> Counter:
    """Count accepted emails per (run id, "email:<recipient>") from the X-Reportbot-Run header."""
    counted: Counter = Counter()
    with smtp.lock:
        received = list(smtp.received)
    for item in received:
        run_id = item.message["X-Reportbot-Run"]
        for recipient in item.recipients:
            counted[(int(run_id), f"email:{recipient}")] += 1
    return counted



def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
