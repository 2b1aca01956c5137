"""Hand messages to the SMTP server, one recipient per message, and classify what it answered.

SMTP 5xx replies are permanent (not retried); 4xx replies and connection trouble are temporary.
One connection is reused for the messages of a delivery pass and re-opened after an error.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr

from jobs.delivery import policy
from jobs.delivery.email_settings import EmailSettings
from jobs.delivery.explain import smtp_error

log = logging.getLogger(__name__)


class Mailer:
    """`with Mailer(settings) as m: m.send(message, "a@example.com")` → SendOutcome."""

    def __init__(self, settings: EmailSettings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        context = ssl.create_default_context(cafile=s.ca_file) if s.security != "none" else None
        if s.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, recipient: str) -> policy.SendOutcome:
        """Send `message` to `recipient` only (the envelope; headers may name others)."""
        if not self._settings.enabled:
            return policy.failed("email_not_configured", "email is not set up on this server (SMTP_HOST)")
        sender = parseaddr(self._settings.sender or "")[1]
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
            return policy.sent(message_id=message["Message-ID"])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (550, b"recipient refused"))
            return self._reply(code, reply)
        except smtplib.SMTPNotSupportedError:
            self.close()
            return policy.failed("smtp_no_starttls", "the mail server does not offer STARTTLS; set SMTP_SECURITY")
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, auth failed, …
            self.close()
            return self._reply(exc.smtp_code, exc.smtp_error)
        except ssl.SSLError as exc:
            self.close()
            return policy.retry("smtp_tls", f"the secure connection to the mail server failed ({exc.reason})")
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            return policy.retry("smtp_unreachable", f"the mail server could not be reached ({type(exc).__name__})")

    @staticmethod
    def _reply(code: int, reply) -> policy.SendOutcome:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        if 500 <= code < 600:
            return policy.failed(f"smtp_{code}", smtp_error(code, text))
        return policy.retry(f"smtp_{code}", smtp_error(code, text))
