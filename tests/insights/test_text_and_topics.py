from cxloop.insights.text import analyse_words, lemmas, normalise
from cxloop.insights.topics import Taxonomy


def test_negation_marks_the_words_after_the_negator():
    assert analyse_words(normalise("Не погано"), "uk") == ["не", "NEG_погано"]
    words = analyse_words(normalise("not bad at all. Bad."), "en")
    assert "NEG_bad" in words
    assert words[-2:] == ["bad", "."]


def test_english_nt_is_a_negator():
    assert "NEG_like" in analyse_words(normalise("I don't like it"), "en")


def test_punctuation_ends_the_negation_scope():
    assert analyse_words(normalise("не знаю, погано"), "uk")[-1] == "погано"


def test_normalise_cuts_repeats_and_replaces_links_and_mentions():
    assert normalise("Дуууууже!!! @shop https://x.io 2024").split() == [
        "дууже!!",
        "@user",
        "url",
        "0",
    ]


def test_lemmas_meet_across_inflection():
    assert "доставка" in lemmas("Доставкою задоволений", "uk")
    assert "курьер" in lemmas("Курьеры опоздали", "ru")


def test_topics_match_inflected_forms_and_several_topics():
    taxonomy = Taxonomy.default()
    assert taxonomy.match("Кур'єр запізнився, а коробка прийшла пом'ята", "uk") == [
        "delivery",
        "courier",
        "packaging",
    ]
    assert taxonomy.match("Доставкой доволен, но цена завышена", "ru") == ["delivery", "price"]
    assert set(taxonomy.match("They charged my card twice, refund please", "en")) >= {
        "payment",
        "returns",
    }


def test_a_text_about_nothing_has_no_topic():
    assert Taxonomy.default().match("Ок", "uk") == []
    assert Taxonomy.default().match("", "other") == []


def test_workspace_taxonomy_with_phrases_and_stems():
    taxonomy = Taxonomy({"gift_wrap": {"uk": ["подарунков* пакуван*"], "en": ["gift wrap*"]}})
    assert taxonomy.match("Дуже гарне подарункове пакування", "uk") == ["gift_wrap"]
    assert taxonomy.match("Lovely gift wrapping", "en") == ["gift_wrap"]
    assert taxonomy.match("Gift card", "en") == []


def test_text_in_another_language_is_matched_against_all_keywords():
    taxonomy = Taxonomy({"delivery": {"en": ["delivery"]}})
    assert taxonomy.match("delivery 😍😍", "other") == ["delivery"]


def test_lemmas_never_bring_back_yo():
    # simplemma's lemma of "дешевле" is "дешёвый"; the price stem "дешев*" must still match.
    assert lemmas("Стоила дешевле, всё ещё", "ru") == ["стоить", "дешевый", "весь", "еще"]


def test_english_texts_get_the_lexicon_view_and_others_zeros():
    from cxloop.insights.features import LEXICON_COLUMNS, english_lexicon

    values = english_lexicon(
        ["This is awful", "Not bad at all!", "Жахливо", ""], ["en", "en", "uk", "en"]
    )
    assert values.shape == (4, len(LEXICON_COLUMNS))
    assert (values >= 0).all()
    assert values[0, 0] > values[0, 2]  # "awful": more negative than positive
    assert values[1, 3] > 0  # "not bad": VADER reads the negation, the compound is positive
    assert not values[2].any()
    assert not values[3].any()


def test_a_model_file_from_before_the_lexicon_view_loads_without_it():
    from cxloop.insights.features import TextFeatures

    features = TextFeatures(min_df=1)
    features.fit_transform(["good", "bad"], ["en", "en"])
    config = features.config()
    del config["lexicon_weight"]
    restored = TextFeatures.restore(config, features.state())
    assert restored.lexicon_weight == 0.0
    assert restored.transform(["good"], ["en"]).shape[1] == features.n_features
