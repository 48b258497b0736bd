"""The tricky small rules of enrollment: working days, ages from a year of birth, phones, sealing."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from navigator.enrollment.action import enroll_action, recruitment
from navigator.enrollment.intake import IntakeInvalid, check, phone_digits
from navigator.enrollment.queue import answer_deadline
from navigator.enrollment.sealing import Sealer, SealError
from tests.enrollment_helpers import parent_form


@pytest.mark.parametrize(("start", "expected"), [
    (dt.date(2026, 11, 30), dt.date(2026, 12, 7)),  # Monday → next Monday
    (dt.date(2026, 11, 27), dt.date(2026, 12, 4)),  # Friday → next Friday
    (dt.date(2026, 11, 28), dt.date(2026, 12, 7)),  # Saturday counts from Monday
])
def test_answer_deadline_counts_working_days(start, expected):
    assert answer_deadline(start, 5) == expected


@pytest.mark.parametrize(("born", "fits"), [(2019, True), (2020, False), (2013, True), (2012, False)])
def test_a_child_fits_when_either_age_this_year_does(born, fits):
    form = parent_form(child_birth_year=str(born))
    if fits:
        assert check(form, 7, 12, 2026).child_birth_year == born
    else:
        with pytest.raises(IntakeInvalid) as refused:
            check(form, 7, 12, 2026)
        assert list(refused.value.errors) == ["child_birth_year"]


def test_one_contact_is_enough_and_none_is_not():
    assert check(parent_form(phone="", email="a@example.org"), 7, 12, 2026).phone == ""
    with pytest.raises(IntakeInvalid) as refused:
        check(parent_form(phone=" ", email=""), 7, 12, 2026)
    assert "phone" in refused.value.errors


def test_phones_compare_equal_however_written():
    assert phone_digits("8 (900) 123-45-67") == phone_digits("+7 900 1234567") == "79001234567"


def test_sealing_needs_a_configured_key():
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = Sealer.from_setting(first).seal({"child_name": "Маша"})
    assert b"\xd0\x9c" not in sealed and Sealer.from_setting(f"{second},{first}").open(sealed) == {"child_name": "Маша"}
    assert Sealer.from_setting(first).open(None) == {}
    with pytest.raises(SealError):
        Sealer.from_setting(second).open(sealed)
    with pytest.raises(ValueError):
        Sealer.from_setting("not-a-key")
    assert Sealer.from_setting(first).fingerprint("a", "b") == Sealer.from_setting(first).fingerprint("a", "b")
    assert Sealer.from_setting(first).fingerprint("a", "b") != Sealer.from_setting(second).fingerprint("a", "b")


def _program(takes_applications=False, kinds=("free",), seats_free=None, phone="", website="", email=""):
    """The few fields the program page's action reads (a stand-in for a Program row)."""
    return SimpleNamespace(takes_applications=takes_applications, enrollment_kinds=list(kinds), seats_free=seats_free,
                           contact={"phone": phone, "website": website, "email": email})


def test_the_enroll_action_prefers_the_form_then_the_certificate_portal_then_a_contact():
    portal, form = "https://pfdo.example.org", "/programs/p1/apply"
    assert enroll_action(_program(True, phone="1"), portal, form).url == form
    assert enroll_action(_program(False, ("certificate",), phone="1"), portal, form).url == portal
    assert enroll_action(_program(phone="+7 (900) 123-45-67"), portal, form).url == "tel:+79001234567"
    assert enroll_action(_program(website="https://school.example.org")).url == "https://school.example.org"
    assert enroll_action(_program(email="a@example.org")).url == "mailto:a@example.org"
    assert enroll_action(_program(True)) is None  # no form URL given and no contact: nothing to offer
    assert [recruitment(_program(seats_free=n)).code for n in (None, 3, 0)] == ["unknown", "open", "full"]
