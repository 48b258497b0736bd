"""E-mail: optional, sent only when MAIL_SERVER names an SMTP relay.

The site talks plain SMTP to a relay it trusts (a local postfix, the organization's mail gateway);
the relay does TLS and authentication towards the world. Without MAIL_SERVER nothing is sent and
the admin passes the link on by hand.

Low in the package so that every part that writes to people (accounts: password links; enrollment:
answers to parents) sends through it without importing another part; each part keeps its own texts.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage

SMTP_TIMEOUT_SECONDS = 15


def send_mail(config: Mapping, to: str, subject: str, body: str) -> bool:
    """Send a plain-text e-mail when a mail server is configured; say whether it was sent."""
    server = config.get("MAIL_SERVER")
    if not server:
        return False
    host, _, port = server.partition(":")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message.set_content(body)
    with smtplib.SMTP(host, int(port or 25), timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)
    return True
