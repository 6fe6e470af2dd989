"""English, Ukrainian and Russian: every string translated, placeholders intact, served."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "src" / "cxloop" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


def _messages(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return [m for m in catalog if m.id]


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_catalog_is_complete(language):
    missing = []
    for message in _messages(language):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id)
    assert not missing, f"{len(missing)} untranslated in {language}: {missing[:5]}"


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_placeholders_and_markup_survive_translation(language):
    for message in _messages(language):
        source = message.id if isinstance(message.id, str) else message.id[0]
        translated = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translated)), (
            source
        )


@pytest.mark.parametrize(("language", "word"), [("uk", "Клієнти"), ("ru", "Клиенты")])
def test_compiled_catalogs_are_used(language, word):
    with translation.override(language):
        assert translation.gettext("Customers") == word


def test_language_choice_is_remembered(alice):
    alice.client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    body = alice.client.get(reverse("customers:list")).content.decode()
    assert '<html lang="uk">' in body
    assert "Клієнти" in body
