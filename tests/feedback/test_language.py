"""The respondent reads the survey in their language: asked for, else the customer's, else the
browser's, else the workspace's default."""

from __future__ import annotations

import pytest

from cxloop.accounts.models import Workspace

from ..factories import CustomerFactory, SurveyFactory

pytestmark = pytest.mark.django_db

QUESTION = {
    "en": "How likely are you to recommend us",
    "uk": "Наскільки ймовірно, що ви порекомендуєте нас",
    "ru": "Насколько вероятно, что вы порекомендуете нас",
}


def _language_of(page) -> str:
    body = page.content.decode()
    found = [code for code, text in QUESTION.items() if text in body]
    assert len(found) == 1, found
    assert f'<html lang="{found[0]}">' in body
    assert page["Content-Language"] == found[0]
    return found[0]


def test_the_customers_language_wins_over_the_browsers(alice, nps, invite, respondent):
    customer = CustomerFactory(workspace=alice.workspace, language="ru")
    page = respondent.get(invite(nps, customer).path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert _language_of(page) == "ru"


def test_the_invitations_language_wins_over_the_customers(alice, nps, invite, respondent):
    customer = CustomerFactory(workspace=alice.workspace, language="ru")
    page = respondent.get(invite(nps, customer, language="en").path)
    assert _language_of(page) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("uk-UA,uk;q=0.9,en;q=0.5", "uk"), ("de-DE,ru;q=0.8,en;q=0.5", "ru"), ("en-GB", "en")],
)
def test_an_anonymous_respondent_gets_the_browsers_language(nps, respondent, header, expected):
    page = respondent.get(f"/s/{nps.public_key}/", HTTP_ACCEPT_LANGUAGE=header)
    assert _language_of(page) == expected


def test_else_the_workspaces_default_language(alice, nps, respondent):
    Workspace.objects.filter(pk=alice.workspace.pk).update(default_language="uk")
    page = respondent.get(f"/s/{nps.public_key}/", HTTP_ACCEPT_LANGUAGE="de-DE,fr;q=0.5")
    assert _language_of(page) == "uk"


def test_a_language_chosen_on_the_page_wins_and_is_kept_across_steps(nps, respondent):
    from .conftest import Form

    page = respondent.get(f"/s/{nps.public_key}/?lang=ru", HTTP_ACCEPT_LANGUAGE="en")
    assert _language_of(page) == "ru"
    step = Form.of(page).post(respondent, {"q_score": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "lang=ru" in step["Location"]
    assert "Что пошло не так?" in respondent.get(step["Location"]).content.decode()


def test_the_survey_texts_exist_in_every_language(alice):
    from cxloop.feedback.catalog import TEMPLATES

    for template in TEMPLATES.values():
        assert set(template.title) == {"en", "uk", "ru"}
        for question in template.questions:
            assert set(question.text) == {"en", "uk", "ru"}, question.key
            for choice in question.choices:
                assert set(choice["label"]) == {"en", "uk", "ru"}
            for end in question.labels.values():
                assert set(end) == {"en", "uk", "ru"}


def test_every_branching_rule_points_at_an_earlier_step():
    from cxloop.feedback.catalog import TEMPLATES

    for template in TEMPLATES.values():
        pages = {q.key: q.page for q in template.questions}
        for q in template.questions:
            if q.show_if_key:
                assert pages[q.show_if_key] < q.page, (template.kind, q.key)


def test_a_survey_made_in_ukrainian_is_named_in_ukrainian(alice):
    survey = SurveyFactory(workspace=alice.workspace, kind="csat", name="", language="uk")
    assert survey.name == "Задоволеність клієнтів"
    again = SurveyFactory(workspace=alice.workspace, kind="csat", name="", language="uk")
    assert again.name == "Задоволеність клієнтів (2)"
