"""Search: Russian full-text search in Whoosh with exact filters, facets and distances.

This package is the only code that knows Whoosh. The database is the source of truth; the index
is a cache rebuilt by `navigator reindex` and kept in step after every commit that changes programs
(navigator.catalogue.changes). Whoosh holds the words: its term dictionary expands a query word's forms and typos
and its posting lists say where each term is (navigator.search.text); matching and BM25F scoring add
those lists up as numpy arrays (navigator.search.scoring). Filters, facet counts, distances and sorting
run over numpy arrays of each document's stored filter row (navigator.search.columns); the page of
programs is then read from the database. docs/search.md explains the design and its measurements.
"""

from __future__ import annotations

from navigator.search.engine import FacetCount, Hit, MapPoint, SearchResult, run_search
from navigator.search.index import IndexUnavailable, index_status, rebuild
from navigator.search.request import SORTS, BadRequest, SearchRequest, parse_request
from navigator.search.service import SearchIndex
from navigator.search.text import Synonyms

__all__ = ["SORTS", "BadRequest", "FacetCount", "Hit", "IndexUnavailable", "MapPoint", "SearchIndex",
           "SearchRequest", "SearchResult", "Synonyms", "index_status", "parse_request", "rebuild", "run_search"]
