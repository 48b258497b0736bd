"""The provider's program form: fields named after the CSV columns, checked by validate_record.

WTForms here only renders the fields and checks the CSRF token; every rule about the values is
navigator.catalogue.validation's, so the form says exactly what the importer says about the same value, and
each error is shown next to the field it names.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from navigator.catalogue.models import Venue
from navigator.catalogue.program_rows import FIELD_LABELS, venue_fields
from navigator.catalogue.validation import LIST_SEPARATOR, FieldError
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, NO_OVZ_LABEL, OVZ_CATEGORIES

NEW_VENUE = "new"
TEXT_FIELDS = ("program_id", "title", "description", "direction", "profile", "age_min", "age_max", "price_rub",
               "seats_total", "seats_free", "format", "schedule", "duration", "teacher", "program_url")
VENUE_COLUMNS = ("address", "municipality", "district")
POINT_COLUMNS = ("lat", "lon")


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _labels(vocabulary) -> list[SelectChoice]:
    return [SelectChoice(term.label) for term in vocabulary]


def _text(name: str, **options) -> StringField:
    return StringField(FIELD_LABELS[name], **options)


class ProgramForm(FlaskForm):
    program_id = _text("program_id")
    title = _text("title")
    description = TextAreaField(FIELD_LABELS["description"], render_kw={"rows": 6})
    direction = SelectField(FIELD_LABELS["direction"], choices=[SelectChoice("", "— выберите —"), *_labels(DIRECTIONS)],
                            validate_choice=False)
    profile = _text("profile")
    age_min = _text("age_min", render_kw={"inputmode": "numeric"})
    age_max = _text("age_max", render_kw={"inputmode": "numeric"})
    enrollment = _Checkboxes(FIELD_LABELS["enrollment"], choices=_labels(ENROLLMENT_KINDS), validate_choice=False)
    price_rub = _text("price_rub", render_kw={"inputmode": "numeric"})
    seats_total = _text("seats_total", render_kw={"inputmode": "numeric"})
    seats_free = _text("seats_free", render_kw={"inputmode": "numeric"})
    ovz = _Checkboxes(FIELD_LABELS["ovz"], choices=_labels(OVZ_CATEGORIES), validate_choice=False)
    format = SelectField(FIELD_LABELS["format"], choices=_labels(FORMATS), validate_choice=False)
    schedule = _text("schedule")
    duration = _text("duration")
    teacher = _text("teacher")
    program_url = _text("program_url", render_kw={"inputmode": "url"})
    venue = SelectField("Место проведения", validate_choice=False)
    address = _text("address")
    municipality = SelectField(FIELD_LABELS["municipality"], validate_choice=False)
    district = _text("district")
    lat = HiddenField(FIELD_LABELS["lat"])
    lon = HiddenField(FIELD_LABELS["lon"])
    save = SubmitField("Сохранить черновик")
    submit = SubmitField("Отправить на проверку")


class QuickEditForm(FlaskForm):
    seats_total = _text("seats_total", render_kw={"inputmode": "numeric", "size": 4})
    seats_free = _text("seats_free", render_kw={"inputmode": "numeric", "size": 4})
    schedule = _text("schedule")


def program_form(venues: list[Venue], municipalities: list[str], *, moderation: bool, **options) -> ProgramForm:
    """The form with this organization's venues and the catalogue's municipalities to choose from."""
    form = ProgramForm(**options)
    form.venue.choices = [SelectChoice(str(venue.id), venue.address, _point_attributes(venue)) for venue in venues]
    form.venue.choices.append(SelectChoice(NEW_VENUE, "Новый адрес…"))
    form.municipality.choices = [SelectChoice("", "— выберите —"), *(SelectChoice(name) for name in municipalities)]
    if not moderation:
        form.submit.label.text = "Опубликовать"
    return form


def _point_attributes(venue: Venue) -> dict[str, str]:
    """The venue's point on its option, for the pin map."""
    return {"data-lat": str(venue.lat), "data-lon": str(venue.lon)} if venue.lat is not None else {}


def fill(form: ProgramForm, row: Mapping[str, str], venues: list[Venue]) -> None:
    """Put a stored row into the form (on GET)."""
    for name in (*TEXT_FIELDS, *VENUE_COLUMNS, *POINT_COLUMNS):
        form[name].data = row.get(name, "")
    form.enrollment.data = _split(row.get("enrollment", ""))
    form.ovz.data = [label for label in _split(row.get("ovz", "")) if label != NO_OVZ_LABEL]
    same_place = [venue for venue in venues if venue.address == row.get("address")]
    form.venue.data = str(same_place[0].id) if same_place else (NEW_VENUE if row.get("address") or not venues
                                                                 else str(venues[0].id))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def row_from(form: ProgramForm, venues: list[Venue]) -> dict[str, str]:
    """The posted form as the text of a CSV row; a chosen venue brings its address, municipality and point."""
    row = {name: (form[name].data or "").strip() for name in (*TEXT_FIELDS, *VENUE_COLUMNS, *POINT_COLUMNS)}
    row["enrollment"] = f"{LIST_SEPARATOR} ".join(form.enrollment.data or [])
    row["ovz"] = f"{LIST_SEPARATOR} ".join(form.ovz.data or []) or NO_OVZ_LABEL
    chosen = {str(venue.id): venue for venue in venues}.get(form.venue.data or "")
    if chosen is not None:
        known = venue_fields(chosen)
        row.update({name: known[name] for name in VENUE_COLUMNS})
        if not row["lat"]:
            row.update(lat=known["lat"], lon=known["lon"])
    return row


def show_errors(form: ProgramForm, errors: list[FieldError]) -> list[str]:
    """Attach each error to its field; return the ones no field shows (they go above the form)."""
    elsewhere = []
    venue_chosen = form.venue.data not in (None, "", NEW_VENUE)
    for error in errors:
        name = "venue" if venue_chosen and error.column in VENUE_COLUMNS else error.column
        if name in POINT_COLUMNS:
            name = "address"
        if name in form and name not in ("csrf_token", "save", "submit"):
            form[name].errors = [*form[name].errors, _message(error)]
        else:
            elsewhere.append(f"{FIELD_LABELS.get(error.column, error.column)}: {_message(error)}")
    return elsewhere


def _message(error: FieldError) -> str:
    text = error.message[:1].upper() + error.message[1:]
    return f"{text} (указано: «{error.value}»)." if error.value else f"{text}."
