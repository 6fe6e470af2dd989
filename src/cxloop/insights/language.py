"""Language of a customer's text: ``uk``, ``ru``, ``en`` or ``other``.

The rule, in order:

1. Links and e-mail addresses are dropped, then letters are counted by script. No letters at all
   (empty, digits, emoji only) → ``other``. Cyrillic and Latin together less than half of the
   letters (Greek, Arabic, CJK…) → ``other``. Latin more than twice the Cyrillic → ``en``
   (cxloop analyses three languages and English is the only Latin-script one; brand and model
   names inside a Cyrillic sentence do not make it English).
2. Cyrillic majority: the letters only one of the pair has decide most texts. Ukrainian has
   і ї є ґ, Russian has ы э ъ ё. Letters of one side only → that side.
3. Otherwise (no deciding letter, or both sides' letters in a mixed text)
   ``lingua-language-detector`` restricted to Ukrainian and Russian decides: it scores the whole
   text, so a mixed text gets its dominant language.

Measured on the labelled sets in ``../shared/data/feedback``: see ``bench/insights_quality.py``.
"""

from __future__ import annotations

import functools
import re

UK = "uk"
RU = "ru"
EN = "en"
OTHER = "other"
LANGUAGES = (UK, RU, EN, OTHER)

_UK_ONLY = frozenset("іїєґІЇЄҐ")
_RU_ONLY = frozenset("ыэъёЫЭЪЁ")

# Long texts are decided by their first part: enough for the letter rule and the detector, and it
# keeps a 1 MB text as fast as a tweet.
_SAMPLE = 2_000
# lingua's cost grows with length; a few hundred characters decide uk vs ru.
_LINGUA_SAMPLE = 400


@functools.cache
def _detector():  # pragma: no cover - trivial
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(Language.UKRAINIAN, Language.RUSSIAN)
        .with_preloaded_language_models()
        .build()
    )


_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_UK_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_RU_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


def detect_language(text: str | None) -> str:
    """Return ``uk``, ``ru``, ``en`` or ``other`` for ``text`` (see the module docstring)."""
    if not text:
        return OTHER
    sample = _URL.sub(" ", text[:_SAMPLE])
    letters = len(_LETTER.findall(sample))
    if not letters:
        return OTHER
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cyrillic + latin < letters / 2:
        return OTHER
    # Brand and model names are Latin inside Cyrillic sentences: Latin must clearly dominate.
    if latin > 2 * cyrillic:
        return EN
    uk = _UK_LETTERS.search(sample) is not None
    ru = _RU_LETTERS.search(sample) is not None
    if uk and not ru:
        return UK
    if ru and not uk:
        return RU
    return _lingua_uk_or_ru(sample[:_LINGUA_SAMPLE])


def _lingua_uk_or_ru(text: str) -> str:
    from lingua import Language

    found = _detector().detect_language_of(text)
    return RU if found == Language.RUSSIAN else UK


def detect_languages(texts: list[str]) -> list[str]:
    """Batch form of :func:`detect_language` (same answers, one call)."""
    return [detect_language(text) for text in texts]
