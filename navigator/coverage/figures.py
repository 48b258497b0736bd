"""Coverage figures of a group of programs (the region, each municipality, each district of one).

Every figure counts active programs only, after the optional filter by one direction or one
enrollment kind. A program offering several enrollment kinds counts in each share, so the shares
of free, certificate and paid programs can add up to more than 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from navigator.catalogue.errors import BadRequest
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS
from navigator.coverage.catalogue import Catalogue, enrollment_bit
from navigator.coverage.population import ChildFigure
from navigator.search.parameters import Parameter, parameter_table

#: Indicators a map can be coloured by: code → label (the table shows all of them).
INDICATORS = {
    "seats_per_1000": "Мест на 1 000 детей 5–18 лет",
    "programs": "Программ",
    "organizations": "Организаций",
    "venues": "Адресов проведения",
    "seats": "Мест",
    "seats_free": "Свободных мест",
    "share_free": "Доля бесплатных программ, %",
    "share_certificate": "Доля программ по сертификату, %",
    "share_paid": "Доля платных программ, %",
    "ovz_programs": "Программ для детей с ОВЗ",
}
DEFAULT_INDICATOR = "seats_per_1000"
SHARE_KINDS = {"share_free": "free", "share_certificate": "certificate", "share_paid": "paid"}


#: The query parameters of the coverage pages and of /api/v1/coverage: the pages' forms, links and the OpenAPI
#: document are made from this table, as the search's are from navigator.search.parameters.
COVERAGE_PARAMETERS = parameter_table(
    Parameter("indicator", "code", "Показатель на карте",
              f"Показатель, по которому раскрашена карта страницы /coverage (по умолчанию {DEFAULT_INDICATOR}).",
              extra_codes=tuple(INDICATORS), default=DEFAULT_INDICATOR),
    Parameter("direction", "code", "Направленность", "Только программы этой направленности.", vocabulary=DIRECTIONS),
    Parameter("enrollment", "code", "Зачисление", "Только программы с этим способом зачисления.",
              vocabulary=ENROLLMENT_KINDS),
)
#: The parameters that choose programs (the indicator only colours the map).
FILTER_PARAMETERS = ("direction", "enrollment")


@dataclass(frozen=True)
class CoverageFilter:
    direction: str | None = None
    enrollment: str | None = None

    def pairs(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name in FILTER_PARAMETERS if getattr(self, name)]


def _choice(args, name: str, strict: bool = False) -> str | None:
    """A code or its Russian label; anything else is BadRequest naming the parameter. Blank is unset for a page
    (its form's «все»); the API (`strict`) takes what its OpenAPI document lists: one value, never blank."""
    parameter = COVERAGE_PARAMETERS[name]
    given = args.getlist(name) if strict else [args.get(name) or ""]
    if strict and len(given) > 1:
        raise BadRequest(name, f"{parameter.label}: одно значение, а не {len(given)}")
    value = (given[0] if strict else given[0].strip()) if given else ""
    if not value:
        if strict and given:
            raise BadRequest(name, f"{parameter.label}: пустое значение; допустимо: {', '.join(parameter.codes)}")
        return None
    if strict:  # the code or its label as written, exactly as the document lists them
        terms = parameter.vocabulary.terms if parameter.vocabulary else []
        term = next((term for term in terms if value in (term.code, term.label)), None)
    else:
        term = parameter.vocabulary.lookup(value) if parameter.vocabulary else None
    return term.code if term is not None else parameter.strict(value)


def parse_filter(args, strict: bool = False) -> CoverageFilter:
    """The direction and enrollment kind from query arguments (a werkzeug MultiDict: codes or Russian labels);
    BadRequest otherwise."""
    return CoverageFilter(**{name: _choice(args, name, strict) for name in FILTER_PARAMETERS})


def parse_indicator(args, strict: bool = False) -> str:
    """The indicator the map is coloured by (default: seats per 1,000 children)."""
    return _choice(args, "indicator", strict) or DEFAULT_INDICATOR


@dataclass(frozen=True)
class Figures:
    """The figures of one area; `children` is None where no population figure is known."""

    name: str
    organizations: int
    programs: int
    venues: int
    seats: int
    seats_free: int
    by_direction: dict[str, int]
    by_enrollment: dict[str, int]
    ovz_programs: int
    children: ChildFigure | None

    @property
    def seats_per_1000(self) -> float | None:
        """Places per 1,000 children; None without a child figure or when the estimate is not to be trusted."""
        if self.children is None or self.children.children <= 0 or self.unreliable:
            return None
        return self.seats * 1000 / self.children.children

    @property
    def unreliable(self) -> str | None:
        """Why the child estimate cannot carry a per-child figure, or None. More places than estimated children
        means the estimate missed most of them (villages missing from the gazetteer), not that all are served."""
        if self.children is None or not self.children.estimate or self.children.children <= 0:
            return None
        if self.seats > self.children.children:
            return (f"мест ({self.seats}) больше, чем детей по оценке ({self.children.children}): оценка "
                    f"занижена, показатель на 1 000 детей не считается")
        return None

    def share(self, kind: str) -> float | None:
        """Per cent of the programs that offer this enrollment kind (None without programs)."""
        return self.by_enrollment[kind] * 100 / self.programs if self.programs else None

    def value(self, indicator: str) -> float | None:
        if indicator in SHARE_KINDS:
            return self.share(SHARE_KINDS[indicator])
        if indicator.startswith("direction_"):
            return self.by_direction[indicator.removeprefix("direction_")]
        return getattr(self, indicator)

    def as_row(self, name_key: str) -> dict:
        """The figures as one flat record: the JSON, CSV and XLSX exports all write this."""
        row = {name_key: self.name, "programs": self.programs, "organizations": self.organizations,
               "venues": self.venues, "seats": self.seats, "seats_free": self.seats_free}
        row.update({f"programs_{code}": count for code, count in self.by_direction.items()})
        row.update({key: _rounded(self.share(kind)) for key, kind in SHARE_KINDS.items()})
        row["ovz_programs"] = self.ovz_programs
        row["children_5_18"] = self.children.children if self.children else None
        row["children_estimate"] = self.children.estimate if self.children else None
        row["seats_per_1000"] = _rounded(self.seats_per_1000)
        row["children_unreliable"] = self.unreliable
        return row


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def row_labels(name_key: str, name_label: str) -> dict[str, str]:
    """Column labels of as_row's keys, for the CSV and XLSX headers."""
    labels = {name_key: name_label, "programs": "Программ", "organizations": "Организаций",
              "venues": "Адресов проведения", "seats": "Мест", "seats_free": "Свободных мест"}
    labels.update({f"programs_{term.code}": f"Программ: {term.label}" for term in DIRECTIONS})
    labels.update({key: INDICATORS[key] for key in SHARE_KINDS})
    labels.update({"ovz_programs": INDICATORS["ovz_programs"], "children_5_18": "Детей 5–18 лет",
                   "children_estimate": "Численность детей — оценка", "seats_per_1000": INDICATORS["seats_per_1000"],
                   "children_unreliable": "Почему показатель на 1 000 детей не считается"})
    return labels


def program_mask(catalogue: Catalogue, chosen: CoverageFilter) -> np.ndarray:
    """Which active programs pass the filter."""
    mask = np.ones(catalogue.size, dtype=bool)
    if chosen.direction:
        mask &= catalogue.direction == DIRECTIONS.codes.index(chosen.direction)
    if chosen.enrollment:
        mask &= (catalogue.enrollment & enrollment_bit(chosen.enrollment)) != 0
    return mask


#: Largest groups × values table of marks that _distinct_per_group fills instead of sorting (bytes).
MARKS_LIMIT = 16_000_000


def _distinct_per_group(groups: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """How many different values each group has: marks in a groups × values table (a sort of the
    pairs when that table would be too large); recomputed at every save, so it has to be quick."""
    if not len(groups):
        return np.zeros(count, dtype=np.int64)
    width = int(values.max()) + 1
    if count * width <= MARKS_LIMIT and values.min() >= 0:
        marks = np.zeros((count, width), dtype=bool)
        marks[groups, values] = True
        return np.count_nonzero(marks, axis=1)
    pairs = np.unique(groups * width + values)
    return np.bincount(pairs // width, minlength=count)


def grouped_figures(catalogue: Catalogue, mask: np.ndarray, groups: np.ndarray, names: list[str],
                    children: list[ChildFigure | None]) -> list[Figures]:
    """Figures of each group: groups gives each program's group row (programs outside the mask are ignored)."""
    count = len(names)
    selected = mask & (groups >= 0)
    group = groups[selected]
    programs = np.bincount(group, minlength=count)
    seats = np.bincount(group, weights=catalogue.seats_total[selected], minlength=count)
    seats_free = np.bincount(group, weights=catalogue.seats_free[selected], minlength=count)
    ovz = np.bincount(group, weights=catalogue.ovz[selected], minlength=count)
    organizations = _distinct_per_group(group, catalogue.organization[selected], count)
    venues = _distinct_per_group(group, catalogue.venue[selected], count)
    directions = catalogue.direction[selected]
    known = directions >= 0
    width = len(DIRECTIONS.codes)
    by_direction = np.bincount(group[known] * width + directions[known], minlength=count * width).reshape(count, width)
    enrollment = catalogue.enrollment[selected]
    by_kind = {kind: np.bincount(group, weights=(enrollment & enrollment_bit(kind)) != 0, minlength=count)
               for kind in ENROLLMENT_KINDS.codes}
    return [Figures(
        name=names[row], organizations=int(organizations[row]), programs=int(programs[row]), venues=int(venues[row]),
        seats=int(seats[row]), seats_free=int(seats_free[row]),
        by_direction={code: int(by_direction[row, index]) for index, code in enumerate(DIRECTIONS.codes)},
        by_enrollment={kind: int(by_kind[kind][row]) for kind in ENROLLMENT_KINDS.codes},
        ovz_programs=int(ovz[row]), children=children[row]) for row in range(count)]
