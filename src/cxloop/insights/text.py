"""Text preparation shared by the emotion classifiers and the topic rules.

``normalise`` makes surface variants meet: lower case, ``ё``→``е``, links, @mentions and numbers
replaced by placeholders, letters repeated three or more times cut to two ("дуууже" → "дууже"),
and the Ukrainian apostrophe variants unified. ``analyse_words`` turns normalised text into lemma
tokens (``simplemma``, MIT) with negation marking: the two words after a negator (не, ні, нет,
not, never, n't…) get a ``NEG_`` prefix until punctuation, so "не погано" and "погано" are
different features and "not bad" is not "bad".
"""

from __future__ import annotations

import functools
import re

import simplemma

NEGATORS = frozenset(
    {
        # uk
        "не", "ні", "ані", "ніколи", "немає", "нема", "жодного", "жодних", "без",
        # ru
        "нет", "ни", "никогда", "нету", "никакого", "никаких",
        # en
        "not", "no", "never", "nothing", "nobody", "none", "without", "cannot", "cant",
        "dont", "didnt", "doesnt", "isnt", "wasnt", "arent", "werent", "wont", "wouldnt",
        "couldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint",
    }
)  # fmt: skip

_APOSTROPHES = re.compile(r"[’ʼ`´‘]")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_REPEAT = re.compile(r"(\D)\1{2,}")
_EN_NT = re.compile(r"\b(\w+)n't\b")
_TOKEN = re.compile(r"NEG_\w+|\w+(?:'\w+)*|[.,;:!?()]|[\U0001f300-\U0001faff\u2600-\u27bf]")


def normalise(text: str) -> str:
    """The normalised text. Memoised for texts under 1,000 characters (most answers): the emotion
    features and the topic rules of one batch both normalise every text, and a batch of 2,000
    fits the cache; longer texts are rarer and would make the cache large."""
    return _normalise_memo(text) if len(text) < 1_000 else _normalise(text)


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е")
    text = _APOSTROPHES.sub("'", text)
    text = _URL.sub(" url ", text)
    text = _MENTION.sub(" @user ", text)
    text = _NUMBER.sub("0", text)
    return _REPEAT.sub(r"\1\1", text.replace("\x00", " "))


_normalise_memo = functools.lru_cache(maxsize=4_096)(_normalise)


_lemma_cache: dict[tuple[str, str], str] = {}
_LEMMA_CACHE_LIMIT = 1_000_000
NEG_MARK = "NEG_"
_NEGATED = re.compile(
    r"\b(" + "|".join(sorted(NEGATORS, key=len, reverse=True)) + r")\s+(\w+)(?:\s+(\w+))?"
)


def lemma(token: str, language: str) -> str:
    """simplemma's lemma, memoised: customers reuse a small vocabulary, so most look-ups hit."""
    if language not in ("uk", "ru", "en") or not token.isalpha():
        return token
    key = (language, token)
    found = _lemma_cache.get(key)
    if found is None:
        # simplemma writes some Russian lemmas with ё; normalised text never has it.
        found = simplemma.lemmatize(token, language).replace("ё", "е")
        if len(_lemma_cache) < _LEMMA_CACHE_LIMIT:
            _lemma_cache[key] = found
    return found


def _mark(match: re.Match[str]) -> str:
    negator, first, second = match.groups()
    marked = f"{negator} {NEG_MARK}{first}"
    return f"{marked} {NEG_MARK}{second}" if second else marked


def word_tokens(normalised: str) -> list[str]:
    """Surface tokens with negation marks: up to two words after a negator get ``NEG_``.

    A regular expression does the marking (one C-level pass), which is what keeps the fast path
    fast; a clause break (punctuation) ends the scope because ``\\s+`` cannot cross it.
    """
    marked = _NEGATED.sub(_mark, _EN_NT.sub(r"\1nt", normalised))
    return _TOKEN.findall(marked.replace("'", ""))


def analyse_words(normalised: str, language: str) -> list[str]:
    """Lemma tokens of an already normalised text, negated ones prefixed ``NEG_``."""
    out = []
    for token in word_tokens(normalised):
        if token.startswith(NEG_MARK):
            out.append(NEG_MARK + lemma(token[len(NEG_MARK) :], language))
        else:
            out.append(lemma(token, language))
    return out


def lemmas(text: str, language: str) -> list[str]:
    """Plain lemmas (no negation marks) of raw ``text``: what the topic rules match against."""
    return [
        lemma(token.replace("'", ""), language)
        for token in _TOKEN.findall(normalise(text))
        if token[0].isalnum()
    ]
