"""Every POST route of the site reads HTML form data only: a JSON (or other) body is a 415, never a 500.

The probe's finding (issue 23, finding 7): `Content-Type: application/json` with `{"seats_total": 10}` to
`/provider/programs/<id>/quick` answered 500 (`'int' object has no attribute 'strip'`), and `/edit` too:
Flask-WTF reads a JSON body as the form's data.
"""

from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from navigator.catalogue.models import Program
from navigator.extensions import database
from tests.cabinet import csrf_token, post


def post_routes(app) -> list[str]:
    """A URL of every route that takes POST, with an id of the right kind in each placeholder."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "POST" in rule.methods:
                values = {name: 1 if isinstance(rule._converters[name], IntegerConverter) else "a1"
                          for name in rule.arguments}
                urls.append(url_for(rule.endpoint, **values))
    return urls


def seats(app) -> tuple[int, int]:
    with database(app).session_factory() as session:
        program = session.query(Program).filter_by(public_id="a1").one()
        return program.seats_total, program.seats_free


def test_a_json_body_to_the_providers_forms_is_a_415_and_changes_nothing(app, provider):
    before = seats(app)
    for path in ("/provider/programs/a1/quick", "/provider/programs/a1/edit"):
        answer = provider.post(path, json={"seats_total": 10, "seats_free": [1, 2]},
                               headers={"X-CSRFToken": csrf_token(provider)})
        assert answer.status_code == 415 and "только данные своих форм" in answer.get_data(as_text=True), path
    assert seats(app) == before
    # The same fields as a form are taken.
    assert post(provider, "/provider/programs/a1/quick", {"seats_free": "3", "seats_total": "15",
                                                          "schedule": "Сб 10:00"}).status_code == 302
    assert seats(app) == (15, 3)


@pytest.mark.parametrize("body", [{"json": {"seats_total": 10}}, {"data": "<a/>", "content_type": "application/xml"},
                                  {"data": "seats_total=10", "content_type": "text/plain"}])
def test_every_post_route_refuses_a_body_no_form_sends(app, provider, body):
    routes = post_routes(app)
    assert len(routes) >= 25 and "/provider/programs/a1/quick" in routes
    token = csrf_token(provider)
    for client in (provider, app.test_client()):  # signed in, and anonymous
        for path in routes:
            answer = client.post(path, headers={"X-CSRFToken": token}, **body)
            assert answer.status_code == 415, (path, answer.status_code)
