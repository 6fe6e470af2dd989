import pytest

from cxloop.insights.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Дякую, все прийшло вчасно", "uk"),
        ("Їжак ґудзик є", "uk"),
        ("Спасибо, всё пришло вовремя", "ru"),
        ("Быстро и чётко, съел", "ru"),
        ("Thanks, it arrived on time", "en"),
        ("@united where is my bag?", "en"),
    ],
)
def test_deciding_letters_and_script(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text", ["", None, "   ", "😍😍😍", "👍", "12345 !!!", "https://example.com"]
)
def test_texts_without_letters_are_other(text):
    assert detect_language(text) == "other"


def test_other_scripts_are_other():
    assert detect_language("Το δέμα έφτασε γρήγορα") == "other"
    assert detect_language("荷物はすぐに届きました") == "other"


def test_brand_names_do_not_make_a_cyrillic_text_english():
    assert detect_language("Гірший ніж xiaomi note 5 4/64") == "uk"
    assert detect_language("Перевіряв на OnePlus 2 I Asus Zenpad 3S") == "uk"


def test_letters_that_do_not_decide_go_to_the_detector():
    # No і ї є ґ and no ы э ъ ё in either sentence.
    assert detect_language("Отличная книга, рекомендую всем друзьям") == "ru"
    assert detect_language("Отримала замовлення, дуже задоволена покупкою") == "uk"


def test_mixed_text_gets_its_dominant_language():
    text = "Книга чудова, дякую! Спасибо, всё было хорошо. Доставка швидка, кур'єр ввічливий."
    assert detect_language(text) == "uk"


def test_huge_text_is_decided_quickly():
    assert detect_language("Дякую за швидку доставку. " * 100_000) == "uk"
