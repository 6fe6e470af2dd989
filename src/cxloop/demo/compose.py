"""Turning what a customer felt into the words they would write.

A text is built from hand-written fragments: an optional opening, the main fragment (the topic
and sentiment the customer cares about most), sometimes a second topic joined by a connector that
adds ("А ще…") or turns ("Але…"), and an optional closing. Some writers type fast: all lower case,
a smiley, a swapped letter. With a few hundred fragments the combinations run into the millions,
so thousands of demo answers read like different people.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from types import ModuleType

from . import texts_en, texts_ru, texts_uk

LANGUAGES: dict[str, ModuleType] = {"uk": texts_uk, "ru": texts_ru, "en": texts_en}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KEEP_CAPITAL = ("I ", "I'", "Nova ", "Apple ", "EPUB", "Black ", "White ", "No DRM")
_SMILEY = {
    "uk": {"negative": "((", "ok": "", "wow": ")))"},
    "ru": {"negative": "((", "ok": "", "wow": ")))"},
    "en": {"negative": " :(", "ok": "", "wow": " :)"},
}


@dataclass(frozen=True)
class Writer:
    language: str
    female: bool


@dataclass(frozen=True)
class Context:
    book: str = ""
    days: int = 1
    branch: int = 1
    agent: str = "oksana"


def fragment(
    rng: random.Random, writer: Writer, topic: str, sentiment: str, context: Context
) -> str:
    return _render(rng.choice(_texts(writer).TOPICS[topic][sentiment]), writer, context)


def compose(
    rng: random.Random,
    writer: Writer,
    sentiment: str,
    main: str,
    context: Context,
    second: tuple[str, str] | None = None,
    social: bool = False,
    situation: str | None = None,
) -> str:
    """A full text: the main topic in the given sentiment, maybe a second topic after it."""
    texts = _texts(writer)
    parts = []
    if social and rng.random() < 0.5:
        parts.append(rng.choice(texts.SOCIAL))
    if rng.random() < 0.4:
        parts.append(_render(rng.choice(texts.OPENINGS[sentiment]), writer, context))
    if situation is not None and rng.random() < 0.3:
        parts.append(_render(rng.choice(texts.SITUATIONS[situation]), writer, context))
    parts.append(fragment(rng, writer, main, sentiment, context))
    if second is not None:
        topic, tone = second
        turns = (tone == "negative") != (sentiment == "negative")
        connector = rng.choice(texts.BUT if turns else texts.ADD)
        template = rng.choice(texts.TOPICS[topic][tone])
        parts.append(f"{connector} {_render(_lower_first(template), writer, context)}")
    if rng.random() < 0.5:
        parts.append(_render(rng.choice(texts.CLOSINGS[sentiment]), writer, context))
    return _hurry(rng, " ".join(parts), writer.language, sentiment)


def short(rng: random.Random, writer: Writer, sentiment: str) -> str:
    return rng.choice(_texts(writer).SHORT[sentiment])


def _texts(writer: Writer) -> ModuleType:
    return LANGUAGES[writer.language]


def _render(template: str, writer: Writer, context: Context) -> str:
    texts = _texts(writer)
    values = {
        "book": context.book,
        "days": texts.days(context.days),
        "branch": str(context.branch),
        "agent": texts.AGENTS[context.agent],
    }

    def fill(match: re.Match[str]) -> str:
        body = match.group(1)
        if "|" in body:
            his, hers = body.split("|", 1)
            return hers if writer.female else his
        return values[body]

    return PLACEHOLDER.sub(fill, template)


def _lower_first(template: str) -> str:
    """Lower-case the first word after a connector, unless it is a name or a data placeholder."""
    if template.startswith(_KEEP_CAPITAL) or template[:1] in "«\"'":
        return template
    if template.startswith("{"):
        body, rest = template[1:].split("}", 1)
        if "|" not in body:
            return template
        forms = "|".join(form[:1].lower() + form[1:] for form in body.split("|"))
        return "{" + forms + "}" + rest
    return template[:1].lower() + template[1:]


def _hurry(rng: random.Random, text: str, language: str, sentiment: str) -> str:
    """Some people type on the run: lower case, no final full stop, a smiley, a slipped key."""
    roll = rng.random()
    if roll < 0.12:
        text = text.lower().rstrip(".") + _SMILEY[language][sentiment]
    elif roll < 0.17:
        words = text.split(" ")
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) >= 6 and word.isalpha():
            j = rng.randrange(1, len(word) - 2)
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
            text = " ".join(words)
    return text
