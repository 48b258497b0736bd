"""Word forms with and without analysis: what each way of reducing words finds, and what it costs.

    .venv/bin/python bench/search_analysis.py [INDEX_DIR] [--rows 5600]

For groups of forms that parents type for one topic, prints how many programs of the index each form
finds as typed (the unstemmed `spelling` field), by its Snowball stem alone, and through the site's
matching (stem, fleeting vowel, root prefix, one typo); then which forms share a Snowball stem and which
share a pymorphy3 lemma (only if pymorphy3 is installed: it is not a dependency), and the time per new
word form of each. Give it any `navigator reindex` folder; without one, it builds a sample catalogue of
--rows programs in a temporary folder (as bench/pages.py does) and reads its index.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import Stemmer  # noqa: E402
from whoosh.lang.snowball.russian import RussianStemmer  # noqa: E402
from whoosh.query import Or, Term  # noqa: E402

from navigator.catalogue.vocab import fold  # noqa: E402
from navigator.search.analysis import stem  # noqa: E402
from navigator.search.columns import Columns  # noqa: E402
from navigator.search.index import open_live  # noqa: E402
from navigator.search.text import Synonyms, match_text  # noqa: E402

CYRILLIC = re.compile("[а-я]+")
GROUPS = (
    ("шахматы", "шахматам", "шахматах", "шахматный", "шахматист"),
    ("танцы", "танцев", "танец", "танцевальный", "танцам"),
    ("робототехника", "робототехнике", "робототехникой", "роботы"),
    ("рисование", "рисованию", "рисовать", "рисунок"),
    ("хореография", "хореографии", "хореографический"),
    ("футбол", "футбола", "футбольный"),
    ("плавание", "плаванию", "плавать", "пловцы"),
    ("театр", "театра", "театральный"),
    ("вокал", "вокалу", "вокальный"),
    ("английский", "английскому", "английского"),
)


def _lemmatizer():
    try:
        import pymorphy3
    except ImportError:
        return None
    morph = pymorphy3.MorphAnalyzer()
    return lambda word: morph.parse(word)[0].normal_form


def counts(searcher, columns, word: str) -> tuple[int, int, int]:
    """Programs found by the form as typed, by its stem alone, and by the site's matching."""
    typed = len(searcher.search(Term("spelling", fold(word)), limit=None))
    stemmed = len(searcher.search(Or([Term("heading", stem(fold(word))), Term("body", stem(fold(word)))]),
                                  limit=None))
    site = int(np.count_nonzero(match_text(searcher, columns, word, Synonyms([])).mask))
    return typed, stemmed, site


def per_word_us(reduce, words: list[str]) -> float:
    started = time.perf_counter()
    for word in words:
        reduce(word)
    return (time.perf_counter() - started) / len(words) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", nargs="?", type=Path, help="an index folder (default: build a sample)")
    parser.add_argument("--rows", type=int, default=5600, help="programs of the sample built without INDEX_DIR")
    arguments = parser.parse_args()
    if arguments.index_dir:
        report(arguments.index_dir)
        return
    from pages import build_app  # bench/pages.py, beside this script

    with tempfile.TemporaryDirectory(prefix="navigator-bench-analysis-") as folder:
        build_app(Path(folder), arguments.rows)
        report(Path(folder) / "index")


def report(index_dir: Path) -> None:
    """Print the tables for the index in index_dir."""
    searcher = open_live(index_dir).searcher()
    columns = Columns(searcher, {})
    lemma = _lemmatizer()
    print(f"index: {searcher.doc_count()} programs")
    print(f"{'form':<18}{'as typed':>9}{'stem':>7}{'site':>7}  {'Snowball':<16}{'pymorphy3' if lemma else ''}")
    for group in GROUPS:
        for word in group:
            typed, stemmed, site = counts(searcher, columns, word)
            print(f"{word:<18}{typed:>9}{stemmed:>7}{site:>7}  {stem(fold(word)):<16}{lemma(word) if lemma else ''}")
        stems = {stem(fold(word)) for word in group}
        lemmas = {lemma(word) for word in group} if lemma else set()
        print(f"{'':<18}{'':>23}  {len(stems)} stem(s){'':<7}{f'{len(lemmas)} lemma(s)' if lemma else ''}")
    vocabulary = [word for word in map(bytes.decode, searcher.lexicon("spelling")) if CYRILLIC.fullmatch(word)]
    snowball = Stemmer.Stemmer("russian")
    pure_python = RussianStemmer()
    same = sum(snowball.stemWord(word) == pure_python.stem(word) for word in vocabulary)
    print(f"the index's {len(vocabulary)} Cyrillic word forms: PyStemmer and Whoosh's own Snowball stemmer agree on "
          f"{same}; time per new form: PyStemmer {per_word_us(snowball.stemWord, vocabulary):.2f} µs, "
          f"Whoosh's {per_word_us(pure_python.stem, vocabulary):.1f} µs", end="")
    print(f", pymorphy3 {per_word_us(lemma, vocabulary):.1f} µs" if lemma else " (pymorphy3 not installed)")
    searcher.close()


if __name__ == "__main__":
    main()
