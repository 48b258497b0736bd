"""E-mail of password-set links: optional, sent only when MAIL_SERVER names an SMTP relay.

The site talks plain SMTP to a relay it trusts (a local postfix, the organization's mail gateway);
the relay does TLS and authentication towards the world. Without MAIL_SERVER nothing is sent and
the admin passes the link on by hand.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage

SMTP_TIMEOUT_SECONDS = 15


def send_password_link(config: Mapping, to: str, link: str) -> bool:
    """E-mail the link when a mail server is configured; say whether it was sent."""
    server = config.get("MAIL_SERVER")
    if not server:
        return False
    host, _, port = server.partition(":")
    message = EmailMessage()
    message["Subject"] = "Навигатор дополнительного образования: установка пароля"
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message.set_content(
        "Здравствуйте!\n\nДля вас создана учётная запись в навигаторе дополнительного образования.\n"
        f"Чтобы установить пароль, откройте ссылку (она действует {config['PASSWORD_LINK_HOURS']} ч и один раз):\n\n"
        f"{link}\n\nЕсли вы не ждали этого письма, просто удалите его.\n")
    with smtplib.SMTP(host, int(port or 25), timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)
    return True
