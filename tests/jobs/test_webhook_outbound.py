"""The outbound HTTPS client's caps against servers that misbehave on purpose: one deadline for the
whole exchange (a server that trickles its TLS handshake or its answer byte by byte), and an answer
read only to its cap however large it is."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from jobs.delivery.outbound import BODY_CAP, WebhookSettings, WebhookUrl, post
from tests.support.tls_receiver import HOST, Reply, TlsReceiver

DEADLINE = 1.0


class Trickler:
    """A TCP server on loopback that accepts and then sends `prefix` followed by one byte every
    `every` seconds, forever: each byte arrives well within any per-read timeout."""

    def __init__(self, prefix: bytes, every: float = 0.1) -> None:
        self.prefix, self.every = prefix, every
        self.stopped = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            try:
                conn.sendall(self.prefix)
                while not self.stopped.wait(self.every):  # the trickle itself is what is tested
                    conn.sendall(b"\x00")
            except OSError:
                pass

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()
        self.thread.join(timeout=5)


def _target(port: int) -> WebhookUrl:
    return WebhookUrl(f"https://{HOST}:{port}/reportbot", HOST, port)


def test_a_server_trickling_its_tls_handshake_is_cut_off_at_the_deadline():
    # A TLS handshake record announcing 16 KB, then its bytes one at a time.
    server = Trickler(b"\x16\x03\x03\x40\x00")
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            post(_target(server.port), "127.0.0.1", b"{}", {}, WebhookSettings(timeout=DEADLINE))
        assert time.monotonic() - started < DEADLINE + 2
    finally:
        server.stop()


@pytest.fixture
def receiver(tmp_path):
    server = TlsReceiver(tmp_path).start()
    yield server
    server.stop()


def test_a_huge_answer_is_read_only_to_its_cap(receiver):
    receiver.answer(Reply(200, body=b"x" * (20 * 1024 * 1024)))
    answer = post(_target(receiver.port), "127.0.0.1", b"{}", {},
                  WebhookSettings(ca_file=str(receiver.ca_file), timeout=10))
    assert answer.status == 200 and len(answer.body) == BODY_CAP


def _settings(receiver, **options) -> WebhookSettings:
    return WebhookSettings(ca_file=str(receiver.ca_file), timeout=DEADLINE, **options)


def test_an_answer_trickled_byte_by_byte_is_cut_off_at_the_deadline(receiver):
    receiver.answer(Reply(200, body=b"x" * BODY_CAP, trickle=0.05))
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        post(_target(receiver.port), "127.0.0.1", b"{}", {}, _settings(receiver))
    assert time.monotonic() - started < DEADLINE + 2


def test_the_deadline_holds_when_it_passes_before_the_connection_is_up(receiver):
    """The connection came up only after the deadline (a slow network): the exchange is over then,
    not given a fresh timeout for every byte the server then trickles."""
    def slow_connect(address, timeout):
        threading.Event().wait(DEADLINE + 0.3)  # the network's delay, not a wait for something
        return socket.create_connection(address, timeout=timeout)

    receiver.answer(Reply(200, body=b"x" * BODY_CAP, trickle=0.05))
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        post(_target(receiver.port), "127.0.0.1", b"{}", {}, _settings(receiver, connect=slow_connect))
    assert time.monotonic() - started < DEADLINE + 2
