"""A real HTTPS webhook receiver on loopback for the tests: a certificate authority and a server
certificate for a host name made at test time (with `cryptography`), a threaded TLS server that
records every request and answers from a script, and a resolver that maps host names to it."""

from __future__ import annotations

import datetime as dt
import http.server
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "hooks.example.com"
CERT_START = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # valid whatever today's date is
CERT_END = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)


def make_certificates(folder: Path, hosts: tuple[str, ...] = (HOST,)) -> tuple[Path, Path, Path]:
    """A CA (its certificate is what the app is told to trust) and a server certificate for `hosts`:
    (ca.pem, server-cert.pem, server-key.pem)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reportbot test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(CERT_START).not_valid_after(CERT_END)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
              .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(CERT_START).not_valid_after(CERT_END)
              .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server-cert.pem", folder / "server-key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    server_name: str | None  # the TLS SNI the client sent


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    trickle: float | None = None  # seconds between the body's bytes: a server that answers slowly on purpose


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 10 * 1024 * 1024))
        receiver = self.server.receiver
        with receiver.lock:
            receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                              getattr(self.connection, "reportbot_sni", None)))
            reply = receiver.script.popleft() if receiver.script else receiver.default
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.trickle is None:
            self.wfile.write(reply.body)
            return
        pause = threading.Event()
        for byte in reply.body:
            if pause.wait(reply.trickle):  # never set: the pause between bytes is the behaviour under test
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def log_message(self, format, *args) -> None:  # quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    receiver: TlsReceiver

    def handle_error(self, request, client_address) -> None:
        pass  # a client that stops reading (the app reads answers to a cap) or refuses our certificate


@dataclass
class TlsReceiver:
    """An HTTPS server on 127.0.0.1 with a certificate for `HOST`; `script` answers requests in turn,
    then `default`."""

    folder: Path
    received: list[Received] = field(default_factory=list)
    script: deque = field(default_factory=deque)
    default: Reply = field(default_factory=Reply)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ca_file: Path | None = None
    _server: _Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> TlsReceiver:
        self.ca_file, cert, key = make_certificates(self.folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

        def remember_sni(sock, server_name, _context):
            sock.reportbot_sni = server_name  # read back by the handler: the name the client asked for
        context.sni_callback = remember_sni
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/reportbot", host: str = HOST) -> str:
        return f"https://{host}:{self.port}{path}"

    def answer(self, *replies: Reply) -> None:
        with self.lock:
            self.script.extend(replies)

    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def receiver(tmp_path) -> Iterator[TlsReceiver]:
    """A webhook receiver over TLS on loopback (its CA in `receiver.ca_file`)."""
    server = TlsReceiver(tmp_path).start()
    yield server
    server.stop()


class Resolver:
    """A resolver the app is given instead of DNS: host -> addresses, answers may change per call."""

    def __init__(self, table: dict[str, list[str] | list[list[str]]]) -> None:
        self.table = table
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        answers = self.table.get(host)
        if answers is None:
            from jobs.delivery.outbound import UnresolvedHost
            raise UnresolvedHost(f"{host} could not be found in DNS")
        if answers and isinstance(answers[0], list):  # one answer per call, the last one repeated
            count = self.calls.count(host)
            return list(answers[min(count, len(answers)) - 1])
        return list(answers)
