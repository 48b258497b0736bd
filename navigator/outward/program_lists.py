"""Search results as a spreadsheet: every matching program in the columns of the import format.

The programs are those of the one search answer (navigator.search.answer) for the list's query string, so a
list holds what the search page and the API find, in the same order. The columns and their text are those
of data/programs.csv (navigator.catalogue.program_rows), so a school or a municipality can edit the file and
import it back; exporting and importing again changes nothing.
"""

from __future__ import annotations

from navigator.catalogue.program_rows import program_row
from navigator.catalogue.spreadsheet import Table
from navigator.catalogue.validation import COLUMNS
from navigator.search import SearchResult

#: Most programs in one file (documented in docs/api.md); X-Total-Count tells how many matched.
EXPORT_MAX_ROWS = 20_000


def program_table(result: SearchResult) -> Table:
    """A search's programs (loaded whole), in its order, as a table with the import format's columns."""
    return Table("Программы", {column: column for column in COLUMNS}, [program_row(hit.program) for hit in result.hits])
