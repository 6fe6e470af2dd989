import numpy as np
import pytest

from cxloop.insights import classifiers
from cxloop.insights.analysis import analyse_texts, classify
from cxloop.insights.classifiers import (
    EMOTIONS,
    Classifier,
    EmotionPrediction,
    UnknownClassifier,
    emotion_of_label,
    get_classifier,
    register,
)
from cxloop.insights.classifiers.coldstart import ColdStartClassifier, seed_examples
from cxloop.insights.classifiers.workspace import (
    EmotionModel,
    InvalidModelFile,
    NotEnoughExamples,
    train_model,
)


def test_labels_of_data_sets_map_to_emotions():
    assert [emotion_of_label(x) for x in ("negative", "Neutral", "positive", "ok", "WOW")] == [
        "negative",
        "ok",
        "wow",
        "ok",
        "wow",
    ]


def test_cold_start_says_it_is_the_cold_start_one():
    emotion, confidence, name = classify("Дякую, все чудово!")
    assert name == "cold-start v2"
    assert emotion == "wow"
    assert 1 / 3 < confidence <= 1


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("Жахливо. Посилка прийшла розбита, більше ніколи не замовлю", "negative"),
        ("Ужасно, курьер нахамил и опоздал на три часа", "negative"),
        ("Awful, the parcel was late and support never answered", "negative"),
        ("Все чудово, дякую, рекомендую всім!", "wow"),
        ("Отличный магазин, спасибо, очень довольна!", "wow"),
        ("Amazing service, thank you so much!", "wow"),
    ],
)
def test_cold_start_on_plain_texts(text, emotion):
    assert classify(text)[0] == emotion


def test_negation_is_not_the_word_it_negates():
    cold = get_classifier("cold-start")
    bad, not_bad = cold.predict(["Погано", "Не погано"], ["uk", "uk"])
    assert bad.emotion == "negative"
    assert not_bad.emotion != "negative"
    bad_en, not_bad_en = cold.predict(["bad", "not bad"], ["en", "en"])
    assert bad_en.emotion == "negative"
    assert not_bad_en.emotion != "negative"


@pytest.mark.parametrize("text", ["", "😍😍😍", "👎", "!!!", "x" * 200_000])
def test_empty_emoji_and_huge_texts_get_an_answer(text):
    (result,) = analyse_texts([text])
    assert result.emotion in EMOTIONS
    assert 0 <= result.confidence <= 1


def test_seed_set_is_balanced_and_trilingual():
    examples = seed_examples()
    for lang in ("uk", "ru", "en"):
        counts = {e: sum(1 for _, em, la in examples if la == lang and em == e) for e in EMOTIONS}
        assert min(counts.values()) >= 30, (lang, counts)


def test_registry_and_setting_choose_the_classifier(settings, monkeypatch):
    monkeypatch.setattr(classifiers, "_registry", dict(classifiers._registry))

    @register("always-ok")
    def _always_ok(workspace):
        class AlwaysOk:
            name = "always-ok"
            version = "1"

            def predict(self, texts, languages):
                return [EmotionPrediction("ok", 1.0, "always-ok v1") for _ in texts]

        return AlwaysOk()

    settings.INSIGHTS_EMOTION_CLASSIFIER = "always-ok"
    classifier = get_classifier()
    assert isinstance(classifier, Classifier)
    assert analyse_texts(["Жахливо"], classifier=classifier)[0].emotion == "ok"
    settings.INSIGHTS_EMOTION_CLASSIFIER = "auto"
    assert isinstance(get_classifier(), ColdStartClassifier)
    with pytest.raises(UnknownClassifier, match="No emotion classifier called 'nope'"):
        get_classifier("nope")


def _train(examples, **kwargs) -> EmotionModel:
    texts, emotions, languages = zip(*examples, strict=True)
    return train_model(list(texts), list(emotions), list(languages), **kwargs)


def test_workspace_model_learns_and_reports_cross_validated_quality(examples):
    model = _train(examples, folds=3)
    assert model.metrics["examples"] == len(examples)
    assert model.metrics["macro_f1"] > 0.9
    assert set(model.metrics["f1"]) == set(EMOTIONS)
    predictions = model.predict(
        ["Доставка жахлива, дуже розчарований", "The book was amazing, thank you!"], ["uk", "en"]
    )
    assert [p.emotion for p in predictions] == ["negative", "wow"]
    assert predictions[0].classifier == "workspace v1"


def test_model_file_round_trip_gives_the_same_answers(examples, tmp_path):
    model = _train(examples, folds=0)
    path = tmp_path / "model.cxm"
    model.save(str(path))
    loaded = EmotionModel.load(str(path))
    texts = ["Курьер просто супер", "Packaging was ordinary", "Товар зламаний"]
    langs = ["ru", "en", "uk"]
    np.testing.assert_allclose(
        loaded.predict_proba(texts, langs), model.predict_proba(texts, langs), atol=2e-3
    )


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    path = tmp_path / "model.cxm"
    path.write_bytes(b"not a model at all")
    with pytest.raises(InvalidModelFile, match="cxloop insights train"):
        EmotionModel.load(str(path))


def test_training_needs_examples_of_every_emotion(examples):
    no_wow = [e for e in examples if e[1] != "wow"]
    with pytest.raises(NotEnoughExamples, match="wow has 0"):
        _train(no_wow)


def test_scores_teach_finer_levels_than_the_three_emotions(examples):
    # Stars 1–5 labelled 1–2 / 3 / 4–5, as review sites do: 1★ vs 2★ and 4★ vs 5★ get learners
    # of their own; the cuts at the emotion boundaries would repeat the one-vs-rest ones.
    stars = {"negative": [1, 2], "ok": [3], "wow": [4, 5]}
    scores = [(stars[e][i % len(stars[e])] - 1) / 4 for i, (_, e, _) in enumerate(examples)]
    model = _train(examples, scores=scores, folds=3)
    assert model.metrics["ordinal_cuts"] == [0.125, 0.875]
    assert model.metrics["macro_f1"] > 0.9
    # However many learners, the saved model is one linear layer over the features.
    assert model.coef.shape == (3, model.features.n_features)


def test_labels_alone_add_no_cut_and_still_train_the_stacked_model(examples):
    model = _train(examples, folds=3)
    assert model.metrics["ordinal_cuts"] == []
    assert model.metrics["stack_folds"] == 3


def test_weights_let_corrections_outweigh_score_labels():
    texts = ["Доставка норм"] * 10 + ["Все погано"] * 10 + ["Все чудово"] * 10
    emotions = ["wow"] * 5 + ["ok"] * 5 + ["negative"] * 10 + ["wow"] * 10
    weights = [1.0] * 5 + [3.0] * 5 + [1.0] * 20
    model = train_model(texts, emotions, ["uk"] * 30, weights=weights, folds=0)
    assert model.predict(["Доставка норм"], ["uk"])[0].emotion == "ok"
