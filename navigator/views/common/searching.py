"""The one search answer (navigator.search.answer) bound to this request's database, index and geocoding."""

from __future__ import annotations

from flask import current_app

from navigator.extensions import db_session, search_index
from navigator.geocoding import Resolution, geocoding_for
from navigator.search.answer import SearchAnswer, answer


def find_place(text: str) -> Resolution | None:
    """Where the «near me» box puts a text: a catalogue address, a settlement, the online geocoder — or None."""
    return geocoding_for(current_app.config).find_place(db_session(), text)


def search_answer(args, *, forgiving: bool, **options) -> SearchAnswer:
    """The answer every format shows: the pages read `args` forgivingly, the API and the lists strictly."""
    return answer(db_session(), search_index(), args, forgiving=forgiving, find_place=find_place, **options)
