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
        if isinstance(message.id, str):
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                PLACEHOLDER.findall(message.string)
            ), message.id
            continue
        # Plural forms: in Ukrainian and Russian the "one" form also serves 21, 31…, so it may
        # show the count that the English singular leaves out; no form may invent a placeholder.
        singular, plural = (set(PLACEHOLDER.findall(text)) for text in message.id)
        for form in message.string:
            found = set(PLACEHOLDER.findall(form))
            assert found <= singular | plural, (message.id[0], form)
            assert singular - plural <= found, (message.id[0], form)
        assert set(PLACEHOLDER.findall(message.string[-1])) == plural, message.id[1]


@pytest.mark.parametrize(("language", "word"), [("uk", "Клієнти"), ("ru", "Клиенты")])
def test_compiled_catalogs_are_used(language, word):
    with translation.override(language):
        assert translation.gettext("Customers") == word


def test_language_choice_is_remembered(alice):
    alice.client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    body = alice.client.get(reverse("customers:list")).content.decode()
    assert '<html lang="uk">' in body
    assert "Клієнти" in body


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_catalogs_pass_the_checks_that_make_runs_before_compiling(language):
    # `make messages` (pybabel compile) refuses a catalog with errors, and with it the install: a
    # percent sign in an English string that looks like a format ("% d", "% i") is one.
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert problems == []
