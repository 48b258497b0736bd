"""Forms that pages of several audiences share: a reason for a one-button action (archive, decline, return)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField, ValidationError
from wtforms.validators import Length

from navigator.catalogue.validation import HIDDEN_CHARACTERS


def _visible_text(_form, field) -> None:
    """No control characters or bidirectional overrides in notes others read (the same rule as program fields)."""
    if field.data and HIDDEN_CHARACTERS.search(field.data):
        raise ValidationError("Текст содержит невидимые управляющие символы; удалите их.")


class ReasonForm(FlaskForm):
    """Archiving (with an optional reason) and other one-button actions."""

    reason = TextAreaField("Причина", render_kw={"rows": 2, "maxlength": 2000},
                           validators=[Length(max=2000, message="Не длиннее 2000 символов."), _visible_text])
