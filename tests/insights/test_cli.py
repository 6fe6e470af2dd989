"""``cxloop insights classify|train|evaluate`` on CSV files."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from cxloop.insights.classifiers.workspace import EmotionModel

from .conftest import constructed_examples


def _write(path, rows, fields):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("insights", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def labelled(tmp_path):
    path = tmp_path / "labelled.csv"
    label_of = {"negative": "negative", "ok": "neutral", "wow": "positive"}
    score_of = {"negative": 3, "ok": 8, "wow": 10}
    _write(
        path,
        [
            {"text": t, "label": label_of[e], "score": score_of[e], "id": i}
            for i, (t, e, _) in enumerate(constructed_examples(45))
        ],
        ["id", "text", "label", "score"],
    )
    return path


def test_classify_adds_columns_and_keeps_the_others(tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [
        {"id": "1", "body": "Кур'єр запізнився на три дні, жах"},
        {"id": "2", "body": 'Thanks, "great" service,\nreally'},
        {"id": "3", "body": ""},
        {"id": "4", "body": "😍😍"},
    ]
    _write(source, rows, ["id", "body"])
    _, err = _run("classify", str(source), "--text-column", "body", "-o", str(target))
    with open(target, encoding="utf-8", newline="") as handle:
        result = list(csv.DictReader(handle))
    assert [r["id"] for r in result] == ["1", "2", "3", "4"]
    assert result[1]["body"] == 'Thanks, "great" service,\nreally'
    assert [r["lang"] for r in result] == ["uk", "en", "other", "other"]
    assert result[0]["emotion"] == "negative"
    assert set(result[0]["topics"].split(";")) == {"delivery", "courier"}
    assert all(0 <= float(r["emotion_confidence"]) <= 1 for r in result)
    assert "4 rows" in err
    assert "100%" in err


def test_classify_streams_in_chunks(tmp_path, monkeypatch):
    from cxloop.insights.management.commands import insights

    monkeypatch.setattr(insights, "CHUNK", 7)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _write(source, [{"text": f"Доставка {i}"} for i in range(50)], ["text"])
    _run("classify", str(source), "-o", str(target))
    with open(target, encoding="utf-8") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == 50


def test_train_then_evaluate_and_classify_with_the_model(labelled, tmp_path):
    model = tmp_path / "model.cxm"
    out, _ = _run("train", str(labelled), "--text-column", "text", "--label-column", "label",
                  "-o", str(model), "--folds", "3")  # fmt: skip
    assert "cross-validated macro-F1: " in out
    out, _ = _run("evaluate", str(labelled), "--text-column", "text", "--label-column", "label",
                  "--model", str(model))  # fmt: skip
    lines = out.splitlines()
    assert "classifier: workspace v1" in lines
    macro = next(line for line in lines if line.startswith("macro-F1: "))
    assert float(macro.split()[1]) > 0.9
    assert any(line.startswith("accuracy: ") for line in lines)
    assert any(line.strip().startswith("uk: n=") for line in lines)
    assert "confusion matrix (rows: true, columns: predicted)" in lines
    target = tmp_path / "out.csv"
    _run("classify", str(labelled), "-o", str(target), "--model", str(model))
    with open(target, encoding="utf-8") as handle:
        assert {r["emotion"] for r in csv.DictReader(handle)} == {"negative", "ok", "wow"}


def test_train_from_scores(labelled, tmp_path):
    model = tmp_path / "model.cxm"
    out, _ = _run("train", str(labelled), "--score-column", "score", "--scale", "nps",
                  "-o", str(model), "--folds", "0")  # fmt: skip
    assert model.exists()
    assert "saved" in out


def test_train_from_scores_learns_the_finer_levels_too(tmp_path):
    path, model = tmp_path / "nps.csv", tmp_path / "model.cxm"
    nps = {"negative": (0, 5), "ok": (7, 8), "wow": (9, 10)}
    rows = [
        {"text": t, "score": nps[e][i % 2]} for i, (t, e, _) in enumerate(constructed_examples(45))
    ]
    _write(path, rows, ["text", "score"])
    out, _ = _run("train", str(path), "--score-column", "score", "--scale", "nps",
                  "-o", str(model), "--folds", "3")  # fmt: skip
    assert "cross-validated macro-F1" in out
    # 0|5, 7|8 and 9|10 get learners of their own; 5|7 and 8|9 are the emotion boundaries.
    assert EmotionModel.load(str(model)).metrics["ordinal_cuts"] == [0.25, 0.75, 0.95]


def test_evaluate_defaults_to_the_cold_start_classifier(labelled):
    out, _ = _run("evaluate", str(labelled), "--text-column", "text", "--label-column", "label")
    assert "classifier: cold-start v2" in out


def test_errors_say_how_to_fix_the_input(labelled, tmp_path):
    with pytest.raises(CommandError, match="has no column 'comment'"):
        _run("classify", str(labelled), "--text-column", "comment", "-o", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="--scale"):
        _run("train", str(labelled), "--score-column", "score", "-o", str(tmp_path / "m"))
    with pytest.raises(CommandError, match="line 2: Unknown label"):
        _run("evaluate", str(labelled), "--label-column", "id")
    with pytest.raises(CommandError, match="No emotion classifier called 'nope'"):
        _run("evaluate", str(labelled), "--model", "nope")
