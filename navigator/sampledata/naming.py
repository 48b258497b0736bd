"""Organizations of the sample: their kinds, names as registries write them, and contacts.

Names are unique within a municipality; numbered series («СОШ № 12», «Детский сад № 258») grow the
way real registries do, with gaps. Contacts are invented but shaped like real ones (area codes of
the region, mail.ru/yandex.ru boxes, gosweb sites of municipal institutions).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from navigator.sampledata.places import Municipality, Place
from navigator.sampledata.words import (
    CENTRE_NAMES,
    CHESS_CLUB_NAMES,
    COLLEGE_PROFILES,
    CULTURE_HOUSE_NAMES,
    DANCE_STUDIO_NAMES,
    KINDERGARTEN_NAMES,
    LANGUAGE_CENTRE_NAMES,
    PATRIOTIC_CLUB_NAMES,
    PHONE_CODES,
    ROBOTICS_SCHOOL_NAMES,
    RURAL_COLLEGE_PROFILES,
    SPORT_CLUB_NAMES,
    genitive,
    masculine,
    settlement_adjective,
    transliterate,
)

# DATA.md's organization types.
SCHOOL = "школа"
KINDERGARTEN = "детский сад"
SUPPLEMENTARY = "организация дополнительного образования"
SPORT_SCHOOL = "спортивная школа"
CULTURE = "учреждение культуры"
COLLEGE = "колледж или вуз"
NGO = "НКО"
PRIVATE = "частная организация или ИП"


@dataclass(frozen=True)
class OrgKind:
    key: str
    type_label: str
    tags: tuple[str, ...]  # activities it offers (see activities.py)
    programs: tuple[int, int]  # how many programs one organization runs
    venues: tuple[int, int]
    ages: tuple[int, int]  # children it serves
    private: bool  # charges for its programs
    central: bool  # sits in the municipality's centre more often than population alone says
    weights: dict[str, float]  # how common it is in a city, a town and a rural okrug


def _kind(key, type_label, tags, programs, venues=(1, 1), ages=(3, 18), private=False, central=False, *,
          city, town, rural) -> OrgKind:
    return OrgKind(key, type_label, tuple(tags.split()), programs, venues, ages, private, central,
                   {"city": city, "town": town, "rural": rural})


KINDS = {kind.key: kind for kind in (
    _kind("school", SCHOOL, "school", (5, 12), (1, 2), ages=(5, 18), city=30, town=34, rural=46),
    _kind("kindergarten", KINDERGARTEN, "kindergarten", (2, 5), ages=(3, 7), city=11, town=13, rural=16),
    _kind("creativity_house", SUPPLEMENTARY, "ddt", (12, 30), (1, 3), central=True, city=6, town=6, rural=5),
    _kind("technical_station", SUPPLEMENTARY, "tech", (6, 14), (1, 2), central=True, city=1.5, town=1,
          rural=0.3),
    _kind("nature_station", SUPPLEMENTARY, "nature", (4, 10), central=True, city=1, town=0.8, rural=0.3),
    _kind("tourism_centre", SUPPLEMENTARY, "tourism", (4, 10), central=True, city=1, town=0.8, rural=0.4),
    _kind("sport_school", SPORT_SCHOOL, "sport", (4, 12), (1, 3), ages=(5, 18), central=True, city=8, town=8,
          rural=5),
    _kind("art_school", CULTURE, "art_school", (3, 8), central=True, city=3, town=4, rural=3),
    _kind("culture_house", CULTURE, "culture_house", (2, 7), city=2, town=4, rural=9),
    _kind("museum", CULTURE, "museum", (1, 4), ages=(5, 18), central=True, city=1, town=1, rural=1.2),
    _kind("library", CULTURE, "library", (1, 4), central=True, city=1, town=1, rural=1.5),
    _kind("college", COLLEGE, "college", (2, 5), ages=(12, 18), central=True, city=3, town=2.5, rural=0.6),
    _kind("ngo", NGO, "ngo", (2, 6), city=6, town=3, rural=1.5),
    _kind("private", PRIVATE, "private", (2, 7), private=True, city=13, town=7, rural=1),
    _kind("kvantorium", SUPPLEMENTARY, "kvantorium", (20, 32), ages=(10, 18), city=0, town=0, rural=0),
    _kind("itcube", SUPPLEMENTARY, "itcube", (6, 14), ages=(7, 18), city=0, town=0, rural=0),
)}

# Name patterns with weights; {n} is a series number, {adj} a settlement adjective, {k} a suffix « № 2».
SCHOOL_NUMBERED = (
    ("МБОУ «СОШ № {n}»", 50), ("МБОУ «Средняя общеобразовательная школа № {n}»", 10), ("МАОУ «СОШ № {n}»", 6),
    ("МБОУ «Лицей № {n}»", 8), ("МБОУ «Гимназия № {n}»", 8), ("МБОУ «ООШ № {n}»", 8),
    ("МБОУ «Основная общеобразовательная школа № {n}»", 4),
    ("МБОУ «СОШ № {n} с углублённым изучением отдельных предметов»", 4),
)
SCHOOL_RURAL = (
    ("МБОУ «{adj} СОШ{k}»", 60), ("МБОУ «{adj} ООШ{k}»", 18), ("МБОУ «{adj} средняя общеобразовательная школа{k}»", 10),
    ("МКОУ «{adj} ООШ{k}»", 12),
)
KINDERGARTEN_NUMBERED = (
    ("МБДОУ «Детский сад № {n}»", 45), ("МБДОУ «Детский сад № {n} «{fancy}»»", 25), ("МАДОУ «Детский сад № {n}»", 10),
    ("МБДОУ «Детский сад комбинированного вида № {n}»", 10), ("МБДОУ «Центр развития ребёнка — детский сад № {n}»", 10),
)
KINDERGARTEN_RURAL = (("МБДОУ «{adj} детский сад{k} «{fancy}»»", 75), ("МКДОУ «{adj} детский сад{k} «{fancy}»»", 25))
# Tag sets a private or non-profit organization may specialise in, with the names that go with them.
NGO_NAMES = (
    ("АНО ДО «Центр развития «{centre}»»", "ngo early"), ("АНО ДО «Шахматная школа «{chess}»»", "chess"),
    ("АНО «Спортивный клуб «{sport}»»", "sport_club"), ("АНО «Военно-патриотический клуб «{patriot}»»", "patriotic"),
    ("МОО «Клуб юных техников «{robo}»»", "robotics_school"), ("АНО «Центр детских инициатив «{centre}»»", "ngo"),
)
PRIVATE_NAMES = (
    ("ООО «Детский центр «{centre}»»", "early language fine_art"),
    ("ООО «Школа робототехники «{robo}»»", "robotics_school"),
    ("ООО «Танцевальная студия «{dance}»»", "dance"), ("ООО «Языковой центр «{language}»»", "language"),
    ("ООО «Студия творчества «{centre}»»", "fine_art music"), ("ООО «Спортивный клуб «{sport}»»", "sport_club"),
    ("ООО «Шахматный клуб «{chess}»»", "chess"),
)
SOLE_TRADER_FOCUSES = ("early", "language", "fine_art", "dance", "music", "robotics_school", "chess")

ABBREVIATIONS = (
    ("Детско-юношеская спортивная школа", "ДЮСШ"), ("Спортивная школа олимпийского резерва", "СШОР"),
    ("Центр развития ребёнка", "ЦРР"), ("Центр цифрового образования детей", "ЦЦОД"),
    ("Средняя общеобразовательная школа", "СОШ"), ("Основная общеобразовательная школа", "ООШ"),
    ("средняя общеобразовательная школа", "СОШ"), ("Детский сад", "ДС"), ("детский сад", "ДС"),
    ("Дом детского творчества", "ДДТ"), ("Центр детского творчества", "ЦДТ"), ("Спортивная школа", "СШ"),
    ("Детская школа искусств", "ДШИ"), ("детская школа искусств", "ДШИ"), ("Детская музыкальная школа", "ДМШ"),
    ("Детская художественная школа", "ДХШ"), ("Дом культуры", "ДК"), ("Дворец культуры", "ДК"),
    ("Центр дополнительного образования детей", "ЦДОД"), ("Станция юных техников", "СЮТ"),
    ("Станция юных натуралистов", "СЮН"),
)
INVENTED_NAMES = {
    "fancy": KINDERGARTEN_NAMES, "centre": CENTRE_NAMES, "chess": CHESS_CLUB_NAMES, "sport": SPORT_CLUB_NAMES,
    "patriot": PATRIOTIC_CLUB_NAMES, "robo": ROBOTICS_SCHOOL_NAMES, "dance": DANCE_STUDIO_NAMES,
    "language": LANGUAGE_CENTRE_NAMES, "dk": CULTURE_HOUSE_NAMES,
}
# Words a handle leaves out: they make e-mail boxes long without telling institutions apart.
FILLER_WORDS = {"имени", "района", "округа", "городского", "муниципального", "комбинированного", "вида", "с",
                "углублённым", "изучением", "отдельных", "предметов"}
MAIL_PROVIDERS = ("mail.ru", "mail.ru", "yandex.ru", "yandex.ru", "list.ru", "inbox.ru", "bk.ru", "rambler.ru")
MOBILE_PREFIXES = ("903", "905", "913", "923", "950", "951", "960", "961", "983", "996", "999")


def weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([option for option, _ in options], [weight for _, weight in options])[0]


class Namer:
    """Names for the organizations of one municipality: unique, numbered without repeats."""

    def __init__(self, rng: random.Random, municipality: Municipality, reserved: dict[str, set[int]],
                 person: Callable[[], str]):
        self.rng = rng
        self.municipality = municipality
        self.reserved = reserved
        self.person = person  # a full name, for sole traders
        self.used: set[str] = set()
        self.counters: dict[str, int] = {}

    def claim(self, name: str) -> bool:
        """Take the name if no other organization of the municipality has it."""
        if name in self.used:
            return False
        self.used.add(name)
        return True

    def number(self, series: str) -> int:
        """The next number of a series, skipping a few as closed institutions do and the reserved ones."""
        number = self.counters.get(series, 0)
        while True:
            number += 1 if self.rng.random() < 0.6 else self.rng.randint(2, 4)
            if number not in self.reserved.get(series, ()):
                self.counters[series] = number
                return number

    def local_suffix(self, series: str, place: Place) -> str:
        """«» for the first school of a village, « № 2» for the next; a пгт numbers all of them."""
        key = f"{series}:{place.name}"
        count = self.counters.get(key, 0) + 1
        self.counters[key] = count
        return f" № {count}" if place.kind == "пгт" or count > 1 else ""

    def first_free(self, candidates: list[str], fallback: Callable[[int], str], series: str) -> str:
        """The first unused candidate in random order, else a numbered fallback name."""
        self.rng.shuffle(candidates)
        for name in candidates:
            if self.claim(name):
                return name
        while not self.claim(name := fallback(self.number(series))):
            pass
        return name

    def fill(self, pattern: str, suffix: str = "") -> str:
        """Put random invented names (with the suffix, e.g. «-2») into a pattern's {centre}, {chess}, … fields."""
        return re.sub(r"\{(\w+)\}", lambda match: self.rng.choice(INVENTED_NAMES[match.group(1)]) + suffix,
                      pattern)

    def name(self, kind: OrgKind, place: Place) -> tuple[str, tuple[str, ...] | None]:
        """A name for a new organization of the kind at the place, and the tags it implies, if any."""
        return NAME_BUILDERS[kind.key](self, place)


def _school(namer: Namer, place: Place) -> tuple[str, None]:
    """Unique by construction: numbers never repeat, nor do a village's suffixes."""
    if place.numbered:
        name = weighted(namer.rng, SCHOOL_NUMBERED).format(n=namer.number("school"))
    else:
        pattern = weighted(namer.rng, SCHOOL_RURAL)
        name = pattern.format(adj=settlement_adjective(place.name), k=namer.local_suffix("school", place))
    namer.claim(name)
    return name, None


def _kindergarten(namer: Namer, place: Place) -> tuple[str, None]:
    if place.numbered:
        pattern = weighted(namer.rng, KINDERGARTEN_NUMBERED).replace("{n}", str(namer.number("kindergarten")))
    else:
        pattern = weighted(namer.rng, KINDERGARTEN_RURAL).format(
            adj=masculine(settlement_adjective(place.name)), k=namer.local_suffix("kindergarten", place),
            fancy="{fancy}")
    name = namer.fill(pattern)
    namer.claim(name)
    return name, None


def _area_names(namer: Namer, place: Place) -> tuple[str, str]:
    """Genitives for «… Центрального района» (main city districts only) and «… Яйского муниципального округа»."""
    district = f"{genitive(place.name)} района" if place.kind == "" else ""
    return district, genitive(namer.municipality.name)


def _centre_candidates(namer: Namer, place: Place, city_patterns: list[str], area_patterns: list[str]) -> list[str]:
    district, area = _area_names(namer, place)
    candidates = [namer.fill(pattern) for pattern in city_patterns]
    if district:
        candidates += [pattern.format(area=district) for pattern in area_patterns]
    if namer.municipality.kind != "city":
        candidates += [pattern.format(area=area) for pattern in area_patterns]
    return candidates


def _creativity_house(namer: Namer, place: Place) -> tuple[str, None]:
    candidates = _centre_candidates(
        namer, place,
        ["МБУ ДО «Центр дополнительного образования детей «{centre}»»", "МБУ ДО «Центр детского творчества «{centre}»»",
         "МБУ ДО «Дом творчества «{centre}»»"],
        ["МБУ ДО «Дом детского творчества {area}»", "МБУ ДО «Центр дополнительного образования детей {area}»"])
    if namer.municipality.kind == "city":
        candidates.append("МАУ ДО «Дворец творчества детей и молодёжи»")
    elif not place.numbered:
        candidates.append(f"МБУ ДО «{masculine(settlement_adjective(place.name))} Дом детского творчества»")
    return namer.first_free(candidates, "МБУ ДО «Дом детского творчества № {}»".format, "creativity"), None


def _technical_station(namer: Namer, place: Place) -> tuple[str, None]:
    candidates = _centre_candidates(
        namer, place, ["МБУ ДО «Центр технического творчества «{centre}»»"],
        ["МБУ ДО «Станция юных техников {area}»",
         "МБУ ДО «Центр детского (юношеского) технического творчества {area}»"])
    candidates.append("МБУ ДО «Станция юных техников»")
    return namer.first_free(candidates, "МБУ ДО «Станция юных техников № {}»".format, "technical"), None


def _nature_station(namer: Namer, place: Place) -> tuple[str, None]:
    candidates = _centre_candidates(
        namer, place, ["МБУ ДО «Экологический центр «{centre}»»"],
        ["МБУ ДО «Станция юных натуралистов {area}»", "МБУ ДО «Эколого-биологический центр {area}»"])
    candidates.append("МБУ ДО «Станция юных натуралистов»")
    return namer.first_free(candidates, "МБУ ДО «Станция юных натуралистов № {}»".format, "nature"), None


def _tourism_centre(namer: Namer, place: Place) -> tuple[str, None]:
    candidates = _centre_candidates(
        namer, place, ["МБУ ДО «Центр туризма и краеведения «{centre}»»"],
        ["МБУ ДО «Центр детского и юношеского туризма и экскурсий {area}»", "МБУ ДО «Станция юных туристов {area}»"])
    return namer.first_free(candidates, "МБУ ДО «Станция юных туристов № {}»".format, "tourism"), None


def _sport_school(namer: Namer, place: Place) -> tuple[str, None]:
    if namer.municipality.name == "Кемеровский городской округ":
        pattern = weighted(namer.rng, (("МБФСУ «СШОР № {}»", 1), ("МБФСУ «Спортивная школа № {}»", 2)))
        return namer.first_free([], pattern.format, "sport"), None
    candidates = [] if namer.municipality.kind == "city" else [
        f"МБУ ДО «Спортивная школа {genitive(namer.municipality.name)}»",
        f"МБУ ДО «Детско-юношеская спортивная школа {genitive(namer.municipality.name)}»"]
    pattern = weighted(namer.rng, (("МБУ ДО «Спортивная школа № {}»", 3), ("МБУ ДО «ДЮСШ № {}»", 2),
                                   ("МАУ ДО «Спортивная школа олимпийского резерва № {}»", 1)))
    return namer.first_free(candidates, pattern.format, "sport"), None


def _art_school(namer: Namer, place: Place) -> tuple[str, tuple[str, ...]]:
    pattern, tags = weighted(namer.rng, ((("МБУ ДО «Детская школа искусств № {}»", "art_school"), 6),
                                         (("МБУ ДО «Детская музыкальная школа № {}»", "music"), 2),
                                         (("МБУ ДО «Детская художественная школа № {}»", "fine_art"), 1)))
    candidates = [] if place.numbered else [f"МБУ ДО «{settlement_adjective(place.name)} детская школа искусств»"]
    if candidates:
        tags = "art_school"
    return namer.first_free(candidates, pattern.format, "art"), tuple(tags.split())


def _culture_house(namer: Namer, place: Place) -> tuple[str, None]:
    if place.numbered:
        candidates = [namer.fill(pattern) for pattern in (
            "МАУК «Дворец культуры «{dk}»»", "МБУК «Дом культуры «{dk}»»", "МБУК «Центр культуры и досуга «{dk}»»",
            "МБУК «Клуб «{dk}»»")]
    else:
        adjective = masculine(settlement_adjective(place.name))
        candidates = [f"МБУК «{adjective} Дом культуры»"]
        if place.kind in ("с", "д", "пос"):
            candidates.append(f"МБУК «{adjective} сельский Дом культуры»")
        else:
            candidates.append(namer.fill(f"МБУК «Дом культуры «{{dk}}» пгт {place.name}»"))
    return namer.first_free(candidates, "МБУК «Дом культуры № {}»".format, "culture"), None


def _museum(namer: Namer, place: Place) -> tuple[str, None]:
    area = genitive(namer.municipality.name)
    candidates = [f"МБУК «Краеведческий музей {area}»", f"МБУК «Музейно-выставочный центр {area}»",
                  f"МБУК «Музей истории и культуры {area}»"]
    return namer.first_free(candidates, "МБУК «Музейно-выставочный центр № {}»".format, "museum"), None


def _library(namer: Namer, place: Place) -> tuple[str, None]:
    area = genitive(namer.municipality.name)
    candidates = [f"МБУК «Централизованная библиотечная система {area}»", f"МБУК «Детская библиотека {area}»",
                  namer.fill("МБУК «Библиотека семейного чтения «{centre}»»")]
    return namer.first_free(candidates, "МБУК «Детская библиотека № {}»".format, "library"), None


def _college(namer: Namer, place: Place) -> tuple[str, None]:
    profiles = RURAL_COLLEGE_PROFILES if namer.municipality.kind == "rural" else COLLEGE_PROFILES
    adjective = namer.municipality.adjective
    candidates = [f"ГПОУ «{adjective} {profile}»" for profile in profiles]
    return namer.first_free(candidates, f"ГПОУ «{adjective} техникум № {{}}»".format, "college"), None


def _specialised(namer: Namer, patterns: tuple[tuple[str, str], ...]) -> tuple[str, tuple[str, ...]]:
    """A club or centre with an invented name; when a big sample has used them all, «Радуга-2» and so on."""
    pattern, tags = namer.rng.choice(patterns)
    for _ in range(20):
        if namer.claim(name := namer.fill(pattern)):
            return name, tuple(tags.split())
    while not namer.claim(name := namer.fill(pattern, f"-{namer.number('specialised')}")):
        pass
    return name, tuple(tags.split())


def _ngo(namer: Namer, place: Place) -> tuple[str, tuple[str, ...]]:
    return _specialised(namer, NGO_NAMES)


def _private(namer: Namer, place: Place) -> tuple[str, tuple[str, ...]]:
    if namer.rng.random() < 0.4 and namer.claim(name := f"ИП {namer.person()}"):
        return name, (namer.rng.choice(SOLE_TRADER_FOCUSES),)
    return _specialised(namer, PRIVATE_NAMES)


NAME_BUILDERS = {
    "school": _school, "kindergarten": _kindergarten, "creativity_house": _creativity_house,
    "technical_station": _technical_station, "nature_station": _nature_station, "tourism_centre": _tourism_centre,
    "sport_school": _sport_school, "art_school": _art_school, "culture_house": _culture_house, "museum": _museum,
    "library": _library, "college": _college, "ngo": _ngo, "private": _private,
}


class Contacts:
    """Phones, e-mail boxes and websites; boxes and sites are unique across the whole sample."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Callable[[str], str], slug: str) -> str:
        candidate, number = make(slug), 1
        while candidate in self.used:
            number += 1
            candidate = make(f"{slug}{number}")
        self.used.add(candidate)
        return candidate

    def phone(self, municipality: str, private: bool) -> str:
        rng = self.rng
        if private and rng.random() < 0.6:
            digits = "".join(str(rng.randint(0, 9)) for _ in range(7))
            return f"+7 ({rng.choice(MOBILE_PREFIXES)}) {digits[:3]}-{digits[3:5]}-{digits[5:]}"
        code = PHONE_CODES[municipality]
        digits = str(rng.randint(2, 7)) + "".join(str(rng.randint(0, 9)) for _ in range(9 - len(code)))
        if len(digits) == 6:
            return f"+7 ({code}) {digits[:2]}-{digits[2:4]}-{digits[4:]}"
        return f"+7 ({code}) {digits[0]}-{digits[1:3]}-{digits[3:]}"

    def email(self, slug: str) -> str:
        provider = self.rng.choice(MAIL_PROVIDERS)
        return self._unique(lambda box: f"{box}@{provider}", slug)

    def website(self, slug: str, kind: OrgKind) -> str:
        """Municipal institutions mostly have gosweb sites; clubs and private centres a VK page or none."""
        draw = self.rng.random()
        if kind.type_label in (NGO, PRIVATE):
            if draw < 0.55:
                return self._unique(lambda name: f"https://vk.com/{name.replace('-', '_')}", slug)
            if draw < 0.8:
                return self._unique(lambda name: f"https://{name}.ru", slug)
            return ""
        if draw < 0.8:
            return self._unique(lambda name: f"https://{name}-r42.gosweb.gosuslugi.ru", slug)
        if draw < 0.9:
            return self._unique(lambda name: f"https://{name}.ru", slug)
        return ""


def slug(name: str, locality: str) -> str:
    """A short Latin handle, as institutions pick them: «СОШ № 12», Кемерово → «sosh12-kemerovo».

    Long names shrink to initials («Кемеровский колледж искусств» → «kki»), a sole trader to the
    surname and initials.
    """
    if name.startswith("ИП "):
        surname, *given = name.removeprefix("ИП ").split()
        handle = transliterate(surname) + "".join(transliterate(word[0]) for word in given)
    else:
        quoted = name[name.index("«"):]
        for long, short in ABBREVIATIONS:
            quoted = quoted.replace(long, short)
        words = [word for word in re.findall(r"[\w-]+", quoted)
                 if word.lower() not in FILLER_WORDS and not (len(word) == 1 and word.isupper())]
        handle = "".join(transliterate(word) for word in words)
        if len(handle) > 20:
            handle = "".join(transliterate(word if word.isupper() or word.isdigit() else word[0]) for word in words)
    return f"{re.sub(r'[^a-z0-9]', '', handle)}-{re.sub(r'[^a-z0-9]', '', transliterate(locality))}"
