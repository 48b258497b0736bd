"""Where rows come from: a CSV (UTF-8 or Windows-1251, comma, semicolon or tab) or an XLSX sheet.

Each reader streams: it yields one row at a time, so a 100,000-row file is never held whole. It
says what it detected (encoding, delimiter, sheet) so a wrong guess can be seen and overridden.
A reader of another format (HSDS, say) only has to return a Source of rows under our column names
and register itself in READERS; everything after — mapping, validation, the report — is shared.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from navigator.catalogue.importer.issues import ImportRejected, RowError

ENCODING_NAMES = {"utf-8-sig": "UTF-8 с BOM", "utf-8": "UTF-8", "cp1251": "Windows-1251"}
DELIMITER_NAMES = {",": "запятая", ";": "точка с запятой", "\t": "табуляция"}
CHUNK_BYTES = 1 << 20


@dataclass
class Source:
    """A file's header and a stream of (line, fields); `detected` says how it was read."""

    name: str
    checksum: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    detected: str
    close: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class SourceOptions:
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def file_checksum_and_encoding(path: Path) -> tuple[str, str]:
    """The file's SHA-256 and its encoding: UTF-8 (with or without BOM) if it decodes, else Windows-1251.

    One pass over the bytes in chunks: an incremental strict decoder finds a non-UTF-8 byte
    anywhere in the file without holding it. Windows-1251 is the other encoding Russian Excel saves.
    """
    digest, decoder, utf8, first = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            first = first or chunk[:3]
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    encoding = ("utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8") if utf8 else "cp1251"
    return digest.hexdigest(), encoding


def read_csv(path: Path, options: SourceOptions) -> Source:
    """A CSV file; encoding and delimiter detected unless given."""
    checksum, encoding = file_checksum_and_encoding(path)
    how = "задана" if options.encoding else "определена"
    encoding = options.encoding or encoding
    try:
        with open(path, encoding=encoding, newline="") as handle:
            first_line = handle.readline()
    except (UnicodeDecodeError, LookupError):
        raise ImportRejected([RowError(1, None, f"файл не читается в кодировке {encoding}")]) from None
    delimiter = {"tab": "\t", "\\t": "\t"}.get(options.delimiter or "", options.delimiter)
    delimiter = delimiter or max(DELIMITER_NAMES, key=first_line.count)
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    detected = (f"кодировка {ENCODING_NAMES.get(encoding, encoding)} ({how}), разделитель "
                f"«{DELIMITER_NAMES.get(delimiter, delimiter)}» ({'задан' if options.delimiter else 'определён'})")
    return Source(path.name, checksum, header, _csv_rows(path, delimiter, encoding), detected)


def _csv_rows(path: Path, delimiter: str, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header with the line each starts on (a quoted field may span lines)."""
    with open(path, encoding=encoding, newline="") as handle:
        line = 2
        try:
            handle.readline()
            reader = csv.reader(handle, delimiter=delimiter)
            for fields in reader:
                start, line = line, reader.line_num + 2
                yield start, fields
        except UnicodeDecodeError:
            raise ImportRejected([RowError(line, None, f"файл не читается в кодировке {encoding}; "
                                           "укажите другую (--encoding)")]) from None
        except csv.Error as problem:  # a field over the csv module's 128 KiB limit, say
            raise ImportRejected([RowError(line, None, f"строка не читается как CSV ({problem})")]) from None


def read_xlsx(path: Path, options: SourceOptions) -> Source:
    """The first sheet of an .xlsx workbook (or the one named), read with openpyxl's streaming mode.

    The sheet's own `<dimension>` is ignored: openpyxl would otherwise make every row as wide as it
    claims and fill in every row up to it (A1:XFD1048576 is a billion cells). Whatever openpyxl cannot
    read — malformed XML, a cell reference or a shared-string index that does not exist — is an error
    on the line it stopped at, never an exception (a provider's upload is checked before, by xlsx_guard).
    """
    import openpyxl  # only an .xlsx import pays for loading it

    checksum, _ = file_checksum_and_encoding(path)
    handle = open(path, "rb")  # noqa: SIM115 — the Source's close closes it (openpyxl leaves one it failed to read)

    def close() -> None:
        workbook.close()
        handle.close()

    try:
        # keep_links=False: the cached copies of other workbooks are never read
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
    except Exception as problem:  # openpyxl raises several kinds for a file that is not a workbook
        handle.close()
        raise ImportRejected([RowError(1, None, unreadable_workbook(problem, path))]) from None
    if options.sheet is not None and options.sheet not in workbook.sheetnames:
        close()
        raise ImportRejected([RowError(1, None, f"в книге нет листа «{options.sheet}»; есть: "
                                       + ", ".join(workbook.sheetnames))])
    try:
        sheet = workbook[options.sheet] if options.sheet else workbook.worksheets[0]
        getattr(sheet, "reset_dimensions", lambda: None)()  # rows as wide as their cells, and no further
        rows = _sheet_rows(sheet, path)
        header = next(rows, (1, []))[1]
    except ImportRejected:
        close()
        raise
    except Exception as problem:  # no worksheet at all (only chart sheets), say
        close()
        raise ImportRejected([RowError(1, None, unreadable_workbook(problem, path))]) from None
    while header and not header[-1].strip():
        header.pop()
    return Source(path.name, checksum, header, _fitted(rows, len(header)), f"книга Excel, лист «{sheet.title}»",
                  close)


def _sheet_rows(sheet, path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, cells as text) for each row of the sheet; a row openpyxl cannot read ends the file as an error."""
    values = iter(sheet.iter_rows(values_only=True))
    line = 0
    while True:
        try:
            cells = next(values, None)
        except Exception as problem:  # ParseError, IndexError, ValueError, KeyError: whatever the XML makes it raise
            raise ImportRejected([RowError(line + 1, None, unreadable_workbook(problem, path))]) from None
        if cells is None:
            return
        line += 1
        yield line, [_cell_text(value) for value in cells]


def unreadable_workbook(problem: BaseException, path: Path) -> str:
    """The message for a workbook openpyxl cannot read: ours in Russian, then its reason, without the server's path."""
    cause = problem.__cause__ or problem  # openpyxl wraps the parser's error in one that names the file
    detail = (str(cause).strip().splitlines() or [type(cause).__name__])[0].replace(str(path), path.name)[:200]
    return ("файл не читается как книга Excel .xlsx: книга повреждена или записана не так, как её записывает Excel "
            f"({type(cause).__name__}: {detail}). Сохраните книгу в Excel заново или как CSV")


def _fitted(rows: Iterator[tuple[int, list[str]]], width: int) -> Iterator[tuple[int, list[str]]]:
    """Rows as wide as the header: a sheet's rows run to its widest cell, padded or with empty cells past it."""
    for line, cells in rows:
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]
        yield line, cells + [""] * (width - len(cells))


def _cell_text(value) -> str:
    """A cell as the text a CSV would hold: whole floats without «.0», dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


Reader = Callable[[Path, SourceOptions], Source]
# Readers by format name; a file's format is its suffix unless `--format` names one.
READERS: dict[str, Reader] = {"csv": read_csv, "xlsx": read_xlsx}


def open_source(path: Path, options: SourceOptions, format: str | None = None) -> Source:
    """The reader for the format (or the file's suffix; anything unknown is read as CSV)."""
    name = format or path.suffix.lower().lstrip(".")
    reader = READERS.get(name)
    if reader is None and format is not None:
        raise ImportRejected([RowError(1, None, f"неизвестный формат {format}; известны: {', '.join(READERS)}")])
    return (reader or read_csv)(path, options)
