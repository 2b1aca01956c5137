"""Ports and processes for the tests that start the app's own processes."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request

import pytest


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 30) -> bytes:
    """The body of `url` once something answers it there."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2).read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop_process(process: subprocess.Popen) -> tuple[int, str]:
    """SIGTERM the process and wait for it: its exit code and output (fails the test after 30 s)."""
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail("did not stop within 30 s of SIGTERM:\n" + output[-3000:])
    return process.returncode, output
