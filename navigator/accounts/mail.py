"""The password-set link e-mail (its text); sending is navigator.mail's, shared with enrollment."""

from __future__ import annotations

from collections.abc import Mapping

from navigator.mail import send_mail


def send_password_link(config: Mapping, to: str, link: str) -> bool:
    """E-mail the link when a mail server is configured; say whether it was sent."""
    return send_mail(
        config, to, "Навигатор дополнительного образования: установка пароля",
        "Здравствуйте!\n\nДля вас создана учётная запись в навигаторе дополнительного образования.\n"
        f"Чтобы установить пароль, откройте ссылку (она действует {config['PASSWORD_LINK_HOURS']} ч и один раз):\n\n"
        f"{link}\n\nЕсли вы не ждали этого письма, просто удалите его.\n")
