"""The controlled vocabularies."""

from __future__ import annotations

import pytest

from navigator.catalogue import vocab


@pytest.mark.parametrize("vocabulary, text, code", [
    (vocab.DIRECTIONS, "Техническая", "technical"),
    (vocab.DIRECTIONS, "  физкультурно-спортивная ", "sport"),
    (vocab.DIRECTIONS, "SOCIAL", "social"),
    (vocab.ENROLLMENT_KINDS, "сертификат", "certificate"),
    (vocab.OVZ_CATEGORIES, "Тяжелые нарушения речи", "speech"),
    (vocab.OVZ_CATEGORIES, "тяжёлые  нарушения речи", "speech"),
    (vocab.FORMATS, "дистанционно", "online"),
    (vocab.ORGANIZATION_TYPES, "детский сад", "kindergarten"),
])
def test_lookup_by_label_or_code(vocabulary, text, code):
    assert vocabulary.lookup(text).code == code


def test_unknown_text_is_none_and_unknown_code_keeps_its_name():
    assert vocab.DIRECTIONS.lookup("Кулинарная") is None
    assert vocab.DIRECTIONS.label("cooking") == "cooking"


def test_six_official_directions_with_their_labels():
    assert [(t.code, t.label) for t in vocab.DIRECTIONS] == [
        ("technical", "Техническая"), ("science", "Естественнонаучная"), ("sport", "Физкультурно-спортивная"),
        ("art", "Художественная"), ("tourism", "Туристско-краеведческая"), ("social", "Социально-гуманитарная")]


def test_codes_and_labels_are_unique_within_each_vocabulary():
    for vocabulary in vocab.ALL:
        keys = [vocab.fold(t.code) for t in vocabulary] + [vocab.fold(t.label) for t in vocabulary]
        assert len(keys) == len(set(keys)), vocabulary.name
