"""A full build's one Whoosh segment, written in bulk: the same files Whoosh's writer makes, at a fraction of its cost.

Whoosh's writer handles every posting several times in pure Python: the field's format counts the
tokens of each document, the posting pool sorts every posting (on disk, in runs), and the codec looks
each document's field length up again for every posting it writes — about 1.9 ms of CPU per program,
three minutes at 100,000 programs. A full build knows everything up front, so this module:

- turns each distinct word into a term number once (a dictionary that remembers every word it has
  stemmed: program texts repeat the same few thousand words), so a document costs one regular
  expression and a dictionary look-up per word;
- keeps each field's tokens as two flat integer arrays (term, document) and counts them with one
  numpy sort per field, which gives the postings already in the order the codec wants them;
- hands the codec whole blocks of postings (ids, weights and frequencies prepared with numpy) and lets
  Whoosh's own block writer encode them, so the files are Whoosh's format, bit for bit
  (tests/test_search_bulk.py compares them with what Whoosh's writer makes).

Stored fields and field lengths go through Whoosh's per-document writer as usual. The same pass
returns each document's filter row, which navigator.search.columns saves beside the segment.
The schema's analyzers must be navigator.search.analysis.RussianTokenizer (heading and body
stemmed, spelling unstemmed) and the id field an ID: make_schema() in navigator.search.index.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable

import numpy as np

from navigator.search.analysis import stem, words

TEXT_FIELDS = ("body", "heading", "spelling")  # Whoosh writes fields in name order; "id" comes between


class _Vocabulary(dict):
    """Word → term number; a word seen for the first time gets the next number (its term text is kept)."""

    def __init__(self, stemming: bool, terms: dict[str, int]):
        super().__init__()
        self.stemming = stemming
        self.terms = terms  # term text → number, shared by the fields that stem alike

    def __missing__(self, word: str) -> int:
        term = stem(word) if self.stemming else word
        number = self.terms.setdefault(term, len(self.terms))
        self[word] = number
        return number


class _FieldTokens:
    """Every token of one field in the build: its term number and its document number."""

    def __init__(self):
        self.terms = array("i")
        self.docs = array("i")
        self.lengths = array("i")

    def add(self, docnum: int, numbers: list[int]) -> None:
        self.terms.extend(numbers)
        self.docs.extend([docnum] * len(numbers))
        self.lengths.append(len(numbers))


def write_segment(writer, documents: Iterable[dict],
                  progress: Callable[..., Iterable] = lambda items, **_: items) -> list[tuple]:
    """Add every document (navigator.search.documents) to the new segment of the empty SegmentWriter `writer`;
    return their filter rows, in document number order. `progress` wraps the fields' posting lists as they
    are written (the caller's progress bar wraps the documents).

    The caller commits the writer (which closes the segment and writes the table of contents). Documents
    are numbered in the order given.
    """
    stems: dict[str, int] = {}
    vocabularies = {"body": _Vocabulary(True, stems), "heading": _Vocabulary(True, stems)}
    vocabularies["spelling"] = _Vocabulary(False, {})
    tokens = {name: _FieldTokens() for name in TEXT_FIELDS}
    ids: list[str] = []
    rows: list[tuple] = []
    perdoc, schema = writer.perdocwriter, writer.schema
    for docnum, document in enumerate(documents):
        heading, body = words(document["heading"]), words(document["body"])
        for name, found in (("heading", heading), ("body", body), ("spelling", heading + body)):
            tokens[name].add(docnum, list(map(vocabularies[name].__getitem__, found)))
        ids.append(document["id"])
        rows.append(document["row"])
        perdoc.start_doc(docnum)
        perdoc.add_field("body", schema["body"], None, tokens["body"].lengths[-1])
        perdoc.add_field("heading", schema["heading"], None, tokens["heading"].lengths[-1])
        perdoc.add_field("id", schema["id"], document["id"], 0)
        perdoc.add_field("row", schema["row"], document["row"], 0)
        perdoc.add_field("spelling", schema["spelling"], None, tokens["spelling"].lengths[-1])
        perdoc.finish_doc()
    writer.docnum = len(ids)
    writer._added = True
    fields = writer.fieldwriter
    for name in progress(("body", "heading", "id", "spelling"), desc="Writing postings", unit=" fields"):
        if name == "id":
            _write_ids(fields, schema["id"], ids)
        else:
            _write_field(fields, name, schema[name], vocabularies[name].terms, tokens.pop(name))
    return rows


def _write_field(fields, name: str, fieldobj, terms: dict[str, int], tokens: _FieldTokens) -> None:
    """Postings of one text field: each term's documents with their frequencies, in term then document order."""
    texts = list(terms)
    encoded = [text.encode("utf-8") for text in texts]
    by_rank = sorted(range(len(texts)), key=encoded.__getitem__)  # UTF-8 byte order, as Whoosh sorts terms
    rank = np.empty(len(texts), dtype=np.int64)
    rank[by_rank] = np.arange(len(texts))
    documents = len(tokens.lengths)
    keys = rank[np.frombuffer(tokens.terms, dtype=np.int32)] * documents + np.frombuffer(tokens.docs, dtype=np.int32)
    tokens.terms, tokens.docs = array("i"), array("i")
    keys, frequencies = np.unique(keys, return_counts=True)
    term_ranks, docnums = np.divmod(keys, documents)
    del keys
    postings = _Postings(docnums, frequencies, frequencies * fieldobj.format.field_boost,
                         np.frombuffer(tokens.lengths, dtype=np.int32)[docnums])
    starts = np.flatnonzero(np.diff(term_ranks, prepend=-1))
    ends = np.append(starts[1:], len(term_ranks))[:len(starts)]  # no term (an empty catalogue): no list
    fields.start_field(name, fieldobj)
    for term_rank, start, end in zip(term_ranks[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        fields.start_term(encoded[by_rank[term_rank]])
        postings.write(fields._postwriter, start, end)
        fields.finish_term()
    fields.finish_field()


class _Postings:
    """A field's postings in term order, in the types Whoosh's block encoder keeps (ids uint32, weights float32,
    frequencies as big-endian uint32: its pack_uint)."""

    def __init__(self, docnums: np.ndarray, frequencies: np.ndarray | None, weights: np.ndarray, lengths: np.ndarray):
        self.ids = docnums.astype(np.uint32)
        self.weights = weights.astype(np.float32)
        self.values = None if frequencies is None else frequencies.astype(">u4")
        self.lengths = lengths.astype(np.int64)

    def write(self, writer, start: int, end: int) -> None:
        """Postings start:end as one term's posting list, block by block, through Whoosh's own block encoder."""
        limit = writer._blocklimit
        for first in range(start, end, limit):
            last = min(first + limit, end)
            lengths = self.lengths[first:last]
            writer._ids = array("I", self.ids[first:last].tobytes())
            writer._weights = array("f", self.weights[first:last].tobytes())
            writer._values = [] if self.values is None else [self.values[first:last].tobytes()]
            positive = lengths[lengths > 0]
            writer._minlength = int(positive.min()) if len(positive) else None
            writer._maxlength = int(lengths.max())
            writer._maxweight = float(self.weights[first:last].max())
            writer._write_block(last=last == end)


def _write_ids(fields, fieldobj, ids: list[str]) -> None:
    """The unique id field: one posting of weight 1 per document, no frequencies and no length (an ID)."""
    fields.start_field("id", fieldobj)
    writer = None
    for docnum, text in sorted(enumerate(ids), key=lambda item: item[1].encode("utf-8")):
        fields.start_term(text.encode("utf-8"))
        writer = fields._postwriter
        writer._ids, writer._weights, writer._values = array("I", [docnum]), array("f", [1.0]), []
        writer._minlength, writer._maxlength, writer._maxweight = None, 0, 1.0
        writer._write_block(last=True)
        fields.finish_term()
    fields.finish_field()
