"""The one action a program page offers a parent: where «Записаться» leads, and the recruitment status.

This is the single place that decides the target, so that an enrollment form on the site
(/programs/<id>/apply) can later take over without touching the templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from navigator.catalogue.models import Program


@dataclass(frozen=True)
class EnrolAction:
    url: str
    hint: str  # what happens after the click, in a few words


@dataclass(frozen=True)
class Recruitment:
    code: str  # open, full or unknown
    label: str


CERTIFICATE_NOTE = ("Сертификат дополнительного образования (ПФДО) — это деньги из бюджета на занятия ребёнка: "
                    "с ним эта программа для семьи бесплатна или дешевле.")


def enrol_action(program: Program, certificate_portal: str = "", apply_url: str = "") -> EnrolAction | None:
    """The site's application form (apply_url) when the program takes applications here; otherwise the
    certificate portal for a program paid by certificate, else the program's own phone, site or e-mail (its
    organization's where the program has none of its own)."""
    if apply_url and program.takes_applications:
        return EnrolAction(apply_url, "заявкой на сайте, без регистрации")
    contact = program.contact
    if certificate_portal and "certificate" in program.enrollment_kinds:
        return EnrolAction(certificate_portal, "на портале сертификатов дополнительного образования")
    if contact["phone"]:
        digits = "".join(ch for ch in contact["phone"] if ch.isdigit() or ch == "+")
        return EnrolAction(f"tel:{digits}", f"по телефону {contact['phone']}")
    if contact["website"]:
        return EnrolAction(contact["website"], "на сайте организации")
    if contact["email"]:
        return EnrolAction(f"mailto:{contact['email']}", f"письмом на {contact['email']}")
    return None


def recruitment(program: Program) -> Recruitment:
    """Whether a child can join now, from the free places the organization reports."""
    if program.seats_free is None:
        return Recruitment("unknown", "Набор: уточняйте в организации")
    if program.seats_free > 0:
        return Recruitment("open", "Набор открыт")
    return Recruitment("full", "Мест нет — спросите о листе ожидания")
