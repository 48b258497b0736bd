"""The one action a program page offers a parent: where «Записаться» leads, and the recruitment status.

This is the single place that decides the target: the site's own application form (/programs/<id>/apply)
for a program that takes applications here, else the certificate portal or the organization's contacts.
"""

from __future__ import annotations

from dataclasses import dataclass

from navigator.catalogue.models import Program


@dataclass(frozen=True)
class EnrollAction:
    url: str
    hint: str  # what happens after the click, in a few words


@dataclass(frozen=True)
class Recruitment:
    code: str  # open, full or unknown
    label: str


CERTIFICATE_NOTE = ("Сертификат дополнительного образования (ПФДО) — это деньги из бюджета на занятия ребёнка: "
                    "с ним эта программа для семьи бесплатна или дешевле.")


def enroll_action(program: Program, certificate_portal: str = "", apply_url: str = "") -> EnrollAction | None:
    """The site's application form (apply_url) when the program takes applications here; otherwise the
    certificate portal for a program paid by certificate, else the program's own phone, site or e-mail (its
    organization's where the program has none of its own)."""
    if apply_url and program.takes_applications:
        return EnrollAction(apply_url, "заявкой на сайте, без регистрации")
    contact = program.contact
    if certificate_portal and "certificate" in program.enrollment_kinds:
        return EnrollAction(certificate_portal, "на портале сертификатов дополнительного образования")
    if contact["phone"]:
        digits = "".join(ch for ch in contact["phone"] if ch.isdigit() or ch == "+")
        return EnrollAction(f"tel:{digits}", f"по телефону {contact['phone']}")
    if contact["website"]:
        return EnrollAction(contact["website"], "на сайте организации")
    if contact["email"]:
        return EnrollAction(f"mailto:{contact['email']}", f"письмом на {contact['email']}")
    return None


def recruitment(program: Program) -> Recruitment:
    """Whether a child can join now, from the free places the organization reports."""
    if program.seats_free is None:
        return Recruitment("unknown", "Набор: уточняйте в организации")
    if program.seats_free > 0:
        return Recruitment("open", "Набор открыт")
    return Recruitment("full", "Мест нет — спросите о листе ожидания")
