"""The cold-start lexicon: what each rule counts, on small constructed texts."""

import pytest

from cxloop.insights.classifiers import get_classifier
from cxloop.insights.classifiers.lexicon import FEATURES, lexicon_features
from cxloop.insights.text import normalise


def features(text: str, language: str) -> dict[str, float]:
    """The non-zero features of ``text``, by name."""
    values = lexicon_features(normalise(text), language)
    return {name: value for name, value in zip(FEATURES, values, strict=True) if value}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Монітор не працює", "uk"),
        ("Телефон не работает", "ru"),
        ("The charger never worked", "en"),
    ],
)
def test_a_negated_working_verb_is_a_complaint_not_a_negated_one(text, language):
    found = features(text, language)
    assert found["negated_function"] == 1
    assert "negated_negative" not in found
    assert found["balance"] < 0


@pytest.mark.parametrize(
    ("text", "language"),
    [("Не погано", "uk"), ("Без проблем", "ru"), ("Без недоліків", "uk")],
)
def test_a_negated_complaint_or_reservation_counts_as_praise(text, language):
    found = features(text, language)
    assert "negative" not in found
    assert found.get("negated_negative", 0) + found.get("positive", 0) >= 1


def test_not_bad_is_a_reservation_in_english():
    found = features("not bad", "en")
    assert found["mild"] == 1
    assert "negative" not in found


def test_negation_does_not_cross_a_clause():
    assert "negated_positive" not in features("Не знаю. Гарний телефон", "uk")
    assert features("Не гарний телефон", "uk")["negated_positive"] == 1


def test_a_prefix_that_turns_a_listed_word_around():
    assert features("Незручний", "uk")["negative"] == 1
    assert features("Недорого", "uk")["negated_negative"] == 1
    assert features("unhelpful staff", "en")["negated_positive"] == 1


def test_an_intensified_word_and_the_strongest_words_are_counted_apart():
    found = features("Дуже погано", "uk")
    assert found["intensified_negative"] == 1
    assert "strong_negative" not in found
    assert features("Жахливо", "uk")["strong_negative"] == 1
    assert features("Highly recommend!", "en")["strong_positive"] == 1


def test_not_very_on_its_own_is_a_complaint():
    assert features("Якість не дуже.", "uk")["negated_positive"] == 1
    assert features("Качество не очень", "ru")["negated_positive"] == 1


def test_the_clause_after_but_is_counted_again():
    found = features("Гарний, але батарея слабка", "uk")
    assert found["contrast"] == 1
    assert found["negative_after_contrast"] == 1
    assert "positive_after_contrast" not in found


def test_complaints_in_the_cons_section_are_expected_and_an_empty_one_is_praise():
    found = features("Хороший, шустрийНедостатки: греется", "ru")
    assert found["cons_negative"] == 1
    assert "negative" not in found
    assert features("Переваги: швидкий. Недоліки: немає", "uk")["no_cons"] == 1


def test_a_ukrainian_text_with_russian_words_still_counts_them():
    assert features("Телефон отличный", "uk")["positive"] == 1


@pytest.mark.parametrize(
    "text", ["Гарнітура нова", "Шумоподавлення", "Доброго дня, підкажіть ціну"]
)
def test_words_that_only_look_like_praise_or_complaint_count_nothing(text):
    found = features(text, "uk")
    assert "positive" not in found
    assert "negative" not in found


def test_unknown_language_uses_all_lexicons():
    assert features("super, дякую", "other")["positive"] == 2


@pytest.mark.parametrize(
    ("text", "language", "emotion"),
    [
        ("Не працює з коробки. Повертаю.", "uk", "negative"),
        ("Працює, але батарея слабка. За свої гроші нормально.", "uk", "ok"),
        ("Нормально, но звук так себе.", "ru", "ok"),
        ("Отличный ноутбук, всем рекомендую!", "ru", "wow"),
        ("@airline been on hold for two hours, still no answer", "en", "negative"),
        ("@airline what's the baggage allowance to London?", "en", "ok"),
    ],
)
def test_cold_start_on_constructed_reviews(text, language, emotion):
    (prediction,) = get_classifier("cold-start").predict([text], [language])
    assert prediction.emotion == emotion
