"""Place names are read once per catalogue change: a new import's places appear at once, and an unchanged
catalogue costs nothing (the outbox sequence is read at most once a second, navigator.catalogue.changes)."""

from __future__ import annotations

from sqlalchemy import event

from navigator.catalogue.place_directory import place_directory
from navigator.extensions import database
from tests.factories import load_programs, make_row, venue


def test_names_follow_an_import_and_are_not_read_again_while_nothing_changes(app, session, tmp_path):
    load_programs(app, [make_row(1, municipality="Кемеровский городской округ", district="Центральный")], tmp_path)
    first = place_directory(session)
    assert "Кемеровский городской округ" in first.municipalities.values()
    statements = []
    event.listen(database(app).engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    session.rollback()  # a new request's transaction
    assert place_directory(session) is first and statements == []
    load_programs(app, [make_row(1, municipality="Кемеровский городской округ", district="Центральный"),
                        make_row(2, district="Заводский", **venue(2, 55.36, 86.1))], tmp_path)
    session.rollback()  # a new transaction sees the import
    second = place_directory(session)
    ids = {name: district_id for district_id, (_m, name) in second.districts.items()}
    assert set(ids) == {"Центральный", "Заводский"}
    municipality_id = second.districts[ids["Центральный"]][0]
    assert second.names(municipality_id, ids["Центральный"]) == ("Кемеровский городской округ", "Центральный")
    assert second.districts_by_municipality()[municipality_id] == [(ids["Заводский"], "Заводский"),
                                                                   (ids["Центральный"], "Центральный")]


def test_a_get_and_a_post_share_one_directory(app, session, tmp_path):
    """A GET's session reads through the autocommit engine on PostgreSQL: the names are still read once."""
    from navigator.extensions import db_session

    load_programs(app, [make_row(1)], tmp_path)
    first = place_directory(session)
    with app.test_request_context("/search", method="GET"):
        assert place_directory(db_session()) is first
    assert first.districts_by_municipality() is first.districts_by_municipality()
