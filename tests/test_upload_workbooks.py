"""A provider's XLSX upload through the HTTP client: a workbook round-trips; a hostile one is refused, with a
message, before openpyxl opens it (zip bombs, macros, external links, DTDs, a file that is not a zip, a sheet
larger than it looks, a broken one); the row limit holds however the file is written (CSV line ends too).

The hostile workbooks are generated here part by part (tests.factories.raw_xlsx): no binary fixtures."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import func, select

from navigator.accounts.models import Account, ProgramRevision
from navigator.accounts.provider_upload import store_upload
from navigator.catalogue.importer import xlsx_guard
from navigator.catalogue.models import Program
from navigator.catalogue.validation import COLUMNS
from navigator.extensions import database
from tests.cabinet import (
    ORG_A,
    post,
)
from tests.factories import make_row, raw_xlsx, write_csv, write_xlsx

HYPERLINK = '=HYPERLINK("https://evil.example/d","Район")'


def _upload(client, data: bytes, name: str = "programs.xlsx"):
    return post(client, "/provider/upload", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _workbook(tmp_path, rows=None) -> bytes:
    rows = rows or [make_row(5, program_id="a5", title="Керамика", direction="Художественная", **ORG_A)]
    return write_xlsx(tmp_path / "programs.xlsx", rows).read_bytes()


def _with_parts(data: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None,
                compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook with parts added or replaced, as a hostile tool would write it."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


def _revisions(session) -> int:
    return session.scalar(select(func.count()).select_from(ProgramRevision))


def test_a_workbook_is_previewed_then_submitted_like_a_csv(provider, session, tmp_path):
    answer = _upload(provider, _workbook(tmp_path))
    assert answer.status_code == 302
    preview = provider.get(answer.headers["Location"]).get_data(as_text=True)
    assert "книга Excel, лист «Программы»" in preview and "новых программ: <strong>1</strong>" in preview
    assert _revisions(session) == 0
    assert post(provider, answer.headers["Location"] + "/confirm").status_code == 302
    revision = session.scalar(select(ProgramRevision))
    assert (revision.public_id, revision.record["title"], revision.state) == ("a5", "Керамика", "pending")
    assert provider.get(answer.headers["Location"]).status_code == 404  # the stored workbook is gone


def test_the_sites_own_workbook_of_an_organization_comes_back_unchanged(app, provider, session):
    exported = provider.get("/api/v1/programs.xlsx", query_string={"organization": "oA"})
    assert exported.status_code == 200
    preview = provider.get(_upload(provider, exported.data).headers["Location"]).get_data(as_text=True)
    assert "Ошибок нет" in preview and "без изменений: 2" in preview
    assert re.search(r"новых программ: <strong>0</strong>.*изменённых: <strong>0</strong>", preview, re.S)


def test_formulas_in_a_workbook_are_never_computed(app, provider, session, tmp_path):
    """A text cell «=…» stays text; a real formula cell gives only the value Excel saved, never a computed one."""
    app.config["MODERATION"] = False
    path = tmp_path / "formulas.xlsx"
    row = make_row(5, program_id="a5", title=HYPERLINK, **ORG_A)
    columns = list(row)
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False}) as book:
        sheet = book.add_worksheet()
        for column, name in enumerate(columns):
            sheet.write_string(0, column, name)
            sheet.write_string(1, column, row[name])
        sheet.write_formula(1, columns.index("schedule"), '=CONCATENATE("Пн ","10:00")', None, "сохранено Excel")
        sheet.write_formula(1, columns.index("teacher"), '=1+1')  # XlsxWriter saves 0 as its value: not 2
    answer = _upload(provider, path.read_bytes())
    post(provider, answer.headers["Location"] + "/confirm")
    program = session.scalar(select(Program).where(Program.public_id == "a5"))
    assert (program.title, program.schedule, program.teacher) == (HYPERLINK, "сохранено Excel", "0")


HOSTILE = {
    "bomb": (lambda data: _with_parts(data, {"xl/media/image1.png": b"\0" * (xlsx_guard.MAX_UNPACKED_BYTES + 1)}),
             "zip-бомб"),
    "ratio": (lambda data: _with_parts(data, {"xl/media/image1.png": b"\0" * (2 * xlsx_guard.RATIO_FROM_BYTES)}),
              "zip-бомб"),
    "macros": (lambda data: _with_parts(data, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}), "макросы"),
    "macro sheet": (lambda data: _with_parts(data, {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}), "макросы"),
    "external link part": (lambda data: _with_parts(data, {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
                           "связи с другими файлами"),
    "external relationship": (lambda data: _with_parts(data, {"xl/worksheets/_rels/sheet1.xml.rels": (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'oleObject" Target="file:///C:/secret.xlsx" TargetMode="External"/></Relationships>')}),
        "связи с другими файлами"),
    "entities": (lambda data: _with_parts(data, {}, {"xl/sharedStrings.xml": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')}),
        "DTD"),
    "not a zip": (lambda data: "program_id,title\na5,Керамика\n".encode(), "не является книгой Excel"),
    "old excel": (lambda data: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "старого формата Excel .xls"),
    "another zip": (lambda data: _zip({"word/document.xml": b"<w:document/>"}), "не является книгой Excel"),
    "damaged": (lambda data: data[: len(data) // 2], "повреждён"),
    "external relationship in UTF-16": (lambda data: _with_parts(data, {"xl/worksheets/_rels/sheet1.xml.rels": (
        '<?xml version="1.0" encoding="UTF-16"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/oleObject" Target="file:///C:/secret.xlsx" TargetMode="External"/></Relationships>'
    ).encode("utf-16")}), "связи с другими файлами"),
    "entities in UTF-16": (lambda data: _with_parts(data, {}, {"xl/sharedStrings.xml": (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE sst [<!ENTITY lol "lol">]><sst xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol;</t></si></sst>').encode("utf-16")}), "DTD"),
    "too many parts": (lambda data: _with_parts(data, {f"xl/media/{n}.txt": b"" for n in range(1001)}),
                       "слишком много частей"),
}


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_workbook_is_refused_with_a_message_before_it_is_opened(app, provider, session, tmp_path,
                                                                         monkeypatch, kind):
    import openpyxl

    make, message = HOSTILE[kind]
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl opened the file"))
    answer = _upload(provider, make(_workbook(tmp_path)))
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert _revisions(session) == 0 and not any(Path(app.instance_path, "uploads").glob("*.xlsx"))


def test_a_workbook_with_web_links_in_cells_is_accepted(provider, tmp_path):
    """Excel turns every typed web address into a hyperlink: an external relationship that is allowed."""
    path = tmp_path / "links.xlsx"
    row = make_row(5, program_id="a5", program_url="https://a.example.org/ceramics", **ORG_A)
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        for column, name in enumerate(row):
            sheet.write_string(0, column, name)
            sheet.write_string(1, column, row[name])
        sheet.write_url(1, list(row).index("program_url"), row["program_url"])
    answer = _upload(provider, path.read_bytes())
    assert answer.status_code == 302
    assert "новых программ: <strong>1</strong>" in provider.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_workbook_with_too_many_rows_is_refused(app, provider, tmp_path):
    app.config["UPLOAD_MAX_ROWS"] = 3
    rows = [make_row(n, program_id=f"a{n}", **ORG_A) for n in range(10, 15)]
    answer = _upload(provider, _workbook(tmp_path, rows))
    assert answer.status_code == 422 and "больше 3 строк" in answer.get_data(as_text=True)
    app.config["UPLOAD_MAX_ROWS"] = 5
    assert _upload(provider, _workbook(tmp_path, rows)).status_code == 302


def test_a_directory_that_understates_a_parts_size_ends_as_a_damaged_file(tmp_path):
    """zipfile inflates no more than the declared size and then checks the CRC, so a lie cannot get past."""
    data = bytearray(_with_parts(_workbook(tmp_path), {"xl/media/image1.png": b"\0" * 5_000_000}))
    entry = data.rindex(b"xl/media/image1.png") - 46  # its record in the central directory, after the parts
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = struct.pack("<I", 1000)  # uncompressed size: 1,000 bytes, it says
    assert "повреждён" in xlsx_guard.workbook_problem(bytes(data), 2000)


def _programs(count: int = 1, **raw) -> bytes:
    """A workbook of organization A's programs a10, a11, … written part by part (see tests.factories.raw_xlsx)."""
    rows = [make_row(n, program_id=f"a{n}", **ORG_A) for n in range(10, 10 + count)]
    return raw_xlsx([list(COLUMNS)] + [[row.get(column, "") for column in COLUMNS] for row in rows], **raw)


def _row(number: int, cell: str = "A") -> str:
    return f'<row r="{number}"><c r="{cell}{number}" t="s"><v>0</v></c></row>'


def _never_opened(monkeypatch) -> None:
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl opened the file"))


# Finding 1 of issue 23: openpyxl believed <dimension> and filled every missing row as wide as it (16.5 s a preview
# for the 3,000-row variant; the 1,048,576-row one held a worker until it was killed), and the old guard counted
# only <row> elements (three here).
OVERSIZED = {
    "dimension A1:XFD1048576 and a row numbered 1048576": (
        dict(dimension="A1:XFD1048576", tail=_row(1_048_576)), "строка № 1\u00a0048\u00a0576"),
    "the 3,000-row variant": (dict(dimension="A1:XFD3000", tail=_row(3000)), "строка № 3\u00a0000"),
    "a row numbered 1048576 without a dimension": (dict(tail=_row(1_048_576)), "строка № 1\u00a0048\u00a0576"),
    "a cell in column XFD": (dict(tail=_row(3, "XFD")), "столбец № 16\u00a0384"),
    "a row of 20,000 cells without references": (dict(tail='<row r="3">' + '<c t="s"><v>0</v></c>' * 20_000 + "</row>"),
                                                  f"столбец № {xlsx_guard.MAX_COLUMNS + 1}"),
}


@pytest.mark.parametrize("kind", OVERSIZED)
def test_a_sheet_larger_than_the_upload_allows_is_refused_before_it_is_read(app, provider, monkeypatch, kind):
    raw, message = OVERSIZED[kind]
    _never_opened(monkeypatch)
    answer = _upload(provider, _programs(**raw))
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert not any(Path(app.instance_path, "uploads").glob("*.xlsx"))


def test_a_sheets_dimension_is_never_believed(app, provider):
    """The 6 KB workbook of finding 1 without its far row: openpyxl would have made each row 16,384 cells wide.
    The reader ignores <dimension> (LibreOffice writes forms such as 1:233), so the upload is an ordinary one."""
    answer = _upload(provider, _programs(dimension="A1:XFD1048576"))
    assert answer.status_code == 302
    assert "новых программ: <strong>1</strong>" in provider.get(answer.headers["Location"]).get_data(as_text=True)


def _replaced(data: bytes, name: str, text: str) -> bytes:
    return _with_parts(data, {}, {name: text.encode()})


LIMITED = {  # each limit lowered to a test's size (xlsx_guard's constant, its value here), the workbook, the message
    "cells": ("CELLS_PER_ROW", 30, lambda: _programs(2), "больше 90 ячеек"),  # 3 rows of 31
    "shared strings": ("MAX_SHARED_STRINGS", 10, lambda: _programs(), "больше 10 разных текстов"),
    "shared strings' size": ("MAX_SHARED_STRINGS_BYTES", 1000, lambda: _programs(), "Тексты книги занимают больше"),
    "another XML part": ("MAX_XML_PART_BYTES", 2000, lambda: _with_parts(_programs(), {
        "xl/styles.xml": b"<styleSheet>" + b"<x/>" * 1000 + b"</styleSheet>"}), "«xl/styles.xml» слишком велика"),
    "time": ("SECONDS", -1.0, lambda: _programs(), "проверяется дольше"),
}


@pytest.mark.parametrize("kind", LIMITED)
def test_the_guard_bounds_everything_openpyxl_would_read(app, provider, monkeypatch, kind):
    constant, value, make, message = LIMITED[kind]
    app.config["UPLOAD_MAX_ROWS"] = 2
    _never_opened(monkeypatch)
    monkeypatch.setattr(xlsx_guard, constant, value)
    answer = _upload(provider, make())
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)


@pytest.mark.parametrize("change, message", [
    (lambda data: _replaced(data, "xl/workbook.xml", (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="П" sheetId="1" r:id="rId1"/>'
        '</sheets><externalReferences><externalReference r:id="rId7"/></externalReferences></workbook>')),
     "связи с другими файлами"),
    (lambda data: _replaced(data, "xl/workbook.xml", (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="П" sheetId="1" r:id="rId5"/>'
        "</sheets></workbook>")), "ни на что не ссылается"),
    (lambda data: _replaced(data, "[Content_Types].xml", (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/strings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>')), "нет части «xl/strings.xml»"),
    (lambda data: _programs(tail='<row r="3"><c r="A3" s="1.5"><v>1</v></c></row>'), "стиль ячейки «1.5»"),
    (lambda data: _programs(tail='<row r="x3"/>'), "номер строки «x3»"),
], ids=["an external reference in the workbook", "a sheet without its relationship",
        "shared strings that are not there", "a style that is not a number", "a row number that is not one"])
def test_a_package_that_does_not_hold_together_is_refused(provider, monkeypatch, change, message):
    _never_opened(monkeypatch)
    answer = _upload(provider, change(_programs()))
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)


# Finding 5: the row limit was bypassed by a UTF-16 sheet and by a sheet stored outside xl/worksheets/ (its
# <row> tags were not counted) — the guard finds each sheet through the package's relationships and parses it.
@pytest.mark.parametrize("stored", [
    dict(encoding="utf-16"), dict(sheet_path="xl/data/rows.xml"), dict(sheet_path="hidden/sheet.bin"),
    dict(sheet_path="docProps/rows.xml", encoding="utf-16"),
], ids=["UTF-16", "outside xl/worksheets", "outside xl/ as .bin", "outside and UTF-16"])
def test_the_row_limit_holds_wherever_and_however_the_sheet_is_stored(app, provider, stored):
    app.config["UPLOAD_MAX_ROWS"] = 3
    answer = _upload(provider, _programs(5, **stored))
    assert answer.status_code == 422 and "больше 3 строк" in answer.get_data(as_text=True)
    app.config["UPLOAD_MAX_ROWS"] = 5
    answer = _upload(provider, _programs(5, **stored))
    assert answer.status_code == 302
    assert "новых программ: <strong>5</strong>" in provider.get(answer.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["CR (2,600 rows previewed before)", "CRLF", "LF"])
def test_the_row_limit_counts_csv_lines_however_they_end(app, provider, tmp_path, newline):
    app.config["UPLOAD_MAX_ROWS"] = 3
    rows = [make_row(n, program_id=f"a{n}", **ORG_A) for n in range(10, 15)]
    data = write_csv(tmp_path / "long.csv", rows, newline=newline).read_bytes()
    answer = _upload(provider, data, "long.csv")
    assert answer.status_code == 422 and "около 5 строк" in answer.get_data(as_text=True)


# Finding 6: workbooks that passed the guard and made the preview answer 500 until cancelled.
BROKEN = {
    "UTF-16 sheet with a DOCTYPE": (
        dict(encoding="utf-16", prolog='<!DOCTYPE worksheet [<!ENTITY x "y">]>', dimension="A1:AC3"), "DTD"),
    "malformed sheet XML": (dict(dimension="A1:AC3", tail='<row r="3"><c r="A3"><v>1</v></row>'),
                            "не читается как XML"),
    "shared-string index 99999": (dict(dimension="A1:AC3", tail='<row r="3"><c r="A3" t="s"><v>99999</v></c></row>'),
                                  "ссылается на текст № 99999"),
    "cell reference ZZZZ3": (dict(dimension="A1:AC3", tail=_row(3, "ZZZZ")), "«ZZZZ3»"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_workbook_is_refused_with_a_message_at_the_upload(app, provider, monkeypatch, kind):
    raw, message = BROKEN[kind]
    _never_opened(monkeypatch)
    answer = _upload(provider, _programs(**raw))
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)


@pytest.mark.parametrize("kind", [*BROKEN, *OVERSIZED])
def test_a_stored_broken_upload_never_breaks_its_preview(app, provider, session, kind):
    """A file stored before these checks existed: its preview and confirmation explain, never 500, and it can be
    cancelled."""
    raw, message = {**BROKEN, **OVERSIZED}[kind]
    with database(app).session_factory() as accounts:
        account_id = accounts.scalar(select(Account.id).where(Account.email == "school@example.org"))
    token = store_upload(Path(app.instance_path, "uploads"), account_id, _programs(**raw), "programs.xlsx", False)
    for _ in range(2):
        preview = provider.get(f"/provider/upload/{token}")
        assert preview.status_code == 200 and message in preview.get_data(as_text=True)
    confirmed = post(provider, f"/provider/upload/{token}/confirm")
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith(f"/provider/upload/{token}")
    assert _revisions(session) == 0
    assert post(provider, f"/provider/upload/{token}/cancel").status_code == 302
    assert provider.get(f"/provider/upload/{token}").status_code == 404
