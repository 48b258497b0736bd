"""Russian text analysis shared by indexing and querying, so both reduce words the same way.

Words are lower-cased with ё folded into е, hyphenated words are indexed both as their parts and
joined («естественно-научный» → естественн, научн, естественнонаучн), and each word is reduced to
its Snowball stem — Russian for Cyrillic words, English for Latin ones (LEGO, Python, Scratch).
Snowball through PyStemmer (C) gives the same stems as Whoosh's pure-Python stemmer at ~1/70 of
the cost; dictionary lemmas (pymorphy) were not needed for the word forms parents type — see
docs/search.md for the measurements.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from whoosh.analysis import Token, Tokenizer

WORD = re.compile(r"[0-9a-zа-я]+(?:-[0-9a-zа-я]+)*")
CYRILLIC = re.compile(r"[а-я]")

SHORT_WORD = 3  # stemming «изо» to «из» would make it match the preposition

_russian = Stemmer.Stemmer("russian")
_english = Stemmer.Stemmer("english")


def _letters(text: str) -> str:
    """Lower case with ё as е, spacing untouched (token offsets must match the text); whole values are
    compared with navigator.catalogue.vocab.fold instead."""
    return text.lower().replace("ё", "е")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of one folded word; numbers and short words (ИЗО, IT) stay as they are."""
    if word.isdigit() or len(word) <= SHORT_WORD:
        return word
    return (_russian if CYRILLIC.search(word) else _english).stemWord(word)


#: Spellings Russians mix in borrowed words, made one: «рэп»/«реп», «йога»/«иога» (э as е; й before a
#: vowel at the start of a word as и). Applied to indexed and typed words alike.
_SPELLINGS = ((re.compile("э"), "е"), (re.compile(r"^й(?=[аеиоуыюя])"), "и"))


def _one_spelling(word: str) -> str:
    for pattern, replacement in _SPELLINGS:
        word = pattern.sub(replacement, word)
    return word


def words(text: str) -> list[str]:
    """Folded words of text; a hyphenated word gives its parts and the parts joined."""
    found = []
    for match in WORD.finditer(_letters(text)):
        word = _one_spelling(match.group())
        if "-" in word:
            parts = word.split("-")
            found.extend(parts)
            found.append("".join(parts))
        else:
            found.append(word)
    return found


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


class RussianTokenizer(Tokenizer):
    """Whoosh tokenizer yielding stems (or plain folded words for the spelling field)."""

    def __init__(self, stemming: bool = True):
        self.stemming = stemming

    def __eq__(self, other):
        return isinstance(other, RussianTokenizer) and other.stemming == self.stemming

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, word in enumerate(words(value), start=start_pos):
            token.text = stem(word) if self.stemming else word
            token.stopped = False
            token.boost = 1.0
            if positions:
                token.pos = position
            yield token


# Words that carry no topic in a parent's query («кружок по шахматам для детей»).
STOP_WORDS = frozenset({
    "и", "в", "во", "на", "по", "для", "с", "со", "к", "ко", "от", "до", "а", "о", "об", "у", "за", "при",
    "или", "не", "же", "ли", "бы", "как", "что", "где", "мой", "моя", "наш", "лет", "год", "года", "годам",
    "летний", "летняя", "детей", "дети", "детский", "детская", "ребенка", "ребенку", "ребенок", "кружок",
    "кружки", "кружка", "секция", "секции", "секцию", "занятия", "занятие",
})

_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYRILLIC_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"


def _key_map(source: str, target: str) -> dict[int, str]:
    pairs = dict(zip(source, target, strict=True))
    pairs.update({a.upper(): b.upper() for a, b in zip(source, target, strict=True) if a.isalpha() and b.isalpha()})
    return str.maketrans(pairs)


_TO_CYRILLIC = _key_map(_LATIN_KEYS, _CYRILLIC_KEYS)
_TO_LATIN = _key_map(_CYRILLIC_KEYS, _LATIN_KEYS)


def query_words(text: str) -> list[str]:
    """The words of a query that can match a program: folded, without stop words."""
    return [word for word in words(text) if word not in STOP_WORDS]


def switch_layout(text: str) -> str | None:
    """Text as meant when typed in the other keyboard layout («if[vfns» → «шахматы»), or None."""
    if re.search(r"[a-zA-Z]", text) and not CYRILLIC.search(_letters(text)):
        return text.translate(_TO_CYRILLIC)
    if CYRILLIC.search(_letters(text)) and not re.search(r"[a-zA-Z]", text):
        return text.translate(_TO_LATIN)
    return None
