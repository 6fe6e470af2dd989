"""Reviews and social mentions: imported once, matched to customers, recorded as experiences."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cxloop.accounts.services import issue_token
from cxloop.core.scoping import bind_workspace
from cxloop.experiences.models import Experience
from cxloop.feedback.mentions import import_mentions
from cxloop.feedback.models import Mention

from ..factories import CustomerFactory

SCRIPT = "<script>alert('x')</script> love it"


def row(external_id: str = "g-1", **values) -> dict:
    return {
        "source": "google",
        "external_id": external_id,
        "author": "Olena",
        "url": f"https://maps.example.com/r/{external_id}",
        "text": "Fast delivery",
        "posted_at": "2026-05-01T10:00:00+00:00",
        **values,
    }


def run(workspace, rows, via=Mention.ImportedVia.API):
    with bind_workspace(workspace):
        return import_mentions(rows, via)


def test_a_rated_mention_becomes_a_review_experience_on_the_stars5_scale(alice):
    result = run(alice.workspace, [row(rating=2)])

    assert (result.created, result.duplicates, result.errors) == (1, 0, [])
    mention = Mention.unscoped.get()
    assert (mention.kind, mention.rating, mention.rating_scale) == ("review", 2, "stars5")
    experience = Experience.unscoped.get()
    assert mention.experience_id == experience.pk
    assert (experience.source, experience.score, experience.scale) == ("review", 2, "stars5")
    assert experience.outcome == "below"
    assert experience.occurred_at == mention.posted_at


def test_an_unrated_mention_is_a_social_experience_that_met_expectations(alice):
    run(alice.workspace, [row(rating="")])

    experience = Experience.unscoped.get()
    assert (experience.source, experience.score, experience.outcome) == ("social", None, "met")
    assert experience.text == "Fast delivery"
    assert Mention.unscoped.get().kind == "mention"


def test_importing_the_same_rows_twice_stores_them_once(alice):
    rows = [row("g-1", rating=5), row("g-2")]

    first = run(alice.workspace, rows)
    second = run(alice.workspace, rows)

    assert (first.created, first.duplicates) == (2, 0)
    assert (second.created, second.duplicates) == (0, 2)
    assert Mention.unscoped.count() == 2
    assert Experience.unscoped.count() == 2


def test_a_repeat_within_one_batch_is_a_duplicate(alice):
    result = run(alice.workspace, [row("g-1"), row("g-1", text="edited"), row("G-1", source="X")])

    assert (result.created, result.duplicates) == (2, 1)
    assert Mention.unscoped.get(source="google").text == "Fast delivery"


def test_the_same_id_from_another_source_or_workspace_is_another_mention(alice, bob):
    run(alice.workspace, [row("1"), row("1", source="instagram")])
    run(bob.workspace, [row("1")])

    assert Mention.unscoped.filter(workspace=alice.workspace).count() == 2
    assert Mention.unscoped.filter(workspace=bob.workspace).count() == 1


def test_bad_rows_are_reported_with_reasons_and_good_rows_are_stored(alice):
    rows = [
        row("ok-1"),
        row("bad-rating", rating=9),
        {"source": "google", "text": "no id, no time"},
        row("bad-url", url="javascript:alert(1)"),
        "not an object",
        row("too-long", text="x" * 10_001),
        row("future", posted_at="2999-01-01T00:00:00Z"),
        row("ok-2"),
    ]

    result = run(alice.workspace, rows)

    assert result.created == 2
    reasons = {e.index: e.message for e in result.errors}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6]
    assert "rating" in reasons[1]
    assert "5" in reasons[1]
    assert "external_id: Field required" in reasons[2]
    assert "posted_at" in reasons[2]
    assert "http(s)" in reasons[3]
    assert "must be an object" in reasons[4]
    assert "text" in reasons[5]
    assert "future" in reasons[6]
    assert result.errors[0].external_id == "bad-rating"
    assert set(Mention.unscoped.values_list("external_id", flat=True)) == {"ok-1", "ok-2"}


def test_mentions_are_matched_to_customers_by_external_id_email_or_phone(alice, bob):
    by_id = CustomerFactory(workspace=alice.workspace, external_id="C-7")
    by_email = CustomerFactory(workspace=alice.workspace, email="olena@example.org")
    by_phone = CustomerFactory(workspace=alice.workspace, phone="+380 67 123 4567")
    CustomerFactory(workspace=bob.workspace, external_id="C-9")

    run(
        alice.workspace,
        [
            row("a", customer_external_id="C-7", customer_email="olena@example.org"),
            row("b", customer_email="Olena@Example.org"),
            row("c", customer_phone="+380 67 123 4567"),
            row("d", customer_external_id="C-9"),  # Bob's customer: not Alice's to match
            row("e"),
        ],
    )

    matched = dict(Mention.unscoped.values_list("external_id", "customer_id"))
    assert matched == {"a": by_id.pk, "b": by_email.pk, "c": by_phone.pk, "d": None, "e": None}
    assert Experience.unscoped.get(customer=by_email).text == "Fast delivery"
    by_email.refresh_from_db()
    assert by_email.last_experience_at is not None


def test_text_is_stored_as_posted_and_escaped_on_the_customer_timeline(alice):
    customer = CustomerFactory(workspace=alice.workspace, email="x@example.org")

    run(
        alice.workspace,
        [row("xss", text=SCRIPT, author="<b>Eve</b>", customer_email="x@example.org")],
    )

    assert Mention.unscoped.get().text == SCRIPT
    page = alice.client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; love it" in page
    assert "<script>alert(" not in page


# --- the command ---------------------------------------------------------------------------


def _command(path, workspace) -> str:
    out = StringIO()
    call_command("import_mentions", str(path), "--workspace", workspace.slug, stdout=out)
    return out.getvalue()


def test_the_command_imports_a_csv_file_once_and_reports_bad_rows(alice, tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(
        "source,external_id,author,url,rating,text,posted_at\n"
        "google,r1,Olena,https://g.example/r1,5,Great,2026-05-01T10:00:00Z\n"
        "google,r2,Petro,,,Fine,2026-05-02 11:00\n"
        "google,r3,Ivan,,7,Too many stars,2026-05-03T10:00:00Z\n",
        encoding="utf-8",
    )

    first = _command(path, alice.workspace)
    second = _command(path, alice.workspace)

    assert "2 created, 0 duplicates, 1 bad" in first
    assert "row 3 (r3): rating: Input should be less than or equal to 5" in first
    assert "0 created, 2 duplicates, 1 bad" in second
    assert Mention.unscoped.count() == 2
    assert set(Mention.unscoped.values_list("imported_via", flat=True)) == {"csv"}


def test_the_command_reads_a_json_array_and_json_lines(alice, tmp_path):
    array = tmp_path / "mentions.json"
    array.write_text(json.dumps([row("j1", rating=4), row("j2")]), encoding="utf-8")
    lines = tmp_path / "mentions.jsonl"
    lines.write_text(
        "\n".join([json.dumps(row("j2")), "{broken", json.dumps(row("j3"))]) + "\n",
        encoding="utf-8",
    )

    assert "2 created, 0 duplicates, 0 bad" in _command(array, alice.workspace)
    report = _command(lines, alice.workspace)

    assert "1 created, 1 duplicates, 1 bad" in report
    assert "row 2: line 2 is not valid JSON" in report
    assert Mention.unscoped.count() == 3


def test_the_command_refuses_an_unknown_workspace(alice, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "m.json"
    path.write_text("[]", encoding="utf-8")

    with pytest.raises(CommandError, match="No workspace with the slug 'nobody'"):
        call_command("import_mentions", str(path), "--workspace", "nobody")


# --- the API -------------------------------------------------------------------------------


def _bearer(tenant) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(tenant.membership, 'test').secret}"}


def test_the_api_imports_in_bulk_and_reports_each_refused_row(alice):
    headers = _bearer(alice)
    body = {"rows": [row("a1", rating=5), row("a2", rating=0), row("a1")]}

    response = alice.client.post(
        "/api/v1/mentions", json.dumps(body), content_type="application/json", **headers
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["duplicates"]) == (1, 1)
    assert [(e["index"], e["external_id"]) for e in data["errors"]] == [(1, "a2")]
    assert Mention.unscoped.get().imported_via == "api"


def test_the_api_refuses_more_than_a_thousand_rows(alice):
    body = {"rows": [row(f"r{i}") for i in range(1001)]}

    response = alice.client.post(
        "/api/v1/mentions", json.dumps(body), content_type="application/json", **_bearer(alice)
    )

    assert response.status_code == 413
    assert "at most 1,000" in response.json()["detail"]
    assert not Mention.unscoped.exists()


def test_the_api_lists_only_the_tokens_workspace_page_by_page(alice, bob):
    run(alice.workspace, [row("alice-1"), row("alice-2", posted_at="2026-05-02T10:00:00Z")])
    run(bob.workspace, [row("bob-1")])
    headers = _bearer(alice)

    first = alice.client.get("/api/v1/mentions", {"limit": 1}, **headers).json()
    second = alice.client.get(
        "/api/v1/mentions", {"limit": 1, "cursor": first["next_cursor"]}, **headers
    ).json()
    bobs = bob.client.get("/api/v1/mentions", **_bearer(bob)).json()

    assert [m["external_id"] for m in first["items"] + second["items"]] == ["alice-2", "alice-1"]
    assert second["next_cursor"] is None
    assert [m["external_id"] for m in bobs["items"]] == ["bob-1"]
