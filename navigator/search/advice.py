"""Advice for an empty result: which one filter, taken away, brings back the most programs; or the suggested
spelling of the words, searched instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from navigator.catalogue.cards import load_cards
from navigator.search.engine import SearchResult, count_results, run_search
from navigator.search.parameters import PARAMETERS
from navigator.search.request import SearchRequest


@dataclass(frozen=True)
class Advice:
    parameter: str  # the parameter to take away (municipality takes its district with it)
    label: str
    total: int


def loosest_filter(session: Session, index, search: SearchRequest) -> Advice | None:
    """The filter whose removal finds the most programs (None when no filter is set or none helps)."""
    set_filters = [name for name, parameter in PARAMETERS.items()
                   if parameter.narrows and parameter.is_set(getattr(search, parameter.attribute))]
    looser = [search.without(name) for name in set_filters]
    best: Advice | None = None
    for name, total in zip(set_filters, count_results(session, index, looser), strict=True):
        if total and (best is None or total > best.total):
            best = Advice(name, PARAMETERS[name].label, total)
    return best


def suggestion_applied(session: Session, index, search: SearchRequest, result: SearchResult, *,
                       with_points: bool, load: Callable[[Session, list[int]], list] = load_cards) -> SearchResult:
    """When the words found nothing but their suggested spelling finds programs («ахматы» → «шахматы»), those
    programs, marked as a corrected search (the page offers the words as typed); `exact` keeps the words."""
    if result.total or not result.suggestion or search.exact:
        return result
    corrected = run_search(session, index, replace(search, q=result.suggestion), with_points=with_points, load=load)
    if not corrected.total:
        return result
    return replace(corrected, request=search, searched_for=result.suggestion, corrected_from=search.q,
                   suggestion=result.suggestion, typo=True)
