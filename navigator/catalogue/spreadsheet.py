"""Text that a spreadsheet must not take for a formula (CSV injection), and back.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (and, after a tab or a
carriage return, whatever follows) as a formula: `=HYPERLINK("https://evil.example", "Район")` in a
district's name would become a live link in a municipal officer's export. OWASP's advice, followed
here: such text is written with a leading apostrophe in CSV (a spreadsheet shows the text as typed) and
as a string cell in XLSX; the importer strips that apostrophe again, so export → import changes nothing.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """The text with an apostrophe in front when a spreadsheet would read it as a formula (or when the
    text itself starts with such an apostrophe, so that formula_restored gives it back unchanged)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def formula_restored(text: str) -> str:
    """Undo formula_safe: the apostrophe it added goes, any other apostrophe stays."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text
