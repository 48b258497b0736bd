"""A provider's XLSX upload through the HTTP client: a workbook round-trips; a hostile one is refused, with a
message, before openpyxl opens it (zip bombs, macros, external links, DTDs, a file that is not a zip)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import func, select

from navigator.accounts.models import ProgramRevision
from navigator.catalogue.importer import xlsx_guard
from navigator.catalogue.models import Program
from tests.cabinet import (
    ORG_A,
    post,
)
from tests.factories import make_row, write_xlsx

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
    assert answer.status_code == 422 and "около 5 строк" in answer.get_data(as_text=True)
    app.config["UPLOAD_MAX_ROWS"] = 5
    assert _upload(provider, _workbook(tmp_path, rows)).status_code == 302


def test_a_directory_that_understates_a_parts_size_ends_as_a_damaged_file(tmp_path):
    """zipfile inflates no more than the declared size and then checks the CRC, so a lie cannot get past."""
    data = bytearray(_with_parts(_workbook(tmp_path), {"xl/media/image1.png": b"\0" * 5_000_000}))
    entry = data.rindex(b"xl/media/image1.png") - 46  # its record in the central directory, after the parts
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = struct.pack("<I", 1000)  # uncompressed size: 1,000 bytes, it says
    assert "повреждён" in xlsx_guard.workbook_problem(bytes(data), 2000)
