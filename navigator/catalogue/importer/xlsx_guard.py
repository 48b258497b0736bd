"""Checks on an uploaded .xlsx before openpyxl opens it: the zip's declared sizes, its parts, its rows.

An .xlsx is a zip of XML parts, and openpyxl trusts it: a zip bomb would be inflated in memory, a
DTD could expand entities, and the cached values of external links or the parts of macros would be
read as if the provider had typed them. So a file from outside is read here first with zipfile alone:
the central directory's declared sizes and compression ratios are checked before anything is
inflated; then every part is inflated in chunks (zipfile stops at a part's declared size and checks
its CRC, so a lying directory ends as a damaged file), looking for DTDs and counting sheet rows.
The limits are constants documented in docs/security.md; the row limit is the upload's setting.
"""

from __future__ import annotations

import io
import re
import zipfile

MAX_PARTS = 1_000  # Excel writes about 15 for one sheet; hundreds mean something else
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all parts together; 2,000 rows of programs take a few megabytes
MAX_RATIO = 100  # a part's unpacked / packed size; a deflate bomb reaches about 1,000
RATIO_FROM_BYTES = 1024 * 1024  # smaller parts may compress better without harm
CHUNK_BYTES = 64 * 1024

# Parts that hold macros (VBA, Excel 4.0 macro sheets, ActiveX controls) and links to other files.
MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|^xl/(macrosheets|activeX)/", re.IGNORECASE)
EXTERNAL_LINK_PARTS = re.compile(r"^xl/externalLinks/", re.IGNORECASE)
# A relationship to something outside the file; only a cell's hyperlink may point outside
# (Excel turns every typed web address into one).
EXTERNAL_TARGET = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*\bTargetMode\s*=\s*[\"']External[\"'][^>]*>")
HYPERLINK_TYPE = re.compile(rb"\bType\s*=\s*[\"'][^\"']*/hyperlink[\"']")
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
ZIP_MAGIC = b"PK\x03\x04"

NOT_A_WORKBOOK = "Файл не является книгой Excel .xlsx. Сохраните его в Excel как «Книга Excel (*.xlsx)» или как CSV."
OLD_EXCEL = ("Книги старого формата Excel .xls (97–2003) и книги, защищённые паролем, не принимаются. Сохраните "
             "книгу без пароля как «Книга Excel (*.xlsx)» или как CSV.")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls (and of an encrypted .xlsx)


def looks_like_xlsx(data: bytes, file_name: str) -> bool:
    """Whether the upload is meant as a workbook: by its name (.xlsx, .xlsm, .xls) or its zip or OLE signature."""
    return file_name.lower().endswith((".xlsx", ".xlsm", ".xltx", ".xltm", ".xls")) or \
        data.startswith((ZIP_MAGIC, OLE_MAGIC))


def workbook_problem(data: bytes, max_rows: int) -> str | None:
    """Why the workbook is refused (in Russian, for the provider), or None when openpyxl may open it."""
    if data.startswith(OLE_MAGIC):
        return OLD_EXCEL
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            return _directory_problem(parts) or _content_problem(archive, parts, max_rows)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
        return NOT_A_WORKBOOK if not data.startswith(ZIP_MAGIC) else (
            "Файл повреждён: архив книги Excel не читается. Сохраните книгу в Excel заново.")


def _directory_problem(parts: list[zipfile.ZipInfo]) -> str | None:
    """What the zip's directory alone shows: too many parts, sizes of a zip bomb, macros, external links."""
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        return NOT_A_WORKBOOK
    if len(parts) > MAX_PARTS:
        return f"В книге слишком много частей ({len(parts)}); такой файл не принимается."
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES or any(
            part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1)
            for part in parts):
        return ("Книга Excel распаковывается в слишком большой объём (так выглядит «zip-бомба»); такой файл не "
                f"принимается. Допустимо до {MAX_UNPACKED_BYTES // 2**20} МБ в распакованном виде — "
                "разделите файл на части или сохраните как CSV.")
    if any(part.flag_bits & 0x1 for part in parts):
        return "Книга защищена паролем; сохраните её без пароля."
    if any(part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for part in parts):
        return "Архив книги сжат необычным способом; сохраните книгу в Excel заново."
    if any(MACRO_PARTS.search(name) for name in names):
        return ("В книге есть макросы; книги с макросами не принимаются. Сохраните её как «Книга Excel (*.xlsx)» "
                "без макросов или как CSV.")
    if any(EXTERNAL_LINK_PARTS.search(name) for name in names):
        return _EXTERNAL_LINKS
    return None


_EXTERNAL_LINKS = ("В книге есть связи с другими файлами (внешние ссылки); такие книги не принимаются. "
                   "Замените формулы значениями («Данные» → «Изменить связи» → «Разорвать связь») или сохраните "
                   "как CSV.")


def _content_problem(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], max_rows: int) -> str | None:
    """Inflate every part in chunks: DTDs refused, external relationships refused, rows of the sheets counted."""
    most_rows = 0
    for part in parts:
        rows, found = _scan(archive, part)
        if found == "dtd":
            return "В книге есть объявления DTD (так не сохраняет ни одна программа); такой файл не принимается."
        if found == "external":
            return _EXTERNAL_LINKS
        most_rows = max(most_rows, rows)
    if most_rows - 1 > max_rows:
        return (f"На листе около {most_rows - 1:,} строк, а за один раз можно загрузить не больше {max_rows:,}. "
                "Разделите файл на части.").replace(",", "\u00a0")
    return None


def _scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[int, str | None]:
    """(rows if a sheet, what was found: "dtd", "external" or None), reading the part a chunk at a time."""
    sheet, relationships = SHEET_PART.search(part.filename), part.filename.lower().endswith(".rels")
    rows, tail, whole = 0, b"", b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            window = tail + chunk
            if DTD.search(window):
                return rows, "dtd"
            if sheet:
                rows += len(ROW_TAG.findall(window)) - len(ROW_TAG.findall(tail))
            if relationships:
                whole += chunk  # a relationships part is small: bounded by the sizes checked above
            tail = window[-16:]
    if relationships and any(not HYPERLINK_TYPE.search(tag) for tag in EXTERNAL_TARGET.findall(whole)):
        return rows, "external"
    return rows, None
