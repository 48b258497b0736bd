"""What a parent sends: checked and normalized before anything is stored (one checker for the form and tests).

Only what enrollment needs is asked: the parent's name, a phone and/or an e-mail, the child's first
name and year of birth, an optional comment, and consent to processing (152-ФЗ). The child's age in
the program's first year is checked against the program's ages; with only the year of birth known,
a child fits when either age it may have this year does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from navigator.catalogue.validation import EMAIL_PATTERN

MAX_NAME = 200
MAX_COMMENT = 1000


@dataclass(frozen=True)
class Intake:
    parent_name: str
    phone: str
    email: str
    child_name: str
    child_birth_year: int
    comment: str

    def record(self) -> dict:
        return {"parent_name": self.parent_name, "phone": self.phone, "email": self.email,
                "child_name": self.child_name, "child_birth_year": self.child_birth_year, "comment": self.comment}


class IntakeInvalid(ValueError):
    """The form's problems: {field: message in Russian}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def clean(text: str | None, *, multiline: bool = False) -> str:
    """Whitespace collapsed (lines kept in a comment); control and formatting characters dropped."""
    text = unicodedata.normalize("NFC", text or "")
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    if multiline:
        return "\n".join(" ".join(line.split()) for line in kept.strip().splitlines()).strip()
    return " ".join(kept.split())


def phone_digits(phone: str) -> str:
    """The digits of a phone number, a leading 8 read as +7 (so that one number always compares equal)."""
    digits = re.sub(r"\D", "", phone)
    return "7" + digits[1:] if len(digits) == 11 and digits.startswith("8") else digits


def check(form, age_min: int, age_max: int, year: int) -> Intake:
    """The clean application, or IntakeInvalid with every problem at once."""
    errors: dict[str, str] = {}
    parent_name, child_name = clean(form.get("parent_name")), clean(form.get("child_name"))
    phone, email = clean(form.get("phone")), clean(form.get("email")).lower()
    comment = clean(form.get("comment"), multiline=True)
    if not parent_name:
        errors["parent_name"] = "Укажите, как к вам обращаться."
    elif len(parent_name) > MAX_NAME:
        errors["parent_name"] = f"Имя не длиннее {MAX_NAME} символов."
    if not child_name:
        errors["child_name"] = "Укажите имя ребёнка."
    elif len(child_name) > MAX_NAME:
        errors["child_name"] = f"Имя не длиннее {MAX_NAME} символов."
    if not phone and not email:
        errors["phone"] = "Укажите телефон или электронную почту — иначе организация не сможет ответить."
    if phone and not 10 <= len(phone_digits(phone)) <= 15 or len(phone) > 40:
        errors["phone"] = "Телефон: 10–15 цифр, например +7 900 123-45-67."
    if email and (not EMAIL_PATTERN.match(email) or len(email) > MAX_NAME):
        errors["email"] = "Адрес почты выглядит неверно, например: mama@example.ru."
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Комментарий не длиннее {MAX_COMMENT} символов."
    birth_year = _birth_year(form.get("child_birth_year"), age_min, age_max, year, errors)
    if not (form.get("consent") or "").strip():
        errors["consent"] = ("Без согласия на обработку персональных данных заявку отправить нельзя; "
                             "ничего не сохранено.")
    if errors:
        raise IntakeInvalid(errors)
    return Intake(parent_name, phone, email, child_name, birth_year, comment)


def _birth_year(text: str | None, age_min: int, age_max: int, year: int, errors: dict[str, str]) -> int:
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or not year - 19 <= int(text) <= year:
        errors["child_birth_year"] = f"Год рождения ребёнка — четыре цифры, от {year - 19} до {year}."
        return 0
    born = int(text)
    youngest, oldest = year - born - 1, year - born  # before and after this year's birthday
    if oldest < age_min or youngest > age_max:
        errors["child_birth_year"] = (f"Программа для детей {age_min}–{age_max} лет, а ребёнку {born} года "
                                      f"рождения в этом году исполняется {oldest}. Посмотрите программы "
                                      "для этого возраста.")
    return born
