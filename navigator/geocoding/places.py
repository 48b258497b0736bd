"""An offline address index built from the catalogue's own venues: street-level «near me» without the internet.

Every venue placed at a building is a known house on a known street of a known settlement, so a
parent typing «Новокузнецк улица Кирова 71а», «ул. Кирова, 71А, Новокузнецк» or «кирова 71а новокузнецк»
lands on that building; a street the catalogue knows without the typed house lands on the known house
with the nearest number («по улице»). Typed text is read word by word, so commas, word order, «ул.» or
«улица», «пр-т» or «проспект», «ё» or «е» and the house letter do not matter. The index is rebuilt when
the venues change (a cheap aggregate over the venue table is its key).
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from navigator.catalogue.models import Venue
from navigator.catalogue.vocab import fold
from navigator.geocoding.address import SETTLEMENT_KINDS, STREET_KINDS, address_parts, canonical_tokens

_HOUSE = re.compile(r"^\d+[а-я]?(?:/\d+[а-я]?)?$")
_NUMBER = re.compile(r"\d+")
_BARE_NUMBER = re.compile(r"^\d+(?:/\d+)?$")
_NOISE = SETTLEMENT_KINDS | {"д", "стр", "корп"}  # kind words that name nothing by themselves


@dataclass(frozen=True)
class KnownHouse:
    """One venue of the catalogue: its house number (folded), point and how its address was written."""

    house: str
    lat: float
    lon: float
    address: str


@dataclass(frozen=True)
class Street:
    """A street of one settlement as the catalogue knows it."""

    kind: str
    label: str  # «ул. Кирова, г. Новокузнецк»
    houses: tuple[KnownHouse, ...]


@dataclass(frozen=True)
class FoundAddress:
    lat: float
    lon: float
    precision: str  # building or street
    label: str


def _house_key(text: str) -> str:
    return fold(text).replace(" ", "").replace("д.", "")


def _written(kind: str) -> str:
    """A canonical kind as addresses write it: «ул.», «г.», but «пр-кт», «пгт» without a dot."""
    return kind if "-" in kind or "/" in kind or kind in ("пгт", "рп", "мкр") else f"{kind}."


def _number(house: str) -> int:
    match = _NUMBER.match(house)
    return int(match.group()) if match else 0


@dataclass(frozen=True)
class Typed:
    """Typed text split into a street kind (if written), the house (if any) and the remaining words."""

    kind: str | None
    house: str | None
    words: tuple[str, ...]

    @classmethod
    def read(cls, text: str) -> Typed:
        tokens: list[str] = []
        for token in canonical_tokens(text):
            if len(token) == 1 and token.isalpha() and tokens and _BARE_NUMBER.match(tokens[-1]):
                tokens[-1] += token  # «71 а» is house 71а
            else:
                tokens.append(token)
        kind = next((token for token in tokens if token in STREET_KINDS), None)
        houses = [token for token in tokens if _HOUSE.match(token)]
        house = houses[-1] if houses else None
        words = tuple(token for token in tokens if token not in STREET_KINDS and token not in _NOISE
                      and token != house)
        return cls(kind, house, words)


class AddressIndex:
    """Streets by settlement, read from venue addresses; finds typed addresses among them."""

    def __init__(self, venues: list[tuple[str, float, float]]):
        self.streets: dict[tuple[str, ...], dict[tuple[str, ...], list[Street]]] = defaultdict(dict)
        collected: dict[tuple[tuple[str, ...], tuple[str, ...], str], list[KnownHouse]] = defaultdict(list)
        labels: dict[tuple[tuple[str, ...], tuple[str, ...], str], str] = {}
        for address, lat, lon in venues:
            settlements, street, house = [], None, None
            for part in address_parts(address):
                if part.kind in STREET_KINDS:
                    street = part
                elif part.name[:1].isdigit() and (part.kind in ("", "д")):
                    house = house or _house_key(part.name)
                elif part.kind in SETTLEMENT_KINDS and part.name:
                    settlements.append(part)
            if street is None or not settlements:
                continue
            street_words = tuple(canonical_tokens(street.name))
            for settlement in settlements:
                key = (tuple(canonical_tokens(settlement.name)), street_words, street.kind)
                collected[key].append(KnownHouse(house or "", lat, lon, address))
                labels[key] = f"{_written(street.kind)} {street.name}, {_written(settlement.kind)} {settlement.name}"
        for (settlement, words, kind), houses in collected.items():
            self.streets[settlement].setdefault(words, []).append(Street(kind, labels[settlement, words, kind],
                                                                         tuple(houses)))
        # Longest names first, so «Ленинск-Кузнецкий» is not read as a street of «Ленинск».
        self._settlements = sorted(self.streets, key=len, reverse=True)

    def _settlement_in(self, words: tuple[str, ...]) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
        """The settlement named among the words (as a run of words) and the words left for the street."""
        for settlement in self._settlements:
            size = len(settlement)
            for start in range(len(words) - size + 1):
                if words[start:start + size] == settlement:
                    return settlement, words[:start] + words[start + size:]
        return None, words

    def _streets(self, settlement: tuple[str, ...] | None, words: tuple[str, ...]) -> list[Street]:
        places = [settlement] if settlement else self._settlements
        wanted = sorted(words)
        return [street for place in places for name, streets in self.streets[place].items()
                if name == words or sorted(name) == wanted for street in streets]

    def find(self, text: str) -> FoundAddress | None:
        """The building or street the text names, or None when the catalogue does not know the street."""
        typed = Typed.read(text)
        settlement, street_words = self._settlement_in(typed.words)
        if not street_words:
            return None
        streets = self._streets(settlement, street_words)
        if typed.kind and any(street.kind == typed.kind for street in streets):
            streets = [street for street in streets if street.kind == typed.kind]
        if typed.house:
            with_house = [s for s in streets if any(h.house == typed.house for h in s.houses)]
            if len(with_house) == 1:
                house = next(h for h in with_house[0].houses if h.house == typed.house)
                return FoundAddress(house.lat, house.lon, "building", house.address)
        if len(streets) != 1:  # unknown, or the same street name in several settlements with nothing to choose
            return None
        return _on_street(streets[0], typed.house)


def _on_street(street: Street, house: str | None) -> FoundAddress:
    """A point on a known street: the known house with the nearest number, else the one nearest the middle."""
    houses = street.houses
    if house:
        chosen = min(houses, key=lambda known: abs(_number(known.house) - _number(house)))
    else:
        lat = sum(known.lat for known in houses) / len(houses)
        lon = sum(known.lon for known in houses) / len(houses)
        chosen = min(houses, key=lambda known: (known.lat - lat) ** 2 + (known.lon - lon) ** 2)
    return FoundAddress(chosen.lat, chosen.lon, "street", street.label)


_cache: dict[str, tuple[tuple, AddressIndex]] = {}
_lock = threading.Lock()


def address_index(session: Session) -> AddressIndex:
    """The index of the session's database, rebuilt only when its venues changed."""
    state = tuple(session.execute(select(func.count(Venue.id), func.max(Venue.id), func.sum(Venue.lat),
                                         func.sum(Venue.lon))).one())
    database = str(session.get_bind().url)
    with _lock:
        cached = _cache.get(database)
        if cached is not None and cached[0] == state:
            return cached[1]
    rows = session.execute(select(Venue.address, Venue.lat, Venue.lon).where(
        Venue.lat.is_not(None), Venue.precision == "building")).all()
    index = AddressIndex([(address, lat, lon) for address, lat, lon in rows])
    with _lock:
        _cache[database] = (state, index)
    return index
