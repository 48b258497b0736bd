"""The importer through its domain function: all or nothing, upserts, dialects, archive-missing."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from navigator.catalogue.importer import ImportRejected, ReadOptions, import_file
from navigator.catalogue.models import ImportRun, Organization, Program, Venue
from navigator.catalogue.validation import COLUMNS
from tests.factories import make_row, write_csv


def snapshot(session) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a rejected file changed nothing."""
    session.rollback()
    tables = inspect(session.get_bind()).get_table_names()
    return {table: sorted(map(tuple, session.execute(text(f'SELECT * FROM "{table}"')).all()), key=repr)
            for table in tables}


def programs(session) -> dict[str, Program]:
    session.expire_all()
    return {p.public_id: p for p in session.scalars(select(Program))}


@pytest.fixture
def two_programs(tmp_path):
    return write_csv(tmp_path / "two.csv", [
        make_row(1),
        make_row(2, title="Робототехника", direction="technical", enrollment="Платно; Сертификат",
                 price_rub="2500", ovz="Нарушения слуха; задержка психического развития"),
    ])


def test_imports_every_row_with_its_values(session, two_programs):
    summary = import_file(session, two_programs)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    robotics = programs(session)["p2"]
    assert robotics.direction == "technical"
    assert robotics.enrollment_kinds == ["paid", "certificate"]
    assert robotics.price_rub == 2500
    assert robotics.ovz_categories == ["hearing", "mental_delay"]
    assert robotics.venue.municipality.name == "Кемеровский городской округ"
    assert robotics.venue.district.name == "Центральный"
    assert robotics.venue.point_source == "provider"
    assert robotics.organization.type == "school"
    assert session.scalar(select(ImportRun.rows)) == 2


def test_reimporting_the_same_file_changes_nothing(session, two_programs):
    import_file(session, two_programs)
    before = snapshot(session)
    summary = import_file(session, two_programs)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    after = snapshot(session)
    after.pop("import_run"), before.pop("import_run")
    assert after == before


def test_a_changed_row_is_updated(session, two_programs, tmp_path):
    import_file(session, two_programs)
    changed = write_csv(tmp_path / "changed.csv", [make_row(1, seats_free="0"), make_row(2, title="Робототехника",
                        direction="technical", enrollment="Бесплатно", ovz="Без ОВЗ")])
    summary = import_file(session, changed)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 2, 0)
    found = programs(session)
    assert found["p1"].seats_free == 0
    assert found["p2"].enrollment_kinds == ["free"] and found["p2"].ovz_categories == []
    assert summary.changed_program_ids == {found["p1"].id, found["p2"].id}


def test_a_bad_last_line_leaves_the_database_exactly_as_it_was(session, two_programs, tmp_path):
    import_file(session, two_programs)
    before = snapshot(session)
    rows = [make_row(n) for n in range(3, 60)] + [make_row(60, age_min="abc")]
    with pytest.raises(ImportRejected) as rejected:
        import_file(session, write_csv(tmp_path / "bad.csv", rows))
    assert [str(e) for e in rejected.value.errors] == [
        "line 59, column age_min: должно быть целым числом от 0 до 18 (got 'abc')"]
    assert snapshot(session) == before


def test_every_error_is_reported_with_line_and_column(session, tmp_path):
    rows = [make_row(1, age_min="12", age_max="7"), make_row(2), make_row(3, direction="кулинария", enrollment=""),
            make_row(2, title="")]
    with pytest.raises(ImportRejected) as rejected:
        import_file(session, write_csv(tmp_path / "bad.csv", rows))
    messages = [str(e) for e in rejected.value.errors]
    assert messages[0] == "line 2, column age_max: меньше age_min (got '7')"
    assert messages[1].startswith("line 4, column direction: неизвестное значение; допустимо: Техническая")
    assert messages[2].startswith("line 4, column enrollment: обязательное поле не заполнено")
    assert messages[3] == "line 5, column title: обязательное поле не заполнено"
    assert len(messages) == 4
    assert snapshot(session)["program"] == []


def test_a_duplicate_program_id_names_the_first_line(session, tmp_path):
    with pytest.raises(ImportRejected) as rejected:
        import_file(session, write_csv(tmp_path / "dup.csv", [make_row(1), make_row(2), make_row(1)]))
    assert [str(e) for e in rejected.value.errors] == ["line 4, column program_id: the same id as line 2 (got 'p1')"]


def test_strict_rejects_an_organization_described_two_ways(session, tmp_path):
    rows = [make_row(1), make_row(2, phone="+7 999 000-00-00")]
    with pytest.raises(ImportRejected) as rejected:
        import_file(session, write_csv(tmp_path / "org.csv", rows), options=ReadOptions(strict=True))
    assert [str(e) for e in rejected.value.errors] == [
        "line 3, column phone: differs from line 2 for organization o1 (got '+7 999 000-00-00')"]


def test_a_programs_own_phone_is_kept_on_the_program_with_a_warning(session, tmp_path):
    rows = [make_row(1), make_row(2, phone="+7 999 000-00-00"), make_row(3)]
    summary = import_file(session, write_csv(tmp_path / "org.csv", rows))
    found = programs(session)
    assert found["p2"].organization.phone == make_row(1)["phone"]
    assert (found["p2"].phone, found["p1"].phone) == ("+7 999 000-00-00", None)
    assert found["p2"].contact["phone"] == "+7 999 000-00-00"
    assert found["p1"].contact["phone"] == make_row(1)["phone"]
    assert [(w.line, w.column, w.value, w.level) for w in summary.findings.warnings] == [
        (3, "phone", "+7 999 000-00-00", "warning")]
    again = import_file(session, write_csv(tmp_path / "same.csv", [make_row(1), make_row(2), make_row(3)]))
    assert again.updated == 1 and programs(session)["p2"].phone is None


@pytest.mark.parametrize("dialect", [
    dict(bom=True), dict(delimiter=";"), dict(newline="\r\n"), dict(bom=True, delimiter=";", newline="\r\n")])
def test_reads_bom_semicolons_and_crlf(session, tmp_path, dialect):
    path = write_csv(tmp_path / "dialect.csv", [make_row(1), make_row(2, description="Строка один.\nСтрока два.")],
                     **dialect)
    summary = import_file(session, path)
    assert summary.created == 2
    assert programs(session)["p2"].description.splitlines() == ["Строка один.", "Строка два."]


def test_labels_and_codes_are_case_and_yo_insensitive(session, tmp_path):
    rows = [make_row(1, direction="ФИЗКУЛЬТУРНО-СПОРТИВНАЯ", enrollment="бесплатно;ПЛАТНО", price_rub="0",
                     ovz="тяжелые нарушения речи", format="смешанно", organization_type="Частная организация или ИП"),
            make_row(2, direction="art", enrollment="certificate", ovz="без овз", format="online",
                     organization_type="Частная организация или ИП")]
    import_file(session, write_csv(tmp_path / "labels.csv", rows))
    found = programs(session)
    assert (found["p1"].direction, found["p1"].enrollment_kinds, found["p1"].ovz_categories, found["p1"].format) == (
        "sport", ["free", "paid"], ["speech"], "blended")
    assert (found["p2"].direction, found["p2"].enrollment_kinds, found["p2"].format) == (
        "art", ["certificate"], "online")


def test_archive_missing_archives_only_the_files_organizations(session, tmp_path):
    other = dict(organization_id="o2", organization="МБУ ДО «ДДТ»", address="г. Кемерово, пр. Ленина, 1",
                 email="ddt@example.org", website="https://ddt.example.org", phone="+7 3842 00-00-02")
    import_file(session, write_csv(tmp_path / "all.csv", [make_row(1), make_row(2), make_row(3, **other)]))
    summary = import_file(session, write_csv(tmp_path / "less.csv", [make_row(1)]), archive_missing=True)
    assert summary.archived == 1
    statuses = {pid: p.status for pid, p in programs(session).items()}
    assert statuses == {"p1": "active", "p2": "archived", "p3": "active"}
    again = import_file(session, write_csv(tmp_path / "back.csv", [make_row(1), make_row(2)]))
    assert again.updated == 1 and programs(session)["p2"].status == "active"


def test_without_archive_missing_absent_programs_stay(session, tmp_path):
    import_file(session, write_csv(tmp_path / "all.csv", [make_row(1), make_row(2)]))
    summary = import_file(session, write_csv(tmp_path / "less.csv", [make_row(1)]))
    assert summary.archived == 0 and programs(session)["p2"].status == "active"


def test_rows_without_coordinates_are_stored_without_a_point(session, tmp_path):
    row = make_row(1, lat="", lon="", address="с. Елыкаево, ул. Школьная, 2")
    import_file(session, write_csv(tmp_path / "nopoint.csv", [row]))
    venue = session.scalar(select(Venue))
    assert (venue.lat, venue.lon, venue.precision, venue.point_source) == (None, None, "none", None)


def test_a_geocoded_point_survives_reimport_of_a_row_without_coordinates(session, tmp_path):
    path = write_csv(tmp_path / "nopoint.csv", [make_row(1, lat="", lon="")])
    import_file(session, path)
    venue = session.scalar(select(Venue))
    venue.lat, venue.lon, venue.point_source, venue.precision = 55.3, 86.1, "gazetteer", "settlement"
    session.commit()
    summary = import_file(session, path)
    assert summary.unchanged == 1
    session.expire_all()
    assert (venue.lat, venue.point_source) == (55.3, "gazetteer")


def test_dry_run_reports_counts_and_changes_nothing(session, two_programs):
    before = snapshot(session)
    summary = import_file(session, two_programs, dry_run=True)
    assert (summary.created, summary.updated) == (2, 0)
    assert snapshot(session) == before


def test_an_organization_rename_marks_its_programs_changed(session, two_programs, tmp_path):
    import_file(session, two_programs)
    renamed = [make_row(1, organization="МБОУ «Лицей № 1»"),
               make_row(2, organization="МБОУ «Лицей № 1»", title="Робототехника", direction="technical",
                        enrollment="Платно; Сертификат", price_rub="2500",
                        ovz="Нарушения слуха; задержка психического развития")]
    summary = import_file(session, write_csv(tmp_path / "renamed.csv", renamed))
    assert (summary.updated, summary.unchanged) == (0, 2)
    assert len(summary.changed_program_ids) == 2
    assert session.scalar(select(Organization.name)) == "МБОУ «Лицей № 1»"


@pytest.mark.parametrize("content, message", [
    (b"", "line 1: the file is empty; the first line must name the columns"),
    (b"program_id,title\n", "line 1, column description: required column is missing"),
    (b"program_id,titel\n", "line 1, column titel: unknown column; see docs/data.md for the columns"),
    ("program_id\np1\n\x98\n".encode("latin-1"), "line 1: файл не читается в кодировке cp1251"),
])
def test_broken_files_are_explained(session, tmp_path, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as rejected:
        import_file(session, path, options=ReadOptions(strict=True))
    assert message in [str(e) for e in rejected.value.errors]


def test_a_wrong_encoding_given_by_hand_names_the_line(session, tmp_path):
    path = write_csv(tmp_path / "cp.csv", [make_row(1), make_row(2), make_row(3, title="Шахматы")])
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    assert import_file(session, path).created == 3
    with pytest.raises(ImportRejected) as rejected:
        import_file(session, path, options=ReadOptions(encoding="utf-8"))
    assert [str(e) for e in rejected.value.errors] == ["line 1: файл не читается в кодировке utf-8"]


def test_an_unknown_column_is_a_warning_unless_strict(session, tmp_path):
    path = write_csv(tmp_path / "extra.csv", [dict(make_row(1), **{"Примечание": "x"})],
                     columns=(*COLUMNS, "Примечание"))
    summary = import_file(session, path)
    assert summary.created == 1
    assert [(w.column, w.kind) for w in summary.findings.warnings] == [("примечание", "неизвестный столбец")]


def test_a_row_with_a_missing_delimiter_is_named(session, tmp_path):
    path = write_csv(tmp_path / "ok.csv", [make_row(1), make_row(2)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_file(session, path)
    assert str(rejected.value.errors[0]).startswith("line 3: 30 fields, the header has 31")


def mixed_rows(count: int) -> list[dict[str, str]]:
    """Rows of several organizations and venues whose optional fields are empty in different patterns.

    The bulk insert once grouped rows by which fields were empty; the ids that came back must still land
    on their own rows whatever the pattern.
    """
    optional = (("profile",), ("seats_total", "seats_free"), ("teacher",), ("rating", "rating_count"),
                ("schedule",), ("program_url",), ("updated",))
    rows = []
    for number in range(1, count + 1):
        organization, place = number % 7, number % 5
        row = make_row(number, title=f"Кружок {number}", organization_id=f"o{organization}",
                       organization=f"Организация {organization}", address=f"г. Кемерово, ул. Тестовая, {place}",
                       phone=f"+7 3842 00-00-{organization:02d}", lat=f"{55 + place / 100:.6f}", lon="86.086800")
        for index, names in enumerate(optional):
            if number >> index & 1:
                row.update(dict.fromkeys(names, ""))
        if place == 0:
            row.update(lat="", lon="")
        rows.append(row)
    return rows


def test_a_large_file_lands_every_row_on_its_own_organization_and_venue(session, tmp_path):
    rows = mixed_rows(300)
    summary = import_file(session, write_csv(tmp_path / "mixed.csv", rows))
    assert (summary.created, summary.updated, summary.unchanged) == (300, 0, 0)
    found = programs(session)
    for row in rows:
        program = found[row["program_id"]]
        assert program.title == row["title"]
        assert program.organization.public_id == row["organization_id"]
        assert program.venue.address == row["address"]
        assert program.venue.organization_id == program.organization_id
        assert program.teacher == (row["teacher"] or None)
        assert program.seats_free == (int(row["seats_free"]) if row["seats_free"] else None)
    assert len({(p.organization_id, p.venue.address) for p in found.values()}) == 7 * 5


def test_reimporting_a_large_file_with_a_few_changes_marks_only_those(session, tmp_path):
    rows = mixed_rows(300)
    import_file(session, write_csv(tmp_path / "mixed.csv", rows))
    assert import_file(session, write_csv(tmp_path / "again.csv", rows)).changed_program_ids == set()
    for number in (5, 150, 299):
        rows[number - 1]["title"] = f"Новое название {number}"
    summary = import_file(session, write_csv(tmp_path / "changed.csv", rows))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 3, 297)
    found = programs(session)
    assert summary.changed_program_ids == {found[f"p{number}"].id for number in (5, 150, 299)}
    assert found["p150"].title == "Новое название 150"


def test_a_large_import_leaves_postgresql_statistics_for_the_next_one(session, tmp_path):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("statistics for PostgreSQL's planner")
    import_file(session, write_csv(tmp_path / "large.csv", [make_row(number) for number in range(1, 2101)]))
    # Without them the planner scanned the whole table for each IN (...) list of the next import.
    assert session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'program'")) >= 2100
