"""Build the sample: organizations with venues in every municipality, then their programs as CSV rows.

Programs are spread over the municipalities by population, organizations are drawn from the kinds
a municipality really has (schools, kindergartens, houses of creativity, sports schools, …), and
each organization keeps one name, type and set of contacts across its rows, as the importer
requires. Everything comes from one seeded random generator, so a (count, seed) pair always gives
the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from navigator.sampledata.activities import ACTIVITIES, OUTCOMES, YOUNG_OUTCOMES, Activity
from navigator.sampledata.examples import EXAMPLE_ORGANIZATIONS, EXAMPLE_PROGRAMS, KEMEROVO
from navigator.sampledata.naming import KINDS, Contacts, Namer, OrgKind, slug, weighted
from navigator.sampledata.places import Municipality, Place, load_region, random_point
from navigator.sampledata.words import (
    FEMALE_NAMES,
    MALE_NAMES,
    PATRONYMICS,
    POPULATION_THOUSANDS,
    SURNAMES,
    female_surname,
)

COLUMNS = (
    "program_id", "title", "description", "direction", "profile", "age_min", "age_max", "enrollment", "price_rub",
    "seats_total", "seats_free", "ovz", "format", "schedule", "duration", "teacher", "rating", "rating_count",
    "organization_id", "organization", "organization_type", "municipality", "district", "address", "lat", "lon",
    "phone", "email", "website", "program_url", "updated",
)
DEFAULT_COUNT = 3400
FIRST_PROGRAM_NUMBER = 100001
FIRST_ORGANIZATION_NUMBER = 10001

DIRECTION_LABELS = {
    "technical": "Техническая", "science": "Естественнонаучная", "sport": "Физкультурно-спортивная",
    "art": "Художественная", "tourism": "Туристско-краеведческая", "social": "Социально-гуманитарная",
}
OVZ_CATEGORIES = (
    "нарушения слуха", "нарушения зрения", "нарушения опорно-двигательного аппарата", "тяжёлые нарушения речи",
    "задержка психического развития", "расстройства аутистического спектра", "интеллектуальные нарушения",
)
PUBLIC_ENROLLMENT = (
    ("Бесплатно", 53), ("Бесплатно; Сертификат", 14), ("Сертификат", 8), ("Платно", 4), ("Бесплатно; Платно", 5),
    ("Бесплатно; Платно; Сертификат", 3), ("Платно; Сертификат", 3),
)
PRIVATE_ENROLLMENT = (("Платно", 50), ("Платно; Сертификат", 35), ("Сертификат", 15))
PRICE_RANGES = {1: (800, 2000), 2: (1200, 3500), 3: (2500, 6000)}
DURATIONS = (  # label, weeks of classes, weight
    ("9 месяцев", 36, 50), ("8 месяцев", 32, 10), ("1 год", 36, 10), ("2 года", 72, 9), ("3 года", 108, 4),
    ("4 месяца", 16, 7), ("3 месяца", 12, 6), ("1 месяц", 4, 2),
)
DAY_SETS = {
    1: (("Пн",), ("Вт",), ("Ср",), ("Чт",), ("Пт",), ("Сб",)),
    2: (("Пн", "Ср"), ("Вт", "Чт"), ("Ср", "Пт"), ("Пн", "Чт"), ("Вт", "Пт")),
    3: (("Пн", "Ср", "Пт"), ("Вт", "Чт", "Пт"), ("Пн", "Вт", "Чт")),
    4: (("Пн", "Вт", "Чт", "Пт"),),
}
TIMES_A_WEEK = {1: "один раз", 2: "два раза", 3: "три раза", 4: "четыре раза"}
SESSION_WORDS = {60: "часу", 90: "полтора часа", 120: "два часа"}
SCHEDULE_SENTENCES = (
    "Занятия проходят {times} в неделю по {length}.", "Группа занимается {times} в неделю по {length}.",
    "Расписание — {times} в неделю, по {length}.",
)
LEVELS = ("Стартовый уровень", "Базовый уровень", "Углублённый уровень", "2-й год обучения", "3-й год обучения")
UPDATED_FROM = dt.date(2025, 1, 15)
UPDATED_DAYS = (dt.date(2026, 11, 15) - UPDATED_FROM).days
# Even the smallest okrug gets enough programs to be worth a look (weights are thousands of people).
MIN_MUNICIPALITY_WEIGHT = 18
NO_POINT_SHARE = 0.01  # rows whose venue is left for the importer to geocode
DIRECTION_CODE_SHARE = 0.05  # rows that write the direction as a code, to exercise the importer
IT_CUBE_MUNICIPALITIES = (
    "Анжеро-Судженский городской округ", "Беловский городской округ", "Кемеровский городской округ",
    "Киселёвский городской округ", "Ленинск-Кузнецкий городской округ", "Междуреченский городской округ",
    "Новокузнецкий городской округ", "Прокопьевский городской округ", "Юргинский городской округ",
)
# Institutions of regional standing, created before the municipality's ordinary ones.
FLAGSHIPS = {
    "Кемеровский городской округ": (
        ("ГАУ ДО «Детский технопарк «Кванториум-42»»", "kvantorium"),
        ("ФГБОУ ВО «Кемеровский государственный университет»", "college"),
        ("ФГБОУ ВО «Кузбасский государственный технический университет имени Т. Ф. Горбачёва»", "college")),
    "Новокузнецкий городской округ": (
        ("Новокузнецкий филиал ГАУ ДО «Детский технопарк «Кванториум-42»»", "kvantorium"),
        ("ФГБОУ ВО «Сибирский государственный индустриальный университет»", "college")),
}


@dataclass
class Venue:
    place: Place
    address: str
    lat: str
    lon: str


@dataclass
class Organization:
    org_id: str
    name: str
    kind: OrgKind
    tags: tuple[str, ...]
    municipality: Municipality
    venues: list[Venue]
    phone: str
    email: str
    website: str
    tochka: bool  # a rural school with a «Точка роста» centre
    program_count: int = 0
    staff: dict[bool, list[str]] = field(default_factory=lambda: {True: [], False: []})  # by «is male»


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split total into whole parts proportional to weights (largest remainders get the leftovers)."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    parts = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in by_remainder[:total - sum(parts)]:
        parts[i] += 1
    return parts


def plural(number: int, one: str, few: str, many: str) -> str:
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class SampleBuilder:
    """One sample: the organizations of every municipality, then their programs row by row."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.region = load_region()
        self.contacts = Contacts(self.rng)
        self.addresses: set[str] = set()
        self.organizations: list[Organization] = []
        reserved: dict[str, set[int]] = {}
        for series, number in (example.reserves for example in EXAMPLE_ORGANIZATIONS if example.reserves):
            reserved.setdefault(series, set()).add(number)
        self.namers = {m.name: Namer(self.rng, m, reserved if m.name == KEMEROVO else {}, self._sole_trader)
                       for m in self.region}
        self.activity_pools: dict[tuple, tuple[list[Activity], list[float]]] = {}

    # --- people and places ---

    def person(self, male: bool) -> str:
        surname = self.rng.choice(SURNAMES)
        patronymic = self.rng.choice(PATRONYMICS)
        if male:
            return f"{surname} {self.rng.choice(MALE_NAMES)} {patronymic[0]}"
        return f"{female_surname(surname)} {self.rng.choice(FEMALE_NAMES)} {patronymic[1]}"

    def _sole_trader(self) -> str:
        return self.person(self.rng.random() < 0.3)

    def _pick_place(self, municipality: Municipality, central: bool) -> Place:
        """A place weighted by population; district-level institutions lean further to the centre."""
        weights = [place.population ** 2 if central else place.population for place in municipality.places]
        return self.rng.choices(municipality.places, weights)[0]

    def _house_number(self, place: Place) -> str:
        rng = self.rng
        village = place.kind in ("с", "д", "пос")
        number = str(rng.randint(1, 60) if village else int(rng.triangular(1, 160, 8)))
        draw = rng.random()
        if draw < 0.1:
            return number + rng.choice("АБВ")
        if draw < 0.13 and not village:
            return f"{number}/{rng.randint(1, 3)}"
        return number

    def _venue(self, municipality: Municipality, place: Place, street_address: str = "") -> Venue:
        """A new venue with an address no other venue has and a point inside the municipality."""
        address = f"{place.address_prefix}, {street_address}" if street_address else ""
        while not address or address in self.addresses:
            streets = place.local_streets if place.local_streets and self.rng.random() < 0.7 else place.generic_streets
            address = f"{place.address_prefix}, {self.rng.choice(streets)}, {self._house_number(place)}"
        self.addresses.add(address)
        lat, lon = random_point(self.rng, place, municipality)
        return Venue(place, address, f"{lat:.6f}", f"{lon:.6f}")

    # --- organizations ---

    def _add_organization(self, municipality: Municipality, kind: OrgKind, place: Place | None = None,
                          name: str = "", tags: tuple[str, ...] | None = None,
                          street_address: str = "") -> Organization:
        rng = self.rng
        namer = self.namers[municipality.name]
        place = place or self._pick_place(municipality, kind.central)
        if name:
            namer.claim(name)
        else:
            name, tags = namer.name(kind, place)
        rural_school = not place.numbered or municipality.kind == "rural"
        tochka = kind.key == "school" and rng.random() < (0.65 if rural_school else 0.12)
        venues = [self._venue(municipality, place, street_address)]
        for _ in range(rng.randint(*kind.venues) - 1):
            other = place if kind.key == "school" else self._pick_place(municipality, False)
            venues.append(self._venue(municipality, other))
        handle = slug(name, place.locality)
        organization = Organization(
            org_id=f"o{FIRST_ORGANIZATION_NUMBER + len(self.organizations)}", name=name, kind=kind,
            tags=(tags or kind.tags) + (("tochka",) if tochka else ()), municipality=municipality, venues=venues,
            phone=self.contacts.phone(municipality.name, kind.private), email=self.contacts.email(handle),
            website=self.contacts.website(handle, kind), tochka=tochka)
        if name.startswith("ИП "):  # a sole trader usually teaches too
            owner = name.removeprefix("ИП ")
            organization.staff[not owner.endswith("на")].append(owner)
        self.organizations.append(organization)
        return organization

    def _flagships(self, municipality: Municipality) -> list[tuple[str, OrgKind]]:
        flagships = [(name, KINDS[kind]) for name, kind in FLAGSHIPS.get(municipality.name, ())]
        if municipality.name in IT_CUBE_MUNICIPALITIES:
            locality = max(municipality.places, key=lambda place: place.population).locality
            flagships.insert(1, (f"МБУ ДО «Центр цифрового образования детей «IT-куб. {locality}»»", KINDS["itcube"]))
        return flagships

    def _populate(self, municipality: Municipality, quota: int, organizations: list[Organization]) -> None:
        """Add organizations until their programs fill the municipality's quota of rows."""
        planned = 0
        for organization in organizations:
            organization.program_count = min(self.rng.randint(*organization.kind.programs), quota - planned)
            planned += organization.program_count
        for name, kind in self._flagships(municipality):
            if planned >= quota:
                return
            organization = self._add_organization(municipality, kind, name=name)
            organization.program_count = min(self.rng.randint(*kind.programs), quota - planned)
            planned += organization.program_count
        kinds = [kind for kind in KINDS.values() if kind.weights[municipality.kind] > 0]
        weights = [kind.weights[municipality.kind] for kind in kinds]
        while planned < quota:
            kind = self.rng.choices(kinds, weights)[0]
            organization = self._add_organization(municipality, kind)
            organization.program_count = min(self.rng.randint(*kind.programs), quota - planned)
            planned += organization.program_count

    def _drop_points(self, count: int) -> None:
        """Leave a few small single-venue organizations without coordinates, about NO_POINT_SHARE of the rows."""
        budget = round(count * NO_POINT_SHARE)
        candidates = [o for o in self.organizations[len(EXAMPLE_ORGANIZATIONS):]
                      if len(o.venues) == 1 and 0 < o.program_count <= 8]
        for organization in self.rng.sample(candidates, len(candidates)):
            if organization.program_count <= budget:
                budget -= organization.program_count
                organization.venues[0].lat = organization.venues[0].lon = ""

    def _examples(self) -> list[Organization]:
        kemerovo = next(m for m in self.region if m.name == KEMEROVO)
        organizations = []
        for example in EXAMPLE_ORGANIZATIONS:
            place = next(place for place in kemerovo.places if place.name == example.district)
            organizations.append(self._add_organization(kemerovo, KINDS[example.kind], place, example.name,
                                                        example.tags, example.street_address))
        return organizations

    # --- programs ---

    def _activity(self, organization: Organization) -> Activity:
        key = (organization.tags, organization.kind.ages)
        if key not in self.activity_pools:
            low, high = organization.kind.ages
            pool = [activity for activity in ACTIVITIES if set(activity.tags) & set(organization.tags)
                    and max(low, activity.ages[0]) <= min(high, activity.ages[1])]
            self.activity_pools[key] = pool, [activity.weight for activity in pool]
        pool, weights = self.activity_pools[key]
        return self.rng.choices(pool, weights)[0]

    def _ages(self, activity: Activity, organization: Organization) -> tuple[int, int]:
        low = max(activity.ages[0], organization.kind.ages[0])
        high = min(activity.ages[1], organization.kind.ages[1])
        if self.rng.random() < 0.08:
            return low, high
        span = min(self.rng.randint(*activity.span), high - low)
        age_min = self.rng.randint(low, high - span)
        return age_min, age_min + span

    def _title(self, activity: Activity, organization: Organization, age_min: int, used: set[str]) -> str:
        """A title not yet used by the organization; repeats become levels or groups, as in real catalogues."""
        # «…квантум» titles are the technopark's own names for its courses.
        titles = [title for title in activity.titles
                  if ("квантум" in title) == (organization.kind.key == "kvantorium")] or activity.titles
        title = ""
        for _ in range(4):
            title = self.rng.choice(titles)
            if organization.kind.key == "sport_school" and activity.direction == "sport" and self.rng.random() < 0.4:
                title += " (этап начальной подготовки)" if age_min <= 10 else " (учебно-тренировочный этап)"
            if title not in used:
                break
        base, repeat = title, 0
        while title in used:
            group = repeat - len(LEVELS) + 2
            title = f"{base}. {LEVELS[repeat]}" if repeat < len(LEVELS) else f"{base} (группа {group})"
            repeat += 1
        used.add(title)
        return title

    def _teacher(self, organization: Organization, activity: Activity) -> str:
        """Teachers are staff: an organization reuses its people across programs."""
        male = self.rng.random() < activity.male_teachers
        staff = organization.staff[male]
        if staff and (len(staff) > organization.program_count // 3 or self.rng.random() < 0.4):
            return self.rng.choice(staff)
        staff.append(self.person(male))
        return staff[-1]

    def _schedule(self, organization: Organization, age_min: int, age_max: int,
                  sport: bool) -> tuple[str, int, int]:
        """«Пн, Ср 15:00–16:30; Сб 10:00–11:30», sessions a week and minutes a session."""
        rng, kind = self.rng, organization.kind.key
        if age_max <= 7:
            minutes, per_week = rng.choice((25, 30)), rng.choice((1, 1, 2))
        elif kind == "sport_school":
            minutes, per_week = rng.choice((90, 90, 120)), rng.choice((3, 3, 4))
        else:
            minutes = rng.choice((40, 45, 45, 60)) if age_min <= 8 else rng.choice((45, 60, 90, 90))
            per_week = rng.choice((2, 2, 3)) if sport else rng.choice((1, 2, 2, 2, 3))
        days = list(rng.choice(DAY_SETS[per_week]))
        weekday_start = rng.choice((930, 960, 990)) if kind == "kindergarten" else rng.randrange(840, 1140, 30)
        saturday_start = rng.randrange(600, 810, 30)
        if per_week >= 2 and kind != "kindergarten" and rng.random() < 0.3:
            days.pop()
            groups = [(days, weekday_start), (["Сб"], saturday_start)]
        else:
            groups = [(days, saturday_start if days == ["Сб"] else weekday_start)]
        text = "; ".join(f"{', '.join(group)} {clock(start)}–{clock(start + minutes)}" for group, start in groups)
        return text, per_week, minutes

    def _duration(self, per_week: int, minutes: int) -> str:
        label, weeks = self.rng.choices([(label, weeks) for label, weeks, _ in DURATIONS],
                                        [weight for *_, weight in DURATIONS])[0]
        hours = per_week * max(1, round(minutes / 45)) * weeks
        return f"{label}, {hours} {plural(hours, 'час', 'часа', 'часов')}"

    def _setting(self, organization: Organization, activity: Activity) -> str:
        """A sentence about where the classes happen, when the organization makes it worth saying."""
        kind, draw = organization.kind.key, self.rng.random()
        if organization.tochka and activity.direction in ("technical", "science"):
            return "Кружок работает на базе центра «Точка роста» с современным оборудованием."
        if kind == "kvantorium":
            return "Занятия ведут наставники детского технопарка «Кванториум-42» в оснащённых лабораториях."
        if kind == "itcube":
            return "У каждого участника в «IT-кубе» своё рабочее место с компьютером."
        if kind == "kindergarten" and draw < 0.5:
            return "Кружок работает в детском саду во второй половине дня."
        if kind == "sport_school" and draw < 0.6:
            return "Для зачисления нужна справка от врача о допуске к занятиям спортом."
        if kind == "college" and draw < 0.5:
            return "Занятия проходят в учебных лабораториях и мастерских, где ребята знакомятся и с профессиями."
        return ""

    def _program(self, organization: Organization, activity: Activity, used_titles: set[str]) -> dict[str, str]:
        """The columns a program keeps at all its venues."""
        rng = self.rng
        age_min, age_max = self._ages(activity, organization)
        enrollment = weighted(rng, PRIVATE_ENROLLMENT if organization.kind.private else PUBLIC_ENROLLMENT)
        low, high = PRICE_RANGES[activity.price_level]
        price = rng.randrange(max(low, 1500) if organization.kind.private else low, high + 1, 100)
        seats_total = rng.randint(*activity.seats) if rng.random() > 0.02 else 0
        ovz = []
        if rng.random() < 0.12:
            ovz = sorted(rng.sample(OVZ_CATEGORIES, rng.choices((1, 2, 3), (60, 28, 12))[0]), key=OVZ_CATEGORIES.index)
        form = "Очно"
        if rng.random() < (0.3 if activity.remote else 0.04):
            form = "Дистанционно" if activity.remote and rng.random() < 0.35 else "Смешанно"
        schedule, per_week, minutes = self._schedule(organization, age_min, age_max, activity.direction == "sport")
        ages = f"{age_min}–{age_max} лет" if age_min != age_max else f"{age_min} лет"
        details = sorted(rng.sample(range(len(activity.details)), min(len(activity.details), rng.choice((2, 2, 3)))))
        outcomes = YOUNG_OUTCOMES if age_max <= 7 else activity.outcomes or OUTCOMES[activity.direction]
        sentences = [rng.choice(activity.intros).format(age=ages), *(activity.details[i] for i in details),
                     rng.choice(outcomes), self._setting(organization, activity),
                     rng.choice(SCHEDULE_SENTENCES).format(times=TIMES_A_WEEK[per_week],
                                                           length=SESSION_WORDS.get(minutes, f"{minutes} минут"))]
        if seats_total and rng.random() < 0.4:
            sentences.append(f"В группе до {seats_total} человек.")
        if "Платно" in enrollment:
            sentences.append(f"Стоимость — {price} ₽ в месяц.")
        if enrollment == "Бесплатно; Сертификат":
            sentences.append("Часть мест — бюджетные, часть — по сертификату дополнительного образования.")
        elif "Сертификат" in enrollment:
            sentences.append("Обучение можно оплатить сертификатом дополнительного образования.")
        if ovz:
            sentences.append(f"Программа адаптирована для детей с ОВЗ: {', '.join(ovz)}.")
        if form == "Дистанционно":
            sentences.append("Занятия проходят онлайн в «Сферуме»: нужен компьютер или планшет с интернетом.")
        elif form == "Смешанно":
            sentences.append("Часть занятий проходит дистанционно, задания публикуются в «Сферуме».")
        rated = rng.random() < 0.8
        return {
            "title": self._title(activity, organization, age_min, used_titles),
            "description": " ".join(sentence for sentence in sentences if sentence),
            "direction": activity.direction if rng.random() < DIRECTION_CODE_SHARE
            else DIRECTION_LABELS[activity.direction],
            "profile": activity.profile, "age_min": str(age_min), "age_max": str(age_max), "enrollment": enrollment,
            "price_rub": str(price) if "Платно" in enrollment else "",
            "seats_total": str(seats_total) if seats_total else "", "ovz": "; ".join(ovz) or "Без ОВЗ",
            "format": form, "schedule": schedule, "duration": self._duration(per_week, minutes),
            "teacher": self._teacher(organization, activity),
            "rating": f"{max(3.5, 5 - abs(rng.gauss(0, 0.45))):.2f}" if rated else "",
            "rating_count": str(min(400, int(rng.paretovariate(1.2) * 4))) if rated else "",
            "updated": (UPDATED_FROM + dt.timedelta(days=rng.randrange(UPDATED_DAYS))).isoformat(),
        }

    def _seats_free(self, seats_total: str) -> str:
        """Many groups are full, some have a handful of places, some ten or more."""
        if not seats_total:
            return ""
        total, draw = int(seats_total), self.rng.random()
        if draw < 0.32:
            return "0"
        if draw < 0.7:
            return str(self.rng.randint(1, min(9, total)))
        return str(self.rng.randint(min(10, total), total))

    def _row(self, program_number: int, organization: Organization, venue: Venue,
             program: dict[str, str]) -> dict[str, str]:
        program_id = f"p{program_number}"
        has_documents = organization.website and "vk.com" not in organization.website
        values = {
            **program, "program_id": program_id, "organization_id": organization.org_id,
            "organization": organization.name, "organization_type": organization.kind.type_label,
            "municipality": organization.municipality.name, "district": venue.place.district,
            "address": venue.address, "lat": venue.lat, "lon": venue.lon, "phone": organization.phone,
            "email": organization.email, "website": organization.website,
            "program_url": f"{organization.website}/files/programs/{program_id}.pdf" if has_documents else "",
        }
        values.setdefault("seats_free", self._seats_free(program["seats_total"]))
        return {column: values.get(column, "") for column in COLUMNS}

    def rows(self, count: int) -> Iterator[dict[str, str]]:
        examples = self._examples() if count > 0 else []
        shown = min(count, len(EXAMPLE_PROGRAMS))
        weights = [max(POPULATION_THOUSANDS[m.name], MIN_MUNICIPALITY_WEIGHT) for m in self.region]
        for municipality, quota in zip(self.region, apportion(count - shown, weights), strict=True):
            self._populate(municipality, quota, examples if municipality.name == KEMEROVO else [])
        self._drop_points(count)
        number = FIRST_PROGRAM_NUMBER
        for organization, program in zip(examples[:shown], EXAMPLE_PROGRAMS, strict=False):
            yield self._row(number, organization, organization.venues[0], program)
            number += 1
        for organization in self.organizations:
            used_titles: set[str] = set()
            remaining = organization.program_count
            while remaining > 0:
                activity = self._activity(organization)
                program = self._program(organization, activity, used_titles)
                venues = organization.venues[:1]
                if len(organization.venues) > 1 and remaining > 1 and self.rng.random() < 0.2:
                    venues = self.rng.sample(organization.venues, 2)
                elif len(organization.venues) > 1:
                    venues = [self.rng.choice(organization.venues)]
                for venue in venues:
                    yield self._row(number, organization, venue, program)
                    number += 1
                remaining -= len(venues)


def generate_rows(count: int, seed: int = 42) -> Iterator[dict[str, str]]:
    """count rows of the sample, each a dict of DATA.md's columns in order; the same for the same seed."""
    yield from SampleBuilder(seed).rows(count)


def write_csv(path: Path | str, count: int = DEFAULT_COUNT, seed: int = 42) -> int:
    """Write the sample as data/programs.csv is written: UTF-8, comma, LF, header; return the row count."""
    written = 0
    with Path(path).open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=COLUMNS, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for row in generate_rows(count, seed):
            writer.writerow(row)
            written += 1
    return written
