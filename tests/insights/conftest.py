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


def constructed_examples(n_per_class: int = 40, seed: int = 0) -> list[tuple[str, str, str]]:
    """(text, emotion, language) built from the phrase lists above, balanced by emotion."""
    rng = random.Random(seed)
    out = []
    for (lang, emotion), phrases in PHRASES.items():
        combos = list(itertools.product(SUBJECTS[lang], phrases))
        rng.shuffle(combos)
        for i in range(n_per_class // 3 + 1):
            subject, phrase = combos[i % len(combos)]
            out.append((f"{subject} {phrase} #{rng.randint(1, 999)}", emotion, lang))
    rng.shuffle(out)
    return out


@pytest.fixture
def examples() -> list[tuple[str, str, str]]:
    return constructed_examples()
