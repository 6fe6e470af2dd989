"""Constructed examples for the insights tests (written for the tests; no real customer data)."""

from __future__ import annotations

import itertools
import random

import pytest

SUBJECTS = {
    "uk": ["Доставка", "Кур'єр", "Товар", "Упаковка", "Підтримка", "Книга"],
    "ru": ["Доставка", "Курьер", "Товар", "Упаковка", "Поддержка", "Книга"],
    "en": ["Delivery", "The courier", "The product", "Packaging", "Support", "The book"],
}
PHRASES = {
    ("uk", "negative"): ["жахлива, дуже розчарований", "зламана і брудна", "повний відстій",
                         "погано, не рекомендую"],
    ("uk", "ok"): ["нормально, нічого особливого", "звичайна, без емоцій", "середня, як завжди",
                   "прийшла, все як описано"],
    ("uk", "wow"): ["чудова, дякую вам!", "просто супер, рекомендую!", "найкраща, я в захваті",
                    "неймовірна, дуже приємно"],
    ("ru", "negative"): ["ужасная, очень разочарован", "сломанная и грязная", "полный отстой",
                         "плохо, не рекомендую"],
    ("ru", "ok"): ["нормально, ничего особенного", "обычная, без эмоций", "средняя, как всегда",
                   "пришла, все как описано"],
    ("ru", "wow"): ["отличная, спасибо вам!", "просто супер, рекомендую!", "лучшая, я в восторге",
                    "невероятная, очень приятно"],
    ("en", "negative"): ["was awful, very disappointed", "arrived broken and dirty",
                         "is total junk", "is bad, do not recommend"],
    ("en", "ok"): ["was fine, nothing special", "was ordinary, no emotions", "was average as usual",
                   "arrived, all as described"],
    ("en", "wow"): ["was amazing, thank you!", "is simply great, recommend!",
                    "is the best, I love it", "was incredible, so pleasant"],
}  # fmt: skip


# A coffee shop's own words: what its customers praise and blame is not in any general lexicon,
# so the cold-start classifier reads most of it as OK while a workspace model learns it.
SHOP_SUBJECTS = {
    "uk": ["Кава", "Лате", "Капучино", "Еспресо"],
    "ru": ["Кофе", "Латте", "Капучино", "Эспрессо"],
    "en": ["The coffee", "The latte", "The cappuccino", "The espresso"],
}
SHOP_PHRASES = {
    ("uk", "negative"): ["кисла й водяниста", "гірчить пригорілим зерном", "ледь тепла",
                         "знову з осадом"],
    ("uk", "ok"): ["як завжди", "стандартна порція", "чашка середня", "за звичним рецептом"],
    ("uk", "wow"): ["ароматна, пінка шовкова", "оксамитова з горіховою ноткою",
                    "ідеальної температури", "з візерунком на пінці"],
    ("ru", "negative"): ["кислый и водянистый", "горчит пригоревшим зерном", "еле теплый",
                         "опять с осадком"],
    ("ru", "ok"): ["как всегда", "стандартная порция", "чашка средняя", "по привычному рецепту"],
    ("ru", "wow"): ["ароматный, пенка шелковая", "бархатный с ореховой ноткой",
                    "идеальной температуры", "с рисунком на пенке"],
    ("en", "negative"): ["was sour and watery", "tasted of burnt beans", "was barely warm",
                         "had grounds in it again"],
    ("en", "ok"): ["was as usual", "was the standard size", "came in a medium cup",
                   "followed the usual recipe"],
    ("en", "wow"): ["was aromatic with silky foam", "was velvety with a nutty note",
                    "was the perfect temperature", "had latte art on the foam"],
}  # fmt: skip


def constructed_examples(n_per_class: int = 40, seed: int = 0) -> list[tuple[str, str, str]]:
    """(text, emotion, language) built from the phrase lists above, balanced by emotion."""
    return _build(SUBJECTS, PHRASES, n_per_class, seed)


def shop_examples(n_per_class: int = 40, seed: int = 0) -> list[tuple[str, str, str]]:
    """Like :func:`constructed_examples`, in the coffee shop's own words."""
    return _build(SHOP_SUBJECTS, SHOP_PHRASES, n_per_class, seed)


def _build(subjects, table, n_per_class: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for (lang, emotion), phrases in table.items():
        combos = list(itertools.product(subjects[lang], phrases))
        rng.shuffle(combos)
        for i in range(n_per_class // 3 + 1):
            subject, phrase = combos[i % len(combos)]
            out.append((f"{subject} {phrase} #{rng.randint(1, 999)}", emotion, lang))
    rng.shuffle(out)
    return out


@pytest.fixture
def examples() -> list[tuple[str, str, str]]:
    return constructed_examples()
