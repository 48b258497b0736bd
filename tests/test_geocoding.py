"""The geocoding chain against a local Nominatim stand-in, on both databases: answers, faults, cache, CLI, import."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import event, select, update

from navigator.catalogue.models import Venue
from navigator.extensions import database
from navigator.geocoding import cache_key, chain, geocode_venues, geocoding_for
from navigator.geocoding.models import GeocodeCache
from tests.factories import load_programs, make_row, venue, write_csv
from tests.geocoding_server import EMPTY, NominatimStandIn, failing, found, slow

KEMEROVO = (55.3910651, 86.0467781)  # the gazetteer's point of the city
CENTRAL_DISTRICT = (55.352, 86.087)  # the gazetteer's Центральный district of Kemerovo (the factories' district)
VESENNYAYA = (55.3549, 86.0868)
ADDRESS = "г. Кемерово, ул. Весенняя, 5"


@pytest.fixture
def nominatim():
    server = NominatimStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def online(app, nominatim):
    """The app with the geocoder on, pointed at the stand-in, with short waits so that faults are quick."""
    app.config.update(GEOCODER="nominatim", NOMINATIM_URL=nominatim.url, GEOCODER_EMAIL="ops@example.org",
                      GEOCODER_USER_AGENT="navigator-tests", GEOCODER_MIN_DELAY=0.01, GEOCODER_TIMEOUT=0.3,
                      GEOCODER_BACKOFF=0.01)
    return app


def resolve(app, session, address=ADDRESS, municipality="Кемеровский городской округ", **options):
    return geocoding_for(app.config).resolve(session, address, municipality, **options)


def row(number, point=(None, None), **fields):
    """A program row at its own venue (no coordinates unless given)."""
    return make_row(number, **{**venue(number, *point), **fields})


def import_rows(runner, tmp_path, rows):
    return runner.invoke(args=["import", str(write_csv(tmp_path / "rows.csv", rows))])


def venue_points(session):
    session.expire_all()
    return {v.address: (v.lat, v.lon, v.precision, v.point_source)
            for v in session.scalars(select(Venue).order_by(Venue.id))}


def test_a_normal_answer_gives_the_building_and_identifies_the_site(online, session, nominatim):
    nominatim.script("Весенняя", found(VESENNYAYA))
    result = resolve(online, session)
    assert (result.lat, result.lon, result.precision, result.source, result.online) == (
        *VESENNYAYA, "building", "nominatim", "found")
    request = nominatim.requests[0]
    assert request.params["q"] == "Кемерово, улица Весенняя, 5"
    assert request.headers["User-Agent"] == "navigator-tests" and request.params["email"] == "ops@example.org"
    assert request.params["bounded"] == "1" and len(request.params["viewbox"].split(",")) == 4


@pytest.mark.parametrize(("behaviour", "requests", "outcome"), [
    (failing(500), 3, "failed"),
    (failing(429), 3, "failed"),
    (slow(2), 3, "failed"),
    (EMPTY, 1, "not_found"),
    (found((55.7558, 37.6173)), 1, "not_found"),  # Moscow: outside the region
    (found((53.756, 87.12)), 1, "not_found"),  # Novokuznetsk: outside the row's municipality
    (found((55.35, 86.08), category="boundary", kind="administrative", rank=8), 1, "not_found"),  # too coarse
])
def test_a_bad_answer_falls_back_to_the_gazetteer(online, session, nominatim, behaviour, requests, outcome):
    nominatim.script("Весенняя", behaviour)
    result = resolve(online, session, district="Центральный")
    assert (result.lat, result.lon) == CENTRAL_DISTRICT
    assert (result.precision, result.source, result.online) == ("settlement", "gazetteer", outcome)
    assert len(nominatim.requests) == requests
    session.commit()
    assert session.scalar(select(GeocodeCache.status)) == ("error" if outcome == "failed" else "not_found")


def test_a_later_candidate_inside_the_municipality_is_taken(online, session, nominatim):
    nominatim.script("Весенняя", found((53.756, 87.12), VESENNYAYA))
    assert (resolve(online, session).lat, len(nominatim.requests)) == (VESENNYAYA[0], 1)


def test_retries_recover_and_wait_as_the_server_asks(online, session, nominatim):
    nominatim.script("Весенняя", failing(500), found(VESENNYAYA))
    nominatim.script("Ленина", failing(429, retry_after="1"), found((55.36, 86.12)))
    assert resolve(online, session).source == "nominatim" and len(nominatim.requests) == 2
    assert resolve(online, session, "г. Кемерово, ул. Ленина, 10").lat == 55.36
    assert nominatim.gaps()[-1] >= 1.0


def test_the_default_rate_limit_keeps_requests_a_second_apart(online, session, nominatim):
    online.config["GEOCODER_MIN_DELAY"] = 1.0
    for number in (1, 2, 3):
        resolve(online, session, f"г. Кемерово, ул. Весенняя, {number}")
    # Measured at the server: arrival times jitter by milliseconds around the client's spacing.
    assert len(nominatim.requests) == 3 and min(nominatim.gaps()) >= 0.99


def test_a_cached_answer_makes_no_request_however_the_address_is_spelt(online, session, nominatim):
    nominatim.script("Весенняя", found(VESENNYAYA))
    first = resolve(online, session)
    session.commit()
    again = resolve(online, session, "Кемерово г., Весенняя улица, дом 5")
    assert (again.lat, again.lon, again.online, len(nominatim.requests)) == (first.lat, first.lon, "cached", 1)
    online.config["GEOCODER"] = "off"  # a cached answer serves even with the geocoder off
    assert resolve(online, session).source == "nominatim"


def test_a_failure_is_remembered_and_retried_only_with_retry_failed(online, runner, session, nominatim, tmp_path):
    nominatim.script("Весенняя", failing(500))
    assert import_rows(runner, tmp_path, [row(1, address=ADDRESS)]).exit_code == 0
    assert len(nominatim.requests) == 3 and venue_points(session)[ADDRESS][3] == "gazetteer"
    output = runner.invoke(args=["geocode"]).output
    assert len(nominatim.requests) == 3 and "1 failed before" in output
    nominatim.script("Весенняя", found(VESENNYAYA))
    result = runner.invoke(args=["geocode", "--retry-failed"])
    assert len(nominatim.requests) == 4 and "1 found" in result.output
    assert venue_points(session)[ADDRESS] == (*VESENNYAYA, "building", "nominatim")


def test_a_failure_is_asked_again_once_its_lifetime_is_over(online, session, nominatim):
    resolve(online, session)
    session.commit()
    assert resolve(online, session).online == "known_failure" and len(nominatim.requests) == 1
    session.execute(update(GeocodeCache).values(updated_at=dt.datetime(2000, 1, 1)))
    assert resolve(online, session).online == "not_found" and len(nominatim.requests) == 2
    assert session.scalar(select(GeocodeCache.attempts)) == 2


def test_import_with_the_geocoder_on_places_rows_without_coordinates(online, runner, session, nominatim, tmp_path):
    nominatim.script("Весенняя", found(VESENNYAYA))
    result = import_rows(runner, tmp_path, [
        row(1, address=ADDRESS),
        row(2, (55.4, 86.1)),  # the provider's point: never asked, never overwritten
        row(3, address="с. Елыкаево, ул. Лесная, 23", municipality="Кемеровский муниципальный округ", district=""),
    ])
    assert result.exit_code == 0 and "Geocoded 2 venues" in result.output and "1 building" in result.output
    points = venue_points(session)
    assert points[ADDRESS] == (*VESENNYAYA, "building", "nominatim")
    assert points["г. Кемерово, ул. Тестовая, 2"] == (55.4, 86.1, "building", "provider")
    assert points["с. Елыкаево, ул. Лесная, 23"] == (55.567, 86.047, "settlement", "gazetteer")
    assert nominatim.queries() == ["Кемерово, улица Весенняя, 5", "Елыкаево, улица Лесная, 23"]
    runner.invoke(args=["geocode"])
    assert len(nominatim.requests) == 2 and venue_points(session) == points


def test_import_with_the_geocoder_off_asks_nothing(app, runner, session, nominatim, tmp_path):
    app.config.update(NOMINATIM_URL=nominatim.url)
    result = import_rows(runner, tmp_path, [row(1, address=ADDRESS)])
    assert result.exit_code == 0 and "Geocoded" not in result.output
    assert venue_points(session)[ADDRESS] == (None, None, "none", None)
    result = runner.invoke(args=["geocode"])
    assert "Online geocoder off" in result.output and "1 settlement" in result.output
    assert venue_points(session)[ADDRESS] == (*CENTRAL_DISTRICT, "settlement", "gazetteer")
    assert nominatim.requests == []


def test_a_geocoded_point_is_never_made_coarser(online, session, nominatim, tmp_path):
    nominatim.script("Весенняя", found(VESENNYAYA))
    load_programs(online, [row(1, address=ADDRESS)], tmp_path)
    geocode_venues(session, geocoding_for(online.config))
    session.execute(GeocodeCache.__table__.delete())
    online.config["GEOCODER"] = "off"
    summary = geocode_venues(session, geocoding_for(online.config))
    assert summary.changed == 0 and venue_points(session)[ADDRESS][2:] == ("building", "nominatim")


def test_limit_and_only_missing_let_a_run_go_on_where_it_stopped(app, runner, session, tmp_path):
    rows = [row(n) for n in (1, 2, 3)] + [row(4, (55.4, 86.1))]
    import_rows(runner, tmp_path, rows)
    assert "Geocoded 1 venues" in runner.invoke(args=["geocode", "--only-missing", "--limit", "1"]).output
    assert [p[3] for p in venue_points(session).values()] == ["gazetteer", None, None, "provider"]
    assert "Geocoded 2 venues" in runner.invoke(args=["geocode", "--only-missing"]).output
    assert "Geocoded 0 venues" in runner.invoke(args=["geocode", "--only-missing"]).output


def test_an_interrupted_run_keeps_the_venues_it_finished(app, runner, session, tmp_path, monkeypatch):
    import_rows(runner, tmp_path, [row(n) for n in (1, 2, 3)])
    geocoding = geocoding_for(app.config)
    original, calls = geocoding.resolve, []

    def interrupted_at_the_third(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(geocoding, "resolve", interrupted_at_the_third)
    with database(app).session_factory() as run_session, pytest.raises(KeyboardInterrupt):
        geocode_venues(run_session, geocoding)
    assert [p[3] for p in venue_points(session).values()] == ["gazetteer", "gazetteer", None]
    monkeypatch.undo()
    assert geocode_venues(session, geocoding, only_missing=True).venues == 1


def test_a_new_point_reaches_the_search_index(app, runner, client, tmp_path):
    load_programs(app, [row(1)], tmp_path)
    near = f"near={CENTRAL_DISTRICT[0]},{CENTRAL_DISTRICT[1]}&radius_km=1"
    assert client.get(f"/api/v1/programs?{near}").get_json()["total"] == 0
    runner.invoke(args=["geocode"])
    assert client.get(f"/api/v1/programs?{near}").get_json()["total"] == 1


def test_pages_never_geocode(online, client, nominatim, tmp_path):
    load_programs(online, [row(1)], tmp_path)
    assert client.get("/programs/p1").status_code == 200
    assert client.get("/?q=шахматы").status_code == 200 and client.get("/api/v1/programs/p1").status_code == 200
    assert nominatim.requests == []


def test_the_near_me_box_finds_settlements_offline_and_addresses_through_the_chain(online, session, nominatim):
    geocoding = geocoding_for(online.config)
    place = geocoding.find_place(session, "  Елыкаево ")
    assert (place.lat, place.precision) == (55.567, "settlement")
    assert place.label == "с. Елыкаево, Кемеровский муниципальный округ"
    assert geocoding.find_place(session, "Кемеровский муниципальный округ").precision == "municipality"
    assert nominatim.requests == []
    nominatim.script("Весенняя", found(VESENNYAYA))
    assert geocoding.find_place(session, ADDRESS).precision == "building"
    assert geocoding.find_place(session, "г.Кемерово, улица Весенняя, 5").online == "cached"
    assert len(nominatim.requests) == 1
    assert geocoding.find_place(session, "ул. Несуществующая, 1") is None and geocoding.find_place(session, " ") is None


def test_a_search_near_a_typed_address_caches_the_answer_apart_and_commits_nothing_else(online, client, nominatim,
                                                                                        tmp_path):
    """A GET never commits the request's session: the geocoder's answer is cached in a transaction of its own."""
    load_programs(online, [row(1, CENTRAL_DISTRICT)], tmp_path)
    commits = []  # every session the app's factory makes: the request's, not the cache's own
    event.listen(database(online).session_factory, "before_commit", commits.append)
    nominatim.script("Весенняя", found(VESENNYAYA))
    near_me = {"place": ADDRESS, "radius_km": "5"}
    answer = client.get("/api/v1/programs", query_string=near_me)
    assert answer.status_code == 200 and answer.get_json()["total"] == 1
    assert (len(nominatim.requests), commits) == (1, [])
    with database(online).session_factory() as fresh:
        cached = [(entry.status, entry.lat, entry.lon) for entry in fresh.scalars(select(GeocodeCache))]
    assert cached == [("found", *VESENNYAYA)]
    page = client.get("/search", query_string=near_me)  # the same text again: from the cache
    assert page.status_code == 200 and "ул. Тестовая, 1" in page.get_data(as_text=True)
    assert (len(nominatim.requests), commits) == (1, [])


def test_an_answer_cached_meanwhile_by_another_request_stays(online, session):
    write = chain._CacheWrite(None, cache_key(ADDRESS, None), ADDRESS, None, "not_found")
    chain._remember_apart(session, write)
    chain._remember_apart(session, replace(write, status="error"))  # the same new row again: it collides, quietly
    assert session.scalars(select(GeocodeCache.status)).all() == ["not_found"]


def test_the_near_me_box_asks_a_failing_geocoder_once(online, session, nominatim):
    nominatim.script("Весенняя", failing(503))
    place = geocoding_for(online.config).find_place(session, ADDRESS)
    assert (place.lat, place.lon, place.source, len(nominatim.requests)) == (*KEMEROVO, "gazetteer", 1)


def test_the_near_me_box_without_the_geocoder_names_the_settlement(app, session):
    place = geocoding_for(app.config).find_place(session, "г. Кемерово, ул. Весенняя, 5")
    assert (place.lat, place.lon, place.precision, place.label) == (*KEMEROVO, "settlement", "г. Кемерово")
