"""``cxloop insights classify|train|evaluate``: the text analytics for data people, on CSV files.

    cxloop insights classify IN.csv --text-column text -o OUT.csv [--model MODEL]
    cxloop insights train IN.csv --text-column text --label-column label -o MODEL
    cxloop insights train IN.csv --text-column text --score-column score --scale nps -o MODEL
    cxloop insights evaluate IN.csv --text-column text --label-column label [--model MODEL]

``classify`` streams: it reads, analyses and writes a chunk of rows at a time, so memory stays
flat whatever the file size, and prints its progress to stderr. ``MODEL`` is a file written by
``train`` or the name of a registered classifier (``cold-start``). These flags are an interface:
scripts depend on them.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from collections.abc import Iterator

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from cxloop.experiences.scoring import (
    Scale,
    emotion_for_outcome,
    outcome_for_score,
    scaled_score,
)

from ...analysis import analyse_texts
from ...classifiers import EMOTIONS, Classifier, UnknownClassifier, UnknownLabel, emotion_of_label
from ...classifiers import get_classifier as registered_classifier
from ...classifiers.workspace import EmotionModel, InvalidModelFile, NotEnoughExamples, train_model
from ...language import detect_language

CHUNK = 2_000
# Texts longer than csv's default field limit (128 KiB) are real in exports; allow 16 MiB.
csv.field_size_limit(16 * 1024 * 1024)


class Command(BaseCommand):
    help = "Language, emotion and topics of texts in CSV files; train and evaluate models."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        classify = sub.add_parser("classify", help="add lang, emotion, emotion_confidence, topics")
        classify.add_argument("input")
        classify.add_argument("--text-column", default="text")
        classify.add_argument("-o", "--output", required=True)
        classify.add_argument("--model", default=None)
        train = sub.add_parser("train", help="train an emotion model file from labelled texts")
        train.add_argument("input")
        train.add_argument("--text-column", default="text")
        train.add_argument("--label-column")
        train.add_argument("--score-column")
        train.add_argument("--scale", choices=[s.value for s in Scale])
        train.add_argument("-o", "--output", required=True)
        train.add_argument("--folds", type=int, default=5, help="cross-validation folds; 0 skips")
        evaluate = sub.add_parser("evaluate", help="macro-F1, accuracy, confusion matrix")
        evaluate.add_argument("input")
        evaluate.add_argument("--text-column", default="text")
        evaluate.add_argument("--label-column", default="label")
        evaluate.add_argument("--model", default=None)

    def handle(self, *args, **options):
        return getattr(self, options["action"])(options)

    # --- helpers ---------------------------------------------------------------------------
    def _classifier(self, model: str | None) -> Classifier:
        if model is None:
            return registered_classifier("cold-start")
        if os.path.exists(model):
            try:
                return EmotionModel.load(model)
            except InvalidModelFile as exc:
                raise CommandError(f"{model}: {exc}") from exc
        try:
            return registered_classifier(model)
        except UnknownClassifier as exc:
            raise CommandError(f"{exc} (or give the path of a model file)") from exc

    def _reader(self, path: str, columns: list[str]) -> tuple[csv.DictReader, io.BufferedReader]:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raw.close()
            raise CommandError(
                f"{path} has no column {', '.join(map(repr, missing))}; "
                f"its columns are {', '.join(reader.fieldnames or [])}."
            )
        return reader, raw

    @staticmethod
    def _chunks(reader: csv.DictReader) -> Iterator[list[dict]]:
        chunk = []
        for row in reader:
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _progress(self, raw, size: int, rows: int, started: float, done: bool = False) -> None:
        elapsed = max(time.perf_counter() - started, 1e-9)
        share = 1.0 if done else min(raw.tell() / size, 1.0) if size else 0.0
        bar = "#" * int(share * 30)
        self.stderr.write(
            f"\r[{bar:<30}] {share:4.0%} {rows:,} rows {rows / elapsed:,.0f} rows/s",
            ending="\n" if done else "",
        )
        self.stderr.flush()

    # --- actions ---------------------------------------------------------------------------
    def classify(self, options) -> None:
        text_column = options["text_column"]
        classifier = self._classifier(options["model"])
        reader, raw = self._reader(options["input"], [text_column])
        size = os.fstat(raw.fileno()).st_size
        started = time.perf_counter()
        rows = 0
        extra = ["lang", "emotion", "emotion_confidence", "topics"]
        fields = [f for f in reader.fieldnames if f not in extra] + extra
        with raw, open(options["output"], "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            for chunk in self._chunks(reader):
                results = analyse_texts(
                    [r[text_column] or "" for r in chunk], classifier=classifier
                )
                for row, result in zip(chunk, results, strict=True):
                    row.update(
                        lang=result.language,
                        emotion=result.emotion,
                        emotion_confidence=f"{result.confidence:.3f}",
                        topics=";".join(result.topics),
                    )
                writer.writerows(chunk)
                rows += len(chunk)
                self._progress(raw, size, rows, started)
        self._progress(raw, size, rows, started, done=True)

    def _labelled(self, options) -> tuple[list[str], list[str], list[float] | None]:
        """Texts, their emotions and, with ``--score-column``, their scores scaled to 0–1."""
        text_column = options["text_column"]
        label_column, score_column = options.get("label_column"), options.get("score_column")
        if bool(label_column) == bool(score_column):
            raise CommandError("Give either --label-column or --score-column (with --scale).")
        if score_column and not options.get("scale"):
            raise CommandError("--score-column needs --scale nps, csat, ces or stars5.")
        reader, raw = self._reader(options["input"], [text_column, label_column or score_column])
        texts, emotions, scores = [], [], []
        with raw:
            for line, row in enumerate(reader, start=2):
                try:
                    if label_column:
                        emotion = emotion_of_label(row[label_column])
                    else:
                        score = int(row[score_column])
                        outcome = outcome_for_score(score, options["scale"])
                        emotion = str(emotion_for_outcome(outcome))
                        scores.append(scaled_score(score, options["scale"]))
                except (UnknownLabel, ValueError) as exc:
                    raise CommandError(f"{options['input']}, line {line}: {exc}") from exc
                texts.append(row[text_column] or "")
                emotions.append(emotion)
        return texts, emotions, (scores if score_column else None)

    def train(self, options) -> None:
        texts, emotions, scores = self._labelled(options)
        languages = [detect_language(t) for t in texts]
        try:
            model = train_model(texts, emotions, languages, scores=scores, folds=options["folds"])
        except NotEnoughExamples as exc:
            raise CommandError(str(exc)) from exc
        model.save(options["output"])
        metrics = model.metrics
        if "macro_f1" in metrics:
            self.stdout.write(
                f"cross-validated macro-F1: {metrics['macro_f1']:.3f} "
                f"({metrics['folds']} folds, {metrics['examples']} examples)"
            )
        self.stdout.write(f"saved {options['output']} in {metrics['train_seconds']:.1f}s")

    def evaluate(self, options) -> None:
        texts, emotions, _ = self._labelled({**options, "score_column": None})
        classifier = self._classifier(options["model"])
        languages, predicted = [], []
        for start in range(0, len(texts), CHUNK):
            part = texts[start : start + CHUNK]
            langs = [detect_language(t) for t in part]
            languages += langs
            predicted += [p.emotion for p in classifier.predict(part, langs)]
        truth = np.array(emotions)
        guess = np.array(predicted)
        self.stdout.write(f"classifier: {classifier.name} v{classifier.version}")
        self.stdout.write(f"macro-F1: {_macro_f1(truth, guess):.3f}")
        self.stdout.write(f"accuracy: {accuracy_score(truth, guess):.3f}")
        langs = np.array(languages)
        for lang in sorted(set(languages)):
            mask = langs == lang
            self.stdout.write(
                f"  {lang}: n={int(mask.sum())} macro-F1 {_macro_f1(truth[mask], guess[mask]):.3f} "
                f"accuracy {accuracy_score(truth[mask], guess[mask]):.3f}"
            )
        matrix = confusion_matrix(truth, guess, labels=list(EMOTIONS))
        self.stdout.write("confusion matrix (rows: true, columns: predicted)")
        self.stdout.write(" " * 10 + "".join(f"{e:>10}" for e in EMOTIONS))
        for emotion, row in zip(EMOTIONS, matrix, strict=True):
            self.stdout.write(f"{emotion:>10}" + "".join(f"{n:>10}" for n in row))


def _macro_f1(truth: np.ndarray, guess: np.ndarray) -> float:
    """Macro-F1 over the three emotions; an emotion absent from both sides counts as 0."""
    return float(f1_score(truth, guess, average="macro", labels=list(EMOTIONS), zero_division=0))


def main() -> None:  # pragma: no cover - convenience for `python -m`
    from django.core.management import call_command

    call_command("insights", *sys.argv[1:])
