"""Addresses as people write them: a cache key that ignores spelling, a query for the geocoder, the settlement named.

«г. Кемерово, ул. Весенняя, 5», «Кемерово город, улица Весенняя 5» and «650000, Кемеровская обл.,
г.Кемерово, ул.Весенняя, д.5» are the same place: they share one key. Nothing here is specific to a
region; the words are the Russian address conventions (ФИАС abbreviations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from navigator.catalogue.vocab import fold

# Canonical abbreviation -> every way of writing it (after folding: lower case, ё as е, no dots).
_SPELLINGS = {
    "г": ("г", "гор", "город"),
    "пгт": ("пгт", "посёлок городского типа"),
    "рп": ("рп", "рабочий посёлок"),
    "пос": ("п", "пос", "посёлок"),
    "с": ("с", "село"),
    "д": ("д", "дер", "деревня", "дом"),
    "ж/р": ("ж/р", "жр", "жилой район"),
    "мкр": ("мкр", "мкрн", "микрорайон"),
    "ул": ("ул", "улица"),
    "пр-кт": ("пр", "пр-т", "пр-кт", "просп", "проспект"),
    "пер": ("пер", "переулок"),
    "б-р": ("б-р", "бул", "бульвар"),
    "пл": ("пл", "площадь"),
    "ш": ("ш", "шоссе"),
    "наб": ("наб", "набережная"),
    "пр-д": ("пр-д", "проезд"),
    "туп": ("туп", "тупик"),
    "стр": ("стр", "строение"),
    "корп": ("корп", "корпус"),
}
_CANONICAL = {fold(spelling): short for short, spellings in _SPELLINGS.items() for spelling in spellings}
_PHRASES = sorted((spelling for spelling in _CANONICAL if " " in spelling), key=len, reverse=True)

#: Settlement kinds as written before a name (the gazetteer's `kind` column uses the canonical forms).
SETTLEMENT_KINDS = frozenset({"г", "пгт", "рп", "пос", "с", "д", "ж/р", "мкр"})
_STREET_WORDS = {"ул": "улица", "пр-кт": "проспект", "пер": "переулок", "б-р": "бульвар", "пл": "площадь",
                 "ш": "шоссе", "наб": "набережная", "пр-д": "проезд", "туп": "тупик"}
# Parts naming the country or a level above the settlement: the municipality is known from the row.
_ABOVE_SETTLEMENT = frozenset({"россия", "рф", "обл", "область", "край", "республика", "респ", "район", "р-н",
                               "округ"})
_POSTCODE = re.compile(r"^\d{6}$")
_TOKEN = re.compile(r"[\w№]+(?:[/-][\w№]+)*")
_HOUSE = re.compile(r"\d+(?:/\d+)?")
# A leading kind word, written with a dot, a space or nothing before the name («г.Кемерово», «пгт Яя»).
_LEADING_KIND = re.compile(r"^(?P<word>[^\W\d_]+(?:[/-][^\W\d_]+)?)(?:\.\s*|\s+)(?P<rest>\S.*)$")
# A trailing one («Кемерово г.», «Весенняя улица»): only with a dot or a street word, so «Красное Село» stays whole.
_TRAILING_KIND = re.compile(r"^(?P<rest>.*\S)\s+(?P<word>[^\W\d_]+(?:[/-][^\W\d_]+)?)(?P<dot>\.?)$")


#: Street kinds as written before a name, canonical (ул, пр-кт, пер …).
STREET_KINDS = frozenset(_STREET_WORDS)


def _canonical_word(word: str) -> str:
    return _CANONICAL.get(word, word)


def canonical_tokens(text: str) -> list[str]:
    """The folded words of a text with every kind word in its canonical form («Улица» → «ул», «ё» → «е»)."""
    return [_canonical_word(token) for token in _TOKEN.findall(_folded(text))]


def address_parts(text: str) -> list[Part]:
    """The comma-separated parts of an address below the region, each split into its kind and name."""
    return [split_part(part) for part in _parts(text)]


def _folded(text: str) -> str:
    """Folded text with the abbreviations of several words («жилой район») made one («ж/р»)."""
    folded = fold(text)
    for phrase in _PHRASES:
        folded = re.sub(rf"\b{phrase}\b", _CANONICAL[phrase], folded)
    return folded


def _parts(text: str) -> list[str]:
    """Comma-separated parts without the postcode and the parts above the settlement."""
    parts = []
    for part in text.split(","):
        part = part.strip()
        tokens = {_canonical_word(token) for token in _TOKEN.findall(_folded(part))}
        if not part or _POSTCODE.match(part) or tokens & _ABOVE_SETTLEMENT or fold(part) == "российская федерация":
            continue
        parts.append(part)
    return parts


def address_key(text: str) -> str:
    """The cache key of an address: the same for every spelling of the same place."""
    tokens: list[str] = []
    for part in map(split_part, _parts(text)):
        for token in [part.kind, *_TOKEN.findall(_folded(part.name))]:
            token = _canonical_word(token)
            if not token:
                continue
            if tokens[-1:] == ["д"] and _HOUSE.match(token):
                tokens[-1] = token  # «д. 5» is house 5
            # «23 А» is house 23А: join a single letter to the number before it.
            elif len(token) == 1 and token.isalpha() and tokens and _HOUSE.fullmatch(tokens[-1]):
                tokens[-1] += token
            else:
                tokens.append(token)
    return " ".join(tokens)


@dataclass(frozen=True)
class Part:
    """One comma-separated part of an address: its leading kind word (canonical, or "") and the rest."""

    kind: str
    name: str


def split_part(part: str) -> Part:
    """«пгт Промышленная» → (пгт, Промышленная); «ул.Весенняя» → (ул, Весенняя); «Кемерово» → ("", Кемерово)."""
    part = re.sub(r"\s+", " ", part.strip())
    for phrase in _PHRASES:
        if fold(part).startswith(phrase + " "):
            return Part(_CANONICAL[phrase], part[len(phrase) + 1:].strip())
    match = _LEADING_KIND.match(part)
    if match and fold(match["word"]) in _CANONICAL:
        return Part(_CANONICAL[fold(match["word"])], match["rest"].strip())
    match = _TRAILING_KIND.match(part)
    kind = _CANONICAL.get(fold(match["word"]), "") if match else ""
    if kind and (match["dot"] or kind in _STREET_WORDS):
        return Part(kind, match["rest"])
    return Part("", part)


def settlement_names(text: str) -> list[str]:
    """Names that may be the settlement, finest first: «г. Кемерово, ж/р Лесная Поляна, ул. …» → Лесная Поляна, …"""
    names = []
    for part in map(split_part, _parts(text)):
        if part.kind in _STREET_WORDS or part.kind in ("стр", "корп") or not part.name:
            continue
        if part.kind == "д" and part.name[0].isdigit():  # «д. 5» is a house, not a village
            continue
        if not part.name[0].isdigit():
            names.append(part.name)
    return names[::-1]


def geocoder_query(text: str) -> str:
    """The address as the online geocoder reads it best: no settlement kinds, street words spelt out."""
    written = []
    for part in map(split_part, _parts(text)):
        if part.kind in SETTLEMENT_KINDS and not (part.kind == "д" and part.name[:1].isdigit()):
            written.append(part.name)
        elif part.kind == "д":
            written.append(part.name)  # «д. 5» → «5»
        elif part.kind in _STREET_WORDS:
            written.append(f"{_STREET_WORDS[part.kind]} {part.name}")
        else:
            written.append(f"{part.kind} {part.name}".strip())
    return ", ".join(written)
