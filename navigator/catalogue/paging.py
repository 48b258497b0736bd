"""Pages of a list: the one place that says how many pages a total makes and where a page starts.

The public search and the staff lists both page with it; a page number is checked where it is read
(search parameters, the staff list's `page`) and is a 400 when bad, never silently page 1 — or, on a
provider's own list, page 1 with a notice saying so (`forgiving_page_number`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

#: The largest page number any list accepts (far past the last page of any real list).
MAX_PAGE = 999_999


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill (at least one, so that an empty list still has its page)."""
    return max(1, math.ceil(total / per_page))


def page_offset(page: int, per_page: int) -> int:
    """The index of the first item of a 1-based page."""
    return (page - 1) * per_page


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, how many there are in all, which page and how long a page is."""

    items: Sequence[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def read_page(session, statement, page: int, per_page: int) -> Page:
    """Count the statement's rows and read one page of them (the statement carries its order)."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(session.scalars(statement.limit(per_page).offset(page_offset(page, per_page))))
    return Page(items, total, page, per_page)


def forgiving_page_number(text: str | None) -> tuple[int, str | None]:
    """A page number from a link, as a person's page reads it: a bad one is page 1 and a notice says so."""
    text = (text or "").strip()
    if not text:
        return 1, None
    if re.fullmatch(r"[0-9]{1,6}", text) and 1 <= int(text) <= MAX_PAGE:
        return int(text), None
    return 1, f"Номер страницы «{text[:20]}» не понят: показана первая страница."
