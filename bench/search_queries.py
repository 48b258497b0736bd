"""The mixed set of searches that bench/search.py times: what parents type and click, in fixed proportions.

Each query is (kind, parameters of /api/v1/programs). The set is drawn from a seeded random generator,
so two runs time the same searches.
"""

from __future__ import annotations

import random

from navigator.search.analysis import switch_layout

# Word forms as parents type them: the noun in another case, the adjective, the plural.
ONE_WORD = ("шахматы", "шахматам", "шахматный", "танцев", "танцы", "робототехнике", "робототехника", "рисование",
            "рисованию", "плаванием", "футбол", "футбольная", "вокалу", "английскому", "программированию",
            "хореография", "лего", "python", "scratch", "театральная", "керамика", "баскетбол", "волейбола",
            "журналистика", "туризм", "экологии", "изо", "гимнастика", "бокс", "астрономия", "химии", "ёлочка",
            "кванториум", "точка", "борьба", "самбо", "пение", "моделирование", "лыжи", "шашкам")
TWO_WORDS = ("шахматы для начинающих", "народный танец", "английский язык", "спортивный туризм", "хоровое пение",
             "настольный теннис", "лего конструирование", "3d моделирование", "подготовка к школе",
             "кружок рисования", "секция футбола", "эстрадный вокал", "юный художник", "финансовая грамотность",
             "современные танцы", "школа шахмат", "военно-патриотический клуб", "театральная студия",
             "программирование python", "робототехника lego")
# One wrong letter in a word of 5+ letters.
TYPOS = ("робатотехника", "хареография", "шахмоты", "валейбол", "баскитбол", "програмирование", "журналистеке",
         "керамека", "гимнасттика", "астраномия", "футбаол", "хореографея")
LAYOUT_WORDS = ("шахматы", "футбол", "танцы", "робототехника", "вокал", "рисование", "плавание", "театр")
CITIES = ((55.3547, 86.0873), (53.7574, 87.1360), (53.8840, 86.7500), (54.4200, 86.3000), (53.6867, 88.0703),
          (54.6600, 86.1700), (55.7150, 84.8900))
SORTS_WITHOUT_TEXT = ("title", "rating", "price", "updated", "age")

#: Share of each kind in the mixed set.
MIX = (("one word", 18), ("two words", 10), ("typo", 6), ("wrong layout", 5), ("text+age+direction", 12),
       ("filters, by title", 14), ("filters, other sort", 6), ("near+radius", 10), ("text+near", 5),
       ("page 2-10", 8), ("nothing found", 3), ("everything", 3))


def mixed_queries(count: int, municipalities: list[dict], directions: list[str], seed: int = 7) -> list[tuple]:
    """count searches of every kind in MIX, shuffled."""
    rng = random.Random(seed)
    weights = [weight for _kind, weight in MIX]
    kinds = rng.choices([kind for kind, _weight in MIX], weights=weights, k=count)
    queries = [(kind, _params(kind, rng, municipalities, directions)) for kind in kinds]
    return queries


def _filters(rng: random.Random, municipalities: list[dict], directions: list[str]) -> dict:
    params: dict = {}
    if rng.random() < 0.6:
        params["direction"] = rng.sample(directions, rng.choice((1, 1, 2)))
    if rng.random() < 0.5:
        params["age"] = str(rng.randint(5, 16))
    if rng.random() < 0.4:
        municipality = rng.choice(municipalities)
        params["municipality"] = str(municipality["id"])
        if municipality["districts"] and rng.random() < 0.4:
            params["district"] = str(rng.choice(municipality["districts"])["id"])
    if rng.random() < 0.3:
        params["enrollment"] = rng.choice(("free", "certificate", "paid", "free,certificate"))
    if rng.random() < 0.15:
        params["price_max"] = str(rng.choice((1000, 2000, 3000)))
    if rng.random() < 0.1:
        params["ovz"] = rng.choice(("any", "mental_delay", "hearing"))
    if rng.random() < 0.1:
        params["format"] = "online"
    if rng.random() < 0.2:
        params["free_seats"] = "1"
    return params or {"direction": rng.choice(directions)}


def _near(rng: random.Random) -> dict:
    lat, lon = rng.choice(CITIES)
    return {"near": f"{lat + rng.uniform(-0.03, 0.03):.5f},{lon + rng.uniform(-0.03, 0.03):.5f}",
            "radius_km": str(rng.choice((1, 2, 3, 5, 10, 20)))}


def _params(kind: str, rng: random.Random, municipalities: list[dict], directions: list[str]) -> dict:
    if kind == "one word":
        return {"q": rng.choice(ONE_WORD)}
    if kind == "two words":
        return {"q": rng.choice(TWO_WORDS)}
    if kind == "typo":
        return {"q": rng.choice(TYPOS)}
    if kind == "wrong layout":
        return {"q": switch_layout(rng.choice(LAYOUT_WORDS))}
    if kind == "text+age+direction":
        return {"q": rng.choice(ONE_WORD + TWO_WORDS), "age": str(rng.randint(5, 16)),
                "direction": rng.choice(directions)}
    if kind == "filters, by title":
        return dict(_filters(rng, municipalities, directions), sort="title")
    if kind == "filters, other sort":
        return dict(_filters(rng, municipalities, directions), sort=rng.choice(SORTS_WITHOUT_TEXT))
    if kind == "near+radius":
        params = _near(rng)
        if rng.random() < 0.5:
            params["age"] = str(rng.randint(5, 16))
        return params
    if kind == "text+near":
        return dict(_near(rng), q=rng.choice(ONE_WORD))
    if kind == "page 2-10":
        base = {"q": rng.choice(ONE_WORD)} if rng.random() < 0.5 else _filters(rng, municipalities, directions)
        return dict(base, page=str(rng.randint(2, 10)))
    if kind == "nothing found":
        return {"q": rng.choice(("квиддич", "парусный спорт", "гольф для малышей"))}
    return {}
