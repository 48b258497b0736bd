"""E-mail (password-set links, answers to parents' applications): optional, sent only when MAIL_SERVER names
an SMTP relay.

The site talks plain SMTP to a relay it trusts (a local postfix, the organization's mail gateway);
the relay does TLS and authentication towards the world. Without MAIL_SERVER nothing is sent and
the admin passes the link on by hand.
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


def send_password_link(config: Mapping, to: str, link: str) -> bool:
    """E-mail the link when a mail server is configured; say whether it was sent."""
    return send_mail(
        config, to, "Навигатор дополнительного образования: установка пароля",
        "Здравствуйте!\n\nДля вас создана учётная запись в навигаторе дополнительного образования.\n"
        f"Чтобы установить пароль, откройте ссылку (она действует {config['PASSWORD_LINK_HOURS']} ч и один раз):\n\n"
        f"{link}\n\nЕсли вы не ждали этого письма, просто удалите его.\n")
