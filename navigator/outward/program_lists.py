"""Search results as a spreadsheet: every matching program in the columns of the import format.

The columns and their text are those of data/programs.csv (navigator.catalogue.program_rows), so a school
or a municipality can edit the file and import it back; exporting and importing again changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from navigator.catalogue.program_rows import program_row
from navigator.catalogue.spreadsheet import Table
from navigator.catalogue.validation import COLUMNS
from navigator.search import SearchRequest, run_search
from navigator.search.engine import load_programs

#: Most programs in one file (documented in docs/api.md); X-Total-Count tells how many matched.
EXPORT_MAX_ROWS = 20_000


def program_table(session: Session, index, request: SearchRequest) -> tuple[Table, int]:
    """The matching programs, in the search's order, as a table with the import format's columns; and the total."""
    result = run_search(session, index, replace(request, page=1, per_page=EXPORT_MAX_ROWS), load=load_programs)
    rows = [program_row(hit.program) for hit in result.hits]
    return Table("Программы", {column: column for column in COLUMNS}, rows), result.total
