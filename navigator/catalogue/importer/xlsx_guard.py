"""Checks on an uploaded .xlsx before openpyxl opens it: the zip's declared sizes, its parts, what will be read.

An .xlsx is a zip of XML parts, and openpyxl trusts it: a zip bomb would be inflated in memory, a
DTD could expand entities, the cached values of external links or the parts of macros would be
read as if the provider had typed them, and a sheet may say anything about its own size (a
`<dimension>` of A1:XFD1048576 and one row numbered 1,048,576 made openpyxl fill in a billion empty
cells). So a file from outside is read here first with the standard library alone (zipfile and
expat, directly or through ElementTree; no DTD ever processed):

1. the central directory: declared sizes and compression ratios, before anything is inflated;
2. every part, in chunks (zipfile stops at a part's declared size and checks its CRC, so a lying
   directory ends as a damaged file): no DTD in any XML part whatever its encoding, no relationship
   to anything outside the file but a cell's hyperlink;
3. what openpyxl will read, found as openpyxl finds it — the workbook part and the shared strings
   through `[Content_Types].xml`, each sheet through the workbook's relationships, wherever the
   package stores it (not only under xl/worksheets/): the shared strings' count and size; each
   sheet's rows (how many and the highest number), columns, cells, cell references and
   shared-string indexes; every other XML part openpyxl parses whole, bounded in size; the whole
   check bounded in time.

The limits are constants documented in docs/security.md; the row limit is the upload's setting. The
reader then never believes a sheet's `<dimension>` and reads with a row and a time budget
(navigator.catalogue.importer.sources and reading), so what passes here bounds what it reads.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.parsers import expat

MAX_PARTS = 1_000  # Excel writes about 15 for one sheet; hundreds mean something else
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all parts together; 2,000 rows of programs take a few megabytes
MAX_RATIO = 100  # a part's unpacked / packed size; a deflate bomb reaches about 1,000
RATIO_FROM_BYTES = 1024 * 1024  # smaller parts may compress better without harm
CHUNK_BYTES = 64 * 1024
MAX_COLUMNS = 256  # the last column a sheet may reach (IV, Excel 2003's limit); data/programs.csv has 30
CELLS_PER_ROW = 64  # cells a sheet may have: this many a row on average (data/programs.csv has 30 columns)
MAX_SHARED_STRINGS = 100_000  # 2,000 rows of 30 columns hold at most 60,000 different texts
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024  # the shared strings' part (2,000 long descriptions take 8 MB)
MAX_XML_PART_BYTES = 5 * 1024 * 1024  # any other XML part openpyxl parses whole: styles, workbook, relationships
SECONDS = 5.0  # the whole check; a 2,000-row workbook of 30 columns takes about 0.25 s

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
SHARED_STRINGS = f"{SPREADSHEET}.sharedStrings+xml"
# Element names as expat gives them with namespace_separator="}"
_ROW, _VALUE, _SHARED_STRING = (f"{MAIN_NS}}}{name}" for name in ("row", "v", "si"))
# Where openpyxl looks for the workbook part, in its order (openpyxl.reader.excel._find_workbook_part).
WORKBOOK_TYPES = ("application/vnd.ms-excel.template.macroEnabled.main+xml",
                  "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                  f"{SPREADSHEET}.template.main+xml", f"{SPREADSHEET}.sheet.main+xml")

# Parts that hold macros (VBA, Excel 4.0 macro sheets, ActiveX controls) and links to other files.
MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|^xl/(macrosheets|activeX)/", re.IGNORECASE)
EXTERNAL_LINK_PARTS = re.compile(r"^xl/externalLinks/", re.IGNORECASE)
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})[1-9][0-9]{0,6}")  # a cell's r as Excel writes it: no $, upper case
DIGITS = re.compile(r"[0-9]{1,10}")
LAST_COLUMN = 16_384  # XFD
ZIP_MAGIC = b"PK\x03\x04"

NOT_A_WORKBOOK = "Файл не является книгой Excel .xlsx. Сохраните его в Excel как «Книга Excel (*.xlsx)» или как CSV."
OLD_EXCEL = ("Книги старого формата Excel .xls (97–2003) и книги, защищённые паролем, не принимаются. Сохраните "
             "книгу без пароля как «Книга Excel (*.xlsx)» или как CSV.")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls (and of an encrypted .xlsx)
RESAVE = "Сохраните книгу в Excel заново (или как CSV) и загрузите снова."
_EXTERNAL_LINKS = ("В книге есть связи с другими файлами (внешние ссылки); такие книги не принимаются. "
                   "Замените формулы значениями («Данные» → «Изменить связи» → «Разорвать связь») или сохраните "
                   "как CSV.")
_DTD = "В книге есть объявления DTD (так не сохраняет ни одна программа); такой файл не принимается."


class Refused(Exception):
    """Why the workbook is refused, in Russian for the provider."""


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
            problem = _directory_problem(parts)
            if problem is None:
                _Check(archive, max_rows).run()
            return problem
    except Refused as refused:
        return str(refused)
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
    if len(names) < len(parts):  # zipfile and openpyxl would read the last of the namesakes, a check the first
        return "Файл повреждён: в архиве книги две части с одним именем. " + RESAVE
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


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


class _StopParsing(Exception):
    """Raised from an expat handler once the parse has seen what it needed."""


@dataclass
class _Relationship:
    type: str
    target: str
    external: bool


@dataclass
class _Sheet:
    name: str
    part: str


@dataclass
class _Package:
    """What openpyxl will read, found as openpyxl finds it."""

    workbook: str = "xl/workbook.xml"
    shared_strings: str | None = None
    sheets: list[_Sheet] = field(default_factory=list)


class _Check:
    """One workbook's check, part by part, within SECONDS."""

    def __init__(self, archive: zipfile.ZipFile, max_rows: int):
        self.archive, self.max_rows = archive, max_rows
        self.names = set(archive.namelist())
        self.deadline = time.monotonic() + SECONDS
        self.content_types: dict[str, str] = {}

    def run(self) -> None:
        for part in self.archive.infolist():  # first, so that no part parsed below has a DTD
            self._prolog(part.filename)
        for part in self.archive.infolist():
            if part.filename.lower().endswith(".rels"):
                self._relationships(part.filename)
        package = self._package()
        inspected = {package.workbook, *(sheet.part for sheet in package.sheets)}
        strings = 0
        if package.shared_strings is not None:
            strings = self._shared_strings(package.shared_strings)
            inspected.add(package.shared_strings)
        for part in self.archive.infolist():
            if part.filename not in inspected and part.file_size > MAX_XML_PART_BYTES and self._is_xml(part.filename):
                raise Refused(f"Часть книги «{part.filename}» слишком велика ({part.file_size / 2**20:.1f} МБ; "
                              f"допустимо до {MAX_XML_PART_BYTES // 2**20} МБ). " + RESAVE)
        for sheet in package.sheets:
            _SheetCheck(self, sheet, strings).run()

    def in_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise Refused(f"Книга проверяется дольше {SECONDS:.0f} с; так долго не проверяется ни одна книга "
                          "обычного размера. " + RESAVE)

    def _prolog(self, name: str) -> None:
        """A DTD can only come before the root element: expat reads up to it, whatever the encoding (UTF-16
        too), and any DOCTYPE or ENTITY is refused. A part that is not XML (an image) simply fails to parse:
        openpyxl will not parse it either."""
        def root(*_arguments):
            raise _StopParsing

        def dtd(*_arguments):
            raise Refused(_DTD)

        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = dtd
        parser.StartElementHandler = root
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    self.in_time()
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except (_StopParsing, expat.ExpatError):
            pass

    def elements(self, name: str) -> Iterator[ElementTree.Element]:
        """A part's elements as each ends, parsed a chunk at a time as openpyxl parses it (ElementTree's
        iterparse; the part has no DTD, see _prolog); malformed XML is a damaged file."""
        if name not in self.names:
            raise Refused(f"Файл повреждён: в книге нет части «{name}», на которую она ссылается. " + RESAVE)
        parser: ElementTree.XMLPullParser = ElementTree.XMLPullParser(events=("end",))
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    self.in_time()
                    parser.feed(chunk)
                    yield from _ended(parser)
            parser.close()
            yield from _ended(parser)
        except ElementTree.ParseError as problem:
            raise Refused(f"Файл повреждён: часть книги «{name}» не читается как XML (ошибка XML "
                          f"«{expat.ErrorString(problem.code)}»). " + RESAVE) from None

    def _relationships(self, name: str) -> dict[str, _Relationship]:
        """A relationships part's entries by id, their targets resolved as openpyxl resolves them
        (openpyxl.packaging.relationship.get_dependents); one to outside the file is refused unless a hyperlink."""
        self._bounded(name)
        found: dict[str, _Relationship] = {}
        parent = posixpath.dirname(posixpath.dirname(name))
        for element in self.elements(name):
            if _local(element.tag) != "Relationship":
                continue
            kind, target = element.get("Type", ""), element.get("Target", "")
            external = element.get("TargetMode") == "External"
            if external and not kind.endswith("/hyperlink"):
                raise Refused(_EXTERNAL_LINKS)
            if not external:
                target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
            found[element.get("Id", "")] = _Relationship(kind, target, external)
        return found

    def _bounded(self, name: str) -> None:
        if name in self.names and self.archive.getinfo(name).file_size > MAX_XML_PART_BYTES:
            raise Refused(f"Часть книги «{name}» слишком велика; такой файл не принимается. " + RESAVE)

    def _is_xml(self, name: str) -> bool:
        return name.lower().endswith((".xml", ".rels")) or "xml" in self.content_types.get(name, "")

    def _package(self) -> _Package:
        """The workbook part, the shared strings and the sheets openpyxl will read (openpyxl.reader.excel)."""
        self._bounded("[Content_Types].xml")
        overrides: list[tuple[str, str]] = []
        defaults: set[str] = set()
        for element in self.elements("[Content_Types].xml"):
            if _local(element.tag) == "Override":
                overrides.append((element.get("PartName", "").removeprefix("/"), element.get("ContentType", "")))
            elif _local(element.tag) == "Default":
                defaults.add(element.get("ContentType", ""))
        self.content_types = dict(reversed(overrides))
        package = _Package()
        workbook = next((part for kind in WORKBOOK_TYPES for part, given in overrides if given == kind), None)
        if workbook is None and not defaults & set(WORKBOOK_TYPES):
            raise Refused(NOT_A_WORKBOOK)
        package.workbook = workbook or package.workbook
        package.shared_strings = next((part for part, kind in overrides if kind == SHARED_STRINGS), None)
        rels_part = posixpath.join(posixpath.dirname(package.workbook), "_rels",
                                   posixpath.basename(package.workbook) + ".rels")
        relationships = self._relationships(rels_part) if rels_part in self.names else {}
        self._bounded(package.workbook)
        listed: list[tuple[str, str]] = []
        for element in self.elements(package.workbook):
            relationship_id = element.get(f"{{{RELATIONSHIPS_NS}}}id")
            if _local(element.tag) == "sheet" and relationship_id:
                listed.append((element.get("name", ""), relationship_id))
            elif _local(element.tag) == "externalReference":
                raise Refused(_EXTERNAL_LINKS)
        for name, relationship_id in listed:
            relationship = relationships.get(relationship_id)
            if relationship is None:
                raise Refused(f"Файл повреждён: лист «{name}» ни на что не ссылается. " + RESAVE)
            if relationship.target in self.names and "chartsheet" not in relationship.type:
                package.sheets.append(_Sheet(name, relationship.target))
        return package

    def _shared_strings(self, name: str) -> int:
        """How many shared strings openpyxl will hold (its `si` elements), refused beyond the limits."""
        if name in self.names and self.archive.getinfo(name).file_size > MAX_SHARED_STRINGS_BYTES:
            raise Refused(f"Тексты книги занимают больше {MAX_SHARED_STRINGS_BYTES // 2**20} МБ; такой файл не "
                          "принимается. Разделите файл на части или сохраните как CSV.")
        count = 0

        def start(tag, _attributes):
            nonlocal count
            if tag == _SHARED_STRING:
                count += 1

        def enough() -> None:
            if count > MAX_SHARED_STRINGS:
                raise Refused(f"В книге больше {_number(MAX_SHARED_STRINGS)} разных текстов; такой файл не "
                              "принимается. Разделите файл на части или сохраните как CSV.")

        self.stream(name, lambda parser: setattr(parser, "StartElementHandler", start), enough)
        return count

    def stream(self, name: str, setup: Callable, after_chunk: Callable[[], None]) -> None:
        """Feed a part to expat a chunk at a time, with the handlers `setup` sets (expat calls Python once an
        element, several times faster than ElementTree's events); the part has no DTD (see _prolog)."""
        if name not in self.names:
            raise Refused(f"Файл повреждён: в книге нет части «{name}», на которую она ссылается. " + RESAVE)
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.buffer_text = True
        setup(parser)
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    self.in_time()
                    parser.Parse(chunk, False)
                    after_chunk()
                parser.Parse(b"", True)
        except expat.ExpatError as problem:
            raise Refused(f"Файл повреждён: часть книги «{name}» не читается как XML (ошибка XML "
                          f"«{expat.ErrorString(problem.code)}»). " + RESAVE) from None
        after_chunk()


class _SheetCheck:
    """One sheet, read as openpyxl's read-only reader reads it (openpyxl.worksheet._reader.WorkSheetParser):
    every `row` element is a row, numbered by its `r` or one past the last; every child of a row is a cell,
    in the column of its `r` or one past the last, and a shared-string cell's value is the text of its first
    `v`. Rows (how many, the highest number), columns, cells, references and shared-string indexes are
    checked; the check stops at the first thing over a limit. The sheet's `<dimension>` is not: the reader
    never believes it (LibreOffice writes forms such as `1:233`), so it costs nothing.
    This is the guard's hot path: about 0.25 s for 2,000 rows of 30 columns."""

    def __init__(self, check: _Check, sheet: _Sheet, strings: int):
        self.check, self.sheet, self.strings = check, sheet, strings
        self.max_rows = check.max_rows + 1  # and the header
        self.max_cells = self.max_rows * CELLS_PER_ROW
        self.max_elements = 4 * (self.max_cells + self.max_rows) + 1_000
        self.rows = self.row = self.column = self.cells = self.elements = self.depth = 0
        self.row_depths: list[int] = []  # rows being read (openpyxl takes a row inside a row for a row as well)
        self.cell_depth = -1  # the depth of a row's children
        self.cell_ref = ""  # the shared-string cell whose value is awaited
        self.value: list[str] | None = None

    def run(self) -> None:
        self.check.stream(self.sheet.part, self._setup, self._within_budget)

    def _setup(self, parser) -> None:
        self.parser = parser
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end

    def _within_budget(self) -> None:
        """After each chunk (64 KB): the counts may overshoot by a chunk's worth, never more."""
        if self.cells > self.max_cells:
            raise Refused(f"На листе «{self.sheet.name}» больше {_number(self.max_cells)} ячеек (в среднем "
                          f"{CELLS_PER_ROW} на строку); такой файл не принимается. Удалите лишние столбцы или "
                          "разделите файл на части.")
        if self.elements > self.max_elements:
            raise Refused(f"Лист «{self.sheet.name}» слишком велик для загрузки; разделите файл на части.")

    def start(self, tag, attributes):
        self.depth += 1
        self.elements += 1
        if self.depth == self.cell_depth:  # a child of a row: a cell (inlined: this runs once a cell)
            self.cells += 1
            ref = attributes.get("r")
            if ref is None:
                self.column += 1
            else:
                match = CELL_REFERENCE.fullmatch(ref)
                self.column = _COLUMNS.get(match[1], 0) if match else 0
                if not self.column:
                    raise Refused(f"Файл повреждён: ячейка с адресом «{ref[:20]}» {self._where()} (строка "
                                  f"{_number(self.row)}) — такого адреса в Excel нет. " + RESAVE)
            if self.column > MAX_COLUMNS:
                raise Refused(f"На листе «{self.sheet.name}» заполнен столбец № {_number(self.column)} (строка "
                              f"{_number(self.row)}), а в загружаемом файле может быть не больше {MAX_COLUMNS} "
                              "столбцов. Удалите пустые столбцы справа от таблицы.")
            style = attributes.get("s")
            if style is not None and not DIGITS.fullmatch(style):
                raise Refused(f"Файл повреждён: стиль ячейки «{style[:20]}» {self._where()}. " + RESAVE)
            if attributes.get("t") == "s":
                self.cell_ref = ref or f"№ {self.column}"
        elif self.cell_ref and tag == _VALUE and self.value is None and self.depth == self.cell_depth + 1:
            self.value = []
            self.parser.CharacterDataHandler = self.value.append
        if tag == _ROW:
            self._row(attributes)

    def end(self, _tag):
        if self.depth == self.cell_depth:
            if self.value is not None:
                self._shared_string(self.cell_ref, "".join(self.value).strip())
                self.value = None
            self.cell_ref = ""
        elif self.value is not None:
            self.parser.CharacterDataHandler = None  # the first value ended; later text is not its
        elif self.row_depths and self.depth == self.row_depths[-1]:
            self.row_depths.pop()
            self.cell_depth = self.row_depths[-1] + 1 if self.row_depths else -1
        self.depth -= 1

    def _where(self) -> str:
        return f"на листе «{self.sheet.name}»"

    def _row(self, attributes) -> None:
        self.rows += 1
        number = attributes.get("r")
        if number is None:
            self.row += 1
        elif DIGITS.fullmatch(number):
            self.row = int(number)
        else:
            raise Refused(f"Файл повреждён: номер строки «{number[:20]}» {self._where()}. " + RESAVE)
        if self.rows > self.max_rows:
            raise Refused(f"На листе «{self.sheet.name}» больше {_number(self.check.max_rows)} строк, а за один раз "
                          f"можно загрузить не больше {_number(self.check.max_rows)}. Разделите файл на части.")
        if self.row > self.max_rows:
            raise Refused(f"На листе «{self.sheet.name}» есть строка № {_number(self.row)}, а за один раз можно "
                          f"загрузить не больше {_number(self.check.max_rows)} строк. Удалите пустые строки под "
                          "таблицей или разделите файл на части.")
        self.row_depths.append(self.depth)
        self.cell_depth, self.column = self.depth + 1, 0

    def _shared_string(self, ref: str, index: str) -> None:
        if index and (not DIGITS.fullmatch(index) or int(index) >= self.strings):
            raise Refused(f"Файл повреждён: ячейка {ref[:20]} {self._where()} ссылается на текст № {index[:20]}, "
                          f"а в книге их {_number(self.strings)}. " + RESAVE)


def _ended(parser: ElementTree.XMLPullParser) -> Iterator[ElementTree.Element]:
    for event in parser.read_events():
        if isinstance(event, tuple) and len(event) == 2 and isinstance(event[1], ElementTree.Element):
            yield event[1]  # ("end", element): the only events asked for


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# Column letters as openpyxl knows them (openpyxl.utils.cell._COL_STRING_CACHE): A … XFD, upper case.
_COLUMNS = {}
for _number_of_column in range(1, LAST_COLUMN + 1):
    _letters, _rest = "", _number_of_column
    while _rest:
        _rest, _remainder = divmod(_rest - 1, 26)
        _letters = chr(65 + _remainder) + _letters
    _COLUMNS[_letters] = _number_of_column
