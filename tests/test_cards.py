"""Cards (navigator.catalogue.cards) say what the models say, read with one plain query."""

from __future__ import annotations

from sqlalchemy import select

from navigator.catalogue.cards import load_cards
from navigator.catalogue.models import Program, ProgramEnrollment, ProgramOvz
from navigator.catalogue.programs import with_card_fields
from navigator.catalogue.vocab import ENROLLMENT_KINDS, OVZ_CATEGORIES
from tests.factories import load_programs, make_row

CARD_FIELDS = ("id", "public_id", "title", "direction", "profile", "age_min", "age_max", "price_rub", "seats_free",
               "rating", "schedule")


def test_cards_match_the_programs(app, session, tmp_path):
    every_kind = ";".join(reversed([term.label for term in ENROLLMENT_KINDS]))  # not in the vocabulary's order
    two_ovz = ";".join([term.label for term in OVZ_CATEGORIES][:2][::-1])
    rows = [make_row(1), make_row(2, district="", enrollment=every_kind, price_rub="1500", ovz=two_ovz, profile="",
                                  seats_free="", rating="", rating_count=""),
            make_row(3, organization_id="o2", organization="ДДТ «Радуга»", address="г. Кемерово, пр. Ленина, 1",
                     lat="", lon="", district="", enrollment=ENROLLMENT_KINDS.label("certificate"))]
    load_programs(app, rows, tmp_path)
    programs = session.scalars(with_card_fields(select(Program).order_by(Program.id.desc()))).unique().all()
    assert session.scalar(select(ProgramOvz.program_id).limit(1)) and session.scalar(
        select(ProgramEnrollment.program_id).limit(1))
    ids = [program.id for program in programs]
    cards = load_cards(session, ids + [10_000])
    assert [card.id for card in cards] == ids  # in the order asked; an id that does not exist is left out
    for program, card in zip(programs, cards, strict=True):
        for name in CARD_FIELDS:
            assert getattr(card, name) == getattr(program, name), name
        assert list(card.enrollment_kinds) == program.enrollment_kinds
        assert list(card.ovz_categories) == program.ovz_categories
        assert (card.organization.public_id, card.organization.name) == (program.organization.public_id,
                                                                         program.organization.name)
        venue = program.venue
        assert (card.venue.address, card.venue.lat, card.venue.lon, card.venue.precision) == (
            venue.address, venue.lat, venue.lon, venue.precision)
        assert card.venue.municipality.name == venue.municipality.name
        assert (card.venue.district.name if card.venue.district else None) == (
            venue.district.name if venue.district else None)
    assert any(len(card.enrollment_kinds) == 3 for card in cards) and any(card.ovz_categories for card in cards)
    assert any(card.venue.district is None for card in cards)
    assert load_cards(session, []) == []


def test_an_organizations_cards_are_its_current_programs_by_title(app, session, tmp_path):
    from navigator.catalogue.cards import organization_cards
    from navigator.catalogue.models import Organization

    load_programs(app, [make_row(1, title="Шахматы", age_min="7", age_max="12"),
                        make_row(2, title="Авиамоделирование", age_min="10", age_max="17"),
                        make_row(3, title="Бисероплетение", organization_id="o2", organization="ДДТ"),
                        make_row(4, title="Волейбол", age_min="5", age_max="9"),
                        make_row(5, title="Гитара", age_min="5", age_max="9")], tmp_path)
    session.execute(Program.__table__.update().where(Program.public_id == "p5").values(status="archived"))
    session.commit()
    first = session.scalar(select(Organization.id).where(Organization.public_id == "o1"))
    assert [card.title for card in organization_cards(session, first)] == ["Авиамоделирование", "Волейбол", "Шахматы"]
    assert [card.public_id for card in organization_cards(session, first, age=8)] == ["p4", "p1"]
    assert [card.public_id for card in organization_cards(session, first, age=16)] == ["p2"]


def test_a_card_kept_by_the_renderer_is_the_html_of_its_program_and_changes_with_it(app, client, session, tmp_path):
    from flask import render_template_string

    load_programs(app, [make_row(1, price_rub="1500", enrollment="Платно;Бесплатно")], tmp_path)
    program = session.scalars(with_card_fields(select(Program))).unique().one()
    call = "{{ program_card(p, 1.5, heading='h2', price_max=1000) }}"
    with app.test_request_context("/search"):
        from_model = render_template_string(call, p=program)
        first = render_template_string(call, p=load_cards(session, [program.id])[0])
        again = render_template_string(call, p=load_cards(session, [program.id])[0])
    assert first == again == from_model and "1,5\xa0км" in first and "<h2" in first
    program.seats_free = 0
    session.commit()
    with app.test_request_context("/search"):
        changed = render_template_string(call, p=load_cards(session, [program.id])[0])
    assert changed != first and "Нет мест" in changed
    assert "Нет мест" in client.get("/search?q=шахматы").get_data(as_text=True)
