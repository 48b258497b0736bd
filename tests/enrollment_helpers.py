"""Helpers for the enrollment tests: a parent's form, applying through HTTP, a local SMTP server."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.policy import default

from tests.cabinet import csrf_token

YEAR = 2026


def parent_form(**overrides) -> dict:
    """A valid application: a child of 9 this year (program a1 takes 7–12)."""
    data = {"parent_name": "Проверкина Ольга", "phone": "+7 900 000-11-22", "email": "olga@example.org",
            "child_name": "Зиновий", "child_birth_year": str(YEAR - 9), "comment": "", "consent": "yes"}
    data.update(overrides)
    return data


def apply(client, program: str = "a1", **overrides):
    """Open the form and send it with its hidden fields, as a parent's browser does."""
    form = client.get(f"/programs/{program}/apply").get_data(as_text=True)
    started = re.search(r'name="started" value="([^"]*)"', form).group(1)
    data = {"started": started, **parent_form(**overrides), "csrf_token": csrf_token(client)}
    return client.post(f"/programs/{program}/apply", data=data)


def status_path(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def withdraw(client, path: str):
    return client.post(path + "/withdraw", data={"csrf_token": csrf_token(client)})


class Catcher:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 — aiosmtpd's handler name
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    return re.search(r"http://localhost(/applications/[\w-]+)", body(message)).group(1)
