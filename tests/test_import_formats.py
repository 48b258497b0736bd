"""Reading real exports, without a database: free-text ages, encodings, delimiters, XLSX, mappings, conflicts."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from navigator.catalogue.importer import sources
from navigator.catalogue.importer.ages import AdultsOnly, parse_age
from navigator.catalogue.importer.issues import ImportRejected
from navigator.catalogue.importer.mapping import MappingError, load_mapping
from navigator.catalogue.importer.reading import KNOWN_COLUMNS, ReadOptions, check_file, normalize_space
from navigator.catalogue.importer.resolving import name_key
from navigator.catalogue.importer.sources import SourceOptions, open_source
from navigator.catalogue.validation import COLUMNS, Invalid
from tests.factories import make_row, raw_xlsx, write_csv

sources_cell_text = sources._cell_text


@pytest.mark.parametrize("text, ages", [
    ("6-18", (6, 18)), ("6–18 лет", (6, 18)), ("с 7 лет", (7, 18)), ("до 14 лет", (0, 14)),
    ("3,5 и старше", (3, 18)), ("Все возраста", (0, 18)), ("от 5 до 7", (5, 7)), ("10 - 17 лет", (10, 17)),
    ("5 лет - 7 лет", (5, 7)), ("12+", (12, 18)), ("9", (9, 9)), ("18", (18, 18)),
])
def test_free_text_ages(text, ages):
    parsed = parse_age(text)
    assert (parsed.low, parsed.high, parsed.warning) == (*ages, None)


def test_an_upper_age_above_18_is_cut_with_a_warning():
    parsed = parse_age("14-25 лет")
    assert (parsed.low, parsed.high, parsed.kind) == (14, 18, "возраст выше 18")


@pytest.mark.parametrize("text", ["18 и старше", "с 18 лет", "20-35"])
def test_programs_for_adults_are_told_apart(text):
    with pytest.raises(AdultsOnly):
        parse_age(text)


@pytest.mark.parametrize("text", ["300", "12-7"])
def test_impossible_ages_are_errors(text):
    with pytest.raises(Invalid):
        parse_age(text)


def test_unreadable_age_gives_no_age_filter_and_says_so():
    parsed = parse_age("школьники")
    assert (parsed.low, parsed.high, parsed.kind) == (0, 18, "возраст не распознан")
    assert "школьники" in parsed.warning


def test_whitespace_is_normalized_and_lines_kept():
    assert normalize_space("  МБОУ   «СОШ  № 1» ") == "МБОУ «СОШ № 1»"
    assert normalize_space(" Строка  один. \n\n  Строка два.") == "Строка один.\nСтрока два."


def test_organization_names_written_two_ways_fold_to_one_key():
    assert name_key("МБОУ «СОШ № 1»") == name_key('Муниципальное бюджетное общеобразовательное учреждение "СОШ №1"')
    assert name_key("МБОУ «СОШ № 1»") != name_key("МБОУ «СОШ № 2»")


def _write(path, rows, *, encoding="utf-8", delimiter=",", columns=COLUMNS):
    text = write_csv(path, rows, delimiter=delimiter, columns=columns).read_text(encoding="utf-8")
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding, delimiter, said", [
    ("utf-8", ",", "кодировка UTF-8 (определена), разделитель «запятая»"),
    ("utf-8-sig", ";", "кодировка UTF-8 с BOM (определена), разделитель «точка с запятой»"),
    ("cp1251", ";", "кодировка Windows-1251 (определена), разделитель «точка с запятой»"),
    ("cp1251", "\t", "кодировка Windows-1251 (определена), разделитель «табуляция»"),
])
def test_encoding_and_delimiter_are_detected_and_said(tmp_path, encoding, delimiter, said):
    path = _write(tmp_path / "p.csv", [make_row(1, title="Шахматы «Ладья»"), make_row(2)],
                  encoding=encoding, delimiter=delimiter)
    parsed, errors = check_file(path)
    assert errors == []
    assert parsed.findings.detected[0].startswith(said)
    assert parsed.records[0][1].title == "Шахматы «Ладья»"


def test_a_given_delimiter_overrides_the_guess(tmp_path):
    path = _write(tmp_path / "p.csv", [make_row(1)], delimiter=";")
    assert "required column is missing" in [e.message for e in check_file(path, options=ReadOptions(delimiter=","))[1]]
    parsed, errors = check_file(path, options=ReadOptions(delimiter=";"))
    assert errors == [] and "разделитель «точка с запятой» (задан)" in parsed.findings.detected[0]


def test_decimal_commas_are_read_and_noted(tmp_path):
    path = _write(tmp_path / "p.csv", [make_row(1, enrollment="Платно", price_rub="1 200,00", lat="55,3541",
                                                lon="86,0868", rating="4,75")], delimiter=";")
    parsed, errors = check_file(path)
    record = parsed.records[0][1]
    assert errors == [] and (record.price_rub, record.lat, record.rating) == (1200, 55.3541, 4.75)
    assert "десятичная запятая в числах (значений: 4)" in parsed.findings.detected


def test_xlsx_first_sheet_or_the_named_one(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Справка"
    workbook.active.append(["Это не таблица программ"])
    sheet = workbook.create_sheet("Программы")
    sheet.append(list(COLUMNS))
    for row in (make_row(1, age_min="7", seats_total="20", seats_free="4"), make_row(2)):
        sheet.append([int(row[c]) if c in ("age_min", "seats_total") else row.get(c) for c in COLUMNS])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    assert check_file(path)[1]  # the first sheet has no programs' columns
    parsed, errors = check_file(path, options=ReadOptions(sheet="Программы"))
    assert errors == [] and [r.age_min for _, r in parsed.records] == [7, int(make_row(2)["age_min"])]
    assert parsed.findings.detected == ["книга Excel, лист «Программы»"]


def test_xlsx_rows_shorter_or_longer_than_the_header_are_fitted(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([*COLUMNS, None])
    sheet.append([make_row(1).get(c) for c in COLUMNS[:-1]])  # `updated`, the last column, left out
    sheet.append([make_row(2).get(c) for c in COLUMNS])
    sheet.cell(row=4, column=len(COLUMNS) + 3, value="   ")
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    parsed, errors = check_file(path)
    assert errors == [] and len(parsed.records) == 2 and parsed.findings.warnings == []


def _raw_programs(**raw) -> bytes:
    return raw_xlsx([list(COLUMNS), [make_row(1).get(column, "") for column in COLUMNS]], **raw)


def test_a_sheets_dimension_is_not_believed(tmp_path, monkeypatch):
    """openpyxl made every row as wide as <dimension> and filled in every missing row (issue 23, finding 1: a
    billion cells for A1:XFD1048576): the reader reads only the cells the sheet has."""
    converted = []
    monkeypatch.setattr(sources, "_cell_text", lambda value: converted.append(value) or sources_cell_text(value))
    path = tmp_path / "p.xlsx"
    path.write_bytes(_raw_programs(dimension="A1:XFD1048576", tail='<row r="40"><c r="B40" t="s"><v>0</v></c></row>'))
    source = open_source(path, SourceOptions())
    try:
        assert source.header == list(COLUMNS)
        assert [(line, len(cells)) for line, cells in source.rows if any(cells)] == [(2, len(COLUMNS)),
                                                                                     (40, len(COLUMNS))]
    finally:
        source.close()
    assert len(converted) == 2 * len(COLUMNS) + 2  # the header, a row, and the two cells (A40 empty, B40) of row 40


@pytest.mark.parametrize("raw, line", [
    (dict(dimension="A1:AE3", tail='<row r="3"><c r="A3" t="s"><v>99999</v></c></row>'), 3),
    (dict(dimension="A1:AE3", tail='<row r="3"><c r="ZZZZ3" t="s"><v>0</v></c></row>'), 3),
    (dict(dimension="A1:AE3", tail='<row r="3"><c r="A3"><v>1</v></row>'), None),
    (dict(sheet_xml="<worksheet"), 1),
], ids=["shared-string index 99999", "cell reference ZZZZ3", "malformed sheet XML", "not XML at all"])
def test_a_workbook_openpyxl_cannot_read_is_an_error_not_an_exception(tmp_path, raw, line):
    """The command-line import reads without the upload's checks: what openpyxl raises becomes the file's error,
    in Russian, at the line it stopped (issue 23, finding 6), never the server's path."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(_raw_programs(**raw))
    with pytest.raises(ImportRejected) as rejected:
        check_file(path)
    error = rejected.value.errors[-1]
    assert error.message.startswith("файл не читается как книга Excel .xlsx") and str(tmp_path) not in error.message
    assert line is None or error.line == line


def test_budgets_end_a_read_as_an_error_on_the_line_reached(tmp_path):
    """A provider's upload is read with a row budget and a time budget (issue 23, findings 1 and 5)."""
    rows = [make_row(n) for n in range(1, 6)]
    path = write_csv(tmp_path / "mac.csv", rows, newline="\r")  # CR alone ends a line for the csv module
    assert len(check_file(path)[0].records) == 5
    with pytest.raises(ImportRejected) as rejected:
        check_file(path, options=ReadOptions(max_rows=3))
    assert [(e.line, e.message) for e in rejected.value.errors] == [
        (5, "в файле больше 3 строк, а за один раз можно загрузить не больше 3; разделите файл на части")]
    with pytest.raises(ImportRejected) as rejected:
        check_file(path, options=ReadOptions(seconds=0))
    assert rejected.value.errors[0].line == 2 and "слишком долго" in rejected.value.errors[0].message


def test_a_missing_sheet_is_named(tmp_path):
    workbook = openpyxl.Workbook()
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    from navigator.catalogue.importer import ImportRejected
    with pytest.raises(ImportRejected) as rejected:
        check_file(path, options=ReadOptions(sheet="Нет такого"))
    assert "нет листа «Нет такого»" in rejected.value.errors[0].message


MAPPING = """
[columns]
"Название" = "title"
"Возраст" = "age"
"Адрес места" = "address"
[values.direction]
"Техническая направленность" = "technical"
[values.enrollment]
"бюджет" = "Бесплатно"
[constants]
municipality = "Тайгинский городской округ"
[defaults]
format = "Очно"
[[split]]
column = "Контакты"
separator = ","
into = ["phone", "email"]
"""


def test_a_mapping_renames_maps_values_sets_constants_and_splits(tmp_path):
    mapping_path = tmp_path / "m.toml"
    mapping_path.write_text(MAPPING, encoding="utf-8")
    mapping = load_mapping(mapping_path, set(KNOWN_COLUMNS))
    columns = ("program_id", "Название", "description", "direction", "Возраст", "enrollment", "organization_id",
               "organization", "Адрес места", "format", "Контакты")
    row = dict(make_row(1), **{"Название": "Робо  техника", "Возраст": "7–12 лет",
                               "direction": "техническая НАПРАВЛЕННОСТЬ", "enrollment": "бюджет",
                               "Адрес места": "г. Тайга, ул. Мира, 1", "format": "",
                               "Контакты": "+7 384 48 2-22-22, club@example.org"})
    path = write_csv(tmp_path / "p.csv", [row], columns=columns)
    parsed, errors = check_file(path, options=ReadOptions(mapping=mapping))
    assert errors == []
    record = parsed.records[0][1]
    assert (record.title, record.age_min, record.age_max, record.direction, record.enrollment) == (
        "Робо техника", 7, 12, "technical", ("free",))
    assert (record.municipality, record.address, record.phone, record.email) == (
        "Тайгинский городской округ", "г. Тайга, ул. Мира, 1", "+7 384 48 2-22-22", "club@example.org")
    assert parsed.findings.defaulted == {"format": 1}


@pytest.mark.parametrize("text, problem", [
    ('[columns]\n"Название" = "titel"\n', "not our column(s): titel"),
    ('[colums]\n', "unknown table(s) colums"),
    ('[[split]]\ncolumn = "Адрес"\n', "needs pattern, or separator and into"),
    ('[[split]]\ncolumn = "Адрес"\npattern = "(?P<address>"\n', "split of «адрес»"),
    ('[columns\n', "m.toml"),
])
def test_a_wrong_mapping_says_what_is_wrong(tmp_path, text, problem):
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_mapping(path, set(KNOWN_COLUMNS))


def test_one_address_under_two_districts_takes_the_most_frequent_and_reports_both(tmp_path):
    rows = [make_row(1, district="Центральный"), make_row(2, district="Центральный район"),
            make_row(3, district="Центральный район"), make_row(4, district="")]
    parsed, errors = check_file(write_csv(tmp_path / "p.csv", rows))
    assert errors == []
    assert {r.district for _, r in parsed.records} == {"Центральный район"}
    [resolved] = parsed.findings.warnings
    assert (resolved.line, resolved.column, resolved.value) == (2, "district", "Центральный")
    assert "«Центральный район»" in resolved.message and "строк: 2" in resolved.message


def test_a_tie_goes_to_the_earliest_line(tmp_path):
    rows = [make_row(1, district="Рудничный"), make_row(2, district="Центральный")]
    parsed, _ = check_file(write_csv(tmp_path / "p.csv", rows))
    assert {r.district for _, r in parsed.records} == {"Рудничный"}
    assert [w.line for w in parsed.findings.warnings] == [3]


def test_one_inn_makes_two_organization_ids_one(tmp_path):
    rows = [dict(make_row(1), inn="4205000001"),
            dict(make_row(2, organization_id="o9", organization='МБОУ "Лицей № 1"'), inn="4205000001")]
    parsed, errors = check_file(write_csv(tmp_path / "p.csv", rows, columns=(*COLUMNS, "inn")))
    assert errors == [] and {r.organization_id for _, r in parsed.records} == {"o1"}
    assert {w.kind for w in parsed.findings.warnings} == {"одна организация по ИНН", "разные сведения об организации"}


def test_without_inn_a_name_written_two_ways_is_a_probable_duplicate(tmp_path):
    rows = [make_row(1, organization="МБОУ «Лицей № 1»"),
            make_row(2, organization_id="o9", organization="Муниципальное бюджетное общеобразовательное "
                                                           "учреждение «Лицей №1»")]
    parsed, errors = check_file(write_csv(tmp_path / "p.csv", rows))
    assert errors == [] and {r.organization_id for _, r in parsed.records} == {"o1", "o9"}
    [duplicate] = parsed.findings.warnings
    assert (duplicate.line, duplicate.kind) == (3, "возможный дубликат организации")


def test_the_mapping_example_in_the_docs_is_a_working_mapping(tmp_path):
    docs = (Path(__file__).resolve().parent.parent / "docs" / "data.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", docs, re.S).group(1)
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    mapping = load_mapping(path, set(KNOWN_COLUMNS))
    assert mapping.column(" Наименование ПРОГРАММЫ ") == "title"
    assert mapping.splits[0].parts("Юргинский муниципальный округ, с. Проскоково, ул. Мира, 2") == {
        "municipality": "Юргинский муниципальный округ", "address": "с. Проскоково, ул. Мира, 2"}


def test_the_same_name_in_another_municipality_is_not_a_duplicate(tmp_path):
    rows = [make_row(1, organization="МБОУ «СОШ № 3»"),
            make_row(2, organization_id="o9", organization="МБОУ «СОШ № 3»", municipality="Тайгинский городской округ",
                     address="г. Тайга, ул. Мира, 1")]
    parsed, errors = check_file(write_csv(tmp_path / "p.csv", rows))
    assert errors == [] and parsed.findings.warnings == []
