"""Export: CSV and Parquet round trips, formula escaping, one workspace only, Cyrillic intact."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cxloop.analytics.export import (
    DATASETS,
    Column,
    available_datasets,
    csv_lines,
    csv_response,
    escape_formula,
    record_batches,
    write_parquet,
)
from cxloop.core.scoping import bind_workspace
from cxloop.feedback.models import Answer, Response

from ..factories import CustomerFactory, ExperienceFactory, OrderFactory, SurveyFactory

COLUMNS = (
    Column("id", "int"),
    Column("name"),
    Column("amount", "money"),
    Column("at", "datetime"),
    Column("topics", "list"),
)
ROWS = [
    (
        1,
        "Оксана Петренко",
        Decimal("420.50"),
        datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        ["доставка"],
    ),
    (2, '=HYPERLINK("http://evil")', Decimal("-3.00"), None, []),
    (3, "Ёжик в тумане — «книга»", None, datetime(2026, 3, 2, tzinfo=UTC), ["ціна", "сайт"]),
]


def _read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_round_trip_keeps_values_and_cyrillic():
    rows = _read_csv("".join(csv_lines(COLUMNS, ROWS)))
    assert [r["name"] for r in rows] == [
        "Оксана Петренко",
        '\'=HYPERLINK("http://evil")',
        "Ёжик в тумане — «книга»",
    ]
    assert rows[0]["amount"] == "420.50"
    assert rows[1]["amount"] == "-3.00"  # a negative number is a number, not a formula
    assert rows[0]["at"] == "2026-03-01T09:30:00+00:00"
    assert rows[2]["topics"] == "ціна; сайт"
    assert rows[1]["at"] == ""


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+380501234567", "'+380501234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_escaped(cell, written):
    assert escape_formula(cell) == written


def test_parquet_round_trip_keeps_types_and_cyrillic(tmp_path):
    path = tmp_path / "table.parquet"
    assert write_parquet(COLUMNS, ROWS, str(path), chunk=2) == 3
    table = pq.read_table(path)
    assert table.schema.field("amount").type.scale == 2
    data = table.to_pylist()
    assert data[0]["name"] == "Оксана Петренко"
    assert data[1]["name"] == '=HYPERLINK("http://evil")'  # typed data: kept exactly
    assert data[0]["amount"] == Decimal("420.50")
    assert data[0]["at"] == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert data[2]["topics"] == ["ціна", "сайт"]
    assert data[1]["at"] is None


def test_parquet_is_written_in_batches_of_the_chunk_size():
    batches = list(record_batches(COLUMNS, iter(ROWS * 5), chunk=4))
    assert [b.num_rows for b in batches] == [4, 4, 4, 3]


def test_streamed_csv_response_binds_the_workspace_while_streaming(alice):
    CustomerFactory(workspace=alice.workspace, name="Марія")
    dataset = DATASETS["customers"]
    with bind_workspace(alice.workspace):
        rows = dataset.rows()
    response = csv_response(dataset.columns, rows, "customers", alice.workspace)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Марія" in body
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'


@pytest.fixture
def two_shops(alice, bob):
    mine = CustomerFactory(workspace=alice.workspace, name="Аліса Коваль", external_id="A-1")
    OrderFactory(workspace=alice.workspace, customer=mine, amount=Decimal("199.90"))
    ExperienceFactory(
        workspace=alice.workspace, customer=mine, nps=2, text="=Кур'єр запізнився на дві години"
    )
    _answer(alice.workspace, mine, "Усе чудово")
    theirs = CustomerFactory(workspace=bob.workspace, name="BOB-ONLY", external_id="B-1")
    OrderFactory(workspace=bob.workspace, customer=theirs)
    ExperienceFactory(workspace=bob.workspace, customer=theirs, text="BOB-ONLY words")
    _answer(bob.workspace, theirs, "BOB-ONLY answer")
    return alice, bob


def _answer(workspace, customer, text):
    """One completed response with a score and a comment, stored as the survey page stores it."""
    survey = SurveyFactory(workspace=workspace, kind="nps")
    with bind_workspace(workspace):
        response = Response.objects.create(
            survey=survey,
            customer=customer,
            submission_id=uuid.uuid4(),
            via=Response.Via.PERSONAL,
            language="uk",
            status=Response.Status.COMPLETED,
            completed_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
        questions = list(survey.questions.order_by("position"))
        Answer.objects.create(response=response, question=questions[0], number=9)
        Answer.objects.create(response=response, question=questions[-1], text=text)


@pytest.mark.parametrize("dataset", ["customers", "orders", "experiences", "survey_answers"])
@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_export_of_alice_never_contains_bobs_rows(two_shops, tmp_path, dataset, file_format):
    path = tmp_path / f"out.{file_format}"
    call_command(
        "export",
        dataset,
        workspace="alice",
        file_format=file_format,
        output=str(path),
        stdout=io.StringIO(),
    )
    if file_format == "csv":
        text = path.read_text(encoding="utf-8-sig")
        rows = _read_csv(text)
    else:
        text = str(pq.read_table(path).to_pylist())
        rows = pq.read_table(path).to_pylist()
    assert "BOB-ONLY" not in text
    assert "B-1" not in text
    expected = {"customers": 1, "orders": 1, "experiences": 1, "survey_answers": 2}[dataset]
    assert len(rows) == expected


def test_experience_export_has_escaped_cyrillic_text_and_the_customer(two_shops, tmp_path):
    path = tmp_path / "experiences.csv"
    call_command("export", "experiences", workspace="alice", output=str(path), stdout=io.StringIO())
    (row,) = _read_csv(path.read_text(encoding="utf-8-sig"))
    assert row["text"] == "'=Кур'єр запізнився на дві години"
    assert row["customer_external_id"] == "A-1"
    assert row["emotion"] == "negative"
    assert row["topics"] == ""  # not analysed in this test


def test_since_keeps_only_newer_rows(alice, tmp_path):
    old = CustomerFactory(workspace=alice.workspace)
    OrderFactory(
        workspace=alice.workspace, customer=old, placed_at=datetime(2025, 1, 5, tzinfo=UTC)
    )
    OrderFactory(
        workspace=alice.workspace, customer=old, placed_at=datetime(2026, 1, 5, tzinfo=UTC)
    )
    path = tmp_path / "orders.parquet"
    call_command(
        "export",
        "orders",
        workspace="alice",
        file_format="parquet",
        output=str(path),
        since="2026-01-01",
        stdout=io.StringIO(),
    )
    assert [r["placed_at"].year for r in pq.read_table(path).to_pylist()] == [2026]


def test_unknown_workspace_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("export", "customers", workspace="nobody", output=str(tmp_path / "x.csv"))


def test_every_dataset_of_this_installation_is_listed():
    assert {"customers", "orders", "experiences", "survey_answers"} <= set(available_datasets())


def test_experiences_carry_the_texts_emotion_and_topics_of_their_own_workspace(
    alice, bob, tmp_path
):
    from django.utils import timezone

    from cxloop.insights.models import ExperienceAnalysis, Topic

    def analysed(tenant, text, topic_keys, corrected=""):
        experience = ExperienceFactory(workspace=tenant.workspace, text=text)
        with bind_workspace(tenant.workspace):
            analysis = ExperienceAnalysis.objects.create(
                experience=experience,
                language="uk",
                emotion="ok",
                corrected_emotion=corrected,
                confidence=0.8,
                classifier="test",
                analysed_at=timezone.now(),
            )
            for key in topic_keys:
                topic, _ = Topic.objects.get_or_create(key=key, defaults={"name": key})
                analysis.topics.add(topic)
        return experience

    analysed(alice, "Доставка довга і дорога", ["price", "delivery"], corrected="negative")
    analysed(bob, "BOB-ONLY text", ["bob-secret-topic"])
    analysed(alice, "Все добре", [])
    path = tmp_path / "experiences.parquet"
    call_command(
        "export",
        "experiences",
        workspace="alice",
        file_format="parquet",
        output=str(path),
        stdout=io.StringIO(),
    )
    rows = pq.read_table(path).to_pylist()
    assert [(r["text"], r["text_emotion"], r["topics"]) for r in rows] == [
        ("Доставка довга і дорога", "negative", ["delivery", "price"]),
        ("Все добре", "ok", []),
    ]
