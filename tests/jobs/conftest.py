"""Fixtures shared by the job tests."""

from __future__ import annotations

import pytest

from tests.jobs.delivery_support import SmtpServer


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on loopback that records what it received."""
    server = SmtpServer().start()
    yield server
    server.stop()
