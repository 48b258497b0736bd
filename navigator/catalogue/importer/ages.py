"""Free-text ages of real exports («6–18 лет», «с 7 лет», «3,5 и старше») as our whole-year range.

Rules (docs/data.md): a fractional bound is rounded down, so a child of three and a half is found
among «3,5 и старше»; «с N» and «N и старше» run to 18, «до N» starts at 0; an upper bound above 18
is cut to 18 with a warning; a program that starts at 18 or later is for adults and is skipped with a
warning (the catalogue is for children); «все возраста» is 0–18; a number above 99 is not an age and
is an error; text we cannot read is a warning and gives 0–18, no age filter rather than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from navigator.catalogue.validation import MAX_AGE, Invalid

NUMBER = r"(\d{1,3}(?:[.,]\d+)?)"
DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‑": "-", "ё": "е"})
UNITS = re.compile(r"\b(?:лет|года|год|г\.|мес(?:яцев)?\.?)(?=\s|$|[-,.])")
ALL_AGES = {"все возраста", "любой", "любой возраст", "без ограничений", "без ограничения возраста"}
PATTERNS = (
    (re.compile(rf"^(?:от\s*)?{NUMBER}\s*(?:-|до|по)\s*{NUMBER}$"), lambda low, high: (low, high)),
    (re.compile(rf"^(?:с|от)\s*{NUMBER}$"), lambda low: (low, None)),
    (re.compile(rf"^{NUMBER}\s*(?:\+|и\s*(?:старше|более|выше))$"), lambda low: (low, None)),
    (re.compile(rf"^до\s*{NUMBER}$"), lambda high: (None, high)),
    (re.compile(rf"^{NUMBER}$"), lambda age: (age, age)),
)
MAX_NUMBER = 99


class AdultsOnly(Exception):
    """The program starts at 18 or later: not for the children's catalogue."""


@dataclass(frozen=True)
class Ages:
    low: int
    high: int
    warning: str | None = None
    kind: str = ""


def parse_age(text: str) -> Ages:
    """Our (age_min, age_max) for a free-text age; raise Invalid or AdultsOnly; warn on what was guessed."""
    folded = " ".join(UNITS.sub(" ", text.lower().translate(DASHES)).split()).strip(" .")
    if folded in ALL_AGES:
        return Ages(0, MAX_AGE)
    for pattern, bounds in PATTERNS:
        match = pattern.match(folded)
        if match:
            low, high = bounds(*(_number(group) for group in match.groups()))
            return _ranged(0 if low is None else low, MAX_AGE if high is None else high, text,
                           exact=pattern is PATTERNS[-1][0])
    return Ages(0, MAX_AGE, f"возраст не распознан («{text}»); программа показана для любого возраста",
                "возраст не распознан")


def _number(text: str) -> int:
    value = float(text.replace(",", "."))
    if value > MAX_NUMBER:
        raise Invalid(f"возраст — число лет от 0 до {MAX_AGE}")
    return int(value)


def _ranged(low: int, high: int, text: str, *, exact: bool) -> Ages:
    """Check the bounds; «18» alone stays 18–18 (as in age_min/age_max), «18 и старше» is for adults."""
    if low > high:
        raise Invalid("начало возрастного диапазона больше конца")
    if low > MAX_AGE or (low == MAX_AGE and not exact):
        raise AdultsOnly(f"программа для взрослых («{text}»): в каталог для детей не загружена")
    if high > MAX_AGE:
        return Ages(low, MAX_AGE, f"верхняя граница возраста «{text}» выше {MAX_AGE}: показана до {MAX_AGE}",
                    "возраст выше 18")
    return Ages(low, high)
