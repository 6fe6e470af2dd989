"""The survey templates a manager starts from: NPS, CSAT, CES and a custom example.

Survey content is data, not interface: each text is stored on the question in English, Ukrainian
and Russian, so a respondent reads it in their own language whatever language the staff use.

- **NPS** — "How likely are you to recommend us?" 0–10, then "why?"; a detractor (0–6) is also
  asked what went wrong. Promoters 9–10, passives 7–8, detractors 0–6.
- **CSAT** — "How satisfied are you?" 1–5 and an optional comment, on one page.
- **CES** — "How easy was it?" 1–7 (7 = very easy) and an optional comment, on one page.
- **Custom** — a 1–5 rating, one choice, several choices, and a free text asked only when the
  rating is low: every kind of question and the branching rule, to edit from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import QuestionKind, Survey


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    kind: str
    text: dict[str, str]
    page: int = 1
    required: bool = True
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    choices: list[dict[str, Any]] = field(default_factory=list)
    show_if_key: str = ""
    show_if_min: int | None = None
    show_if_max: int | None = None


@dataclass(frozen=True)
class SurveyTemplate:
    kind: str
    name: dict[str, str]
    title: dict[str, str]
    questions: tuple[QuestionSpec, ...]


def _choice(value: str, en: str, uk: str, ru: str) -> dict[str, Any]:
    return {"value": value, "label": {"en": en, "uk": uk, "ru": ru}}


WHAT_WENT_WRONG = [
    _choice("delivery", "Delivery", "Доставка", "Доставка"),
    _choice("price", "Price", "Ціна", "Цена"),
    _choice("staff", "Staff", "Персонал", "Персонал"),
    _choice("quality", "Product quality", "Якість товару", "Качество товара"),
    _choice("site", "Website", "Сайт", "Сайт"),
    _choice("other", "Something else", "Інше", "Другое"),
]

COMMENT = {
    "en": "Anything you would like to add?",
    "uk": "Хочете щось додати?",
    "ru": "Хотите что-нибудь добавить?",
}

NPS = SurveyTemplate(
    kind=Survey.Kind.NPS,
    name={"en": "Net Promoter Score", "uk": "Індекс лояльності (NPS)", "ru": "Индекс NPS"},
    title={
        "en": "Your opinion matters to us",
        "uk": "Ваша думка важлива для нас",
        "ru": "Ваше мнение важно для нас",
    },
    questions=(
        QuestionSpec(
            key="score",
            kind=QuestionKind.NPS,
            text={
                "en": "How likely are you to recommend us to a friend or colleague?",
                "uk": "Наскільки ймовірно, що ви порекомендуєте нас другу чи колезі?",
                "ru": "Насколько вероятно, что вы порекомендуете нас другу или коллеге?",
            },
            labels={
                "low": {
                    "en": "Not at all likely",
                    "uk": "Зовсім не ймовірно",
                    "ru": "Совсем не вероятно",
                },
                "high": {"en": "Extremely likely", "uk": "Дуже ймовірно", "ru": "Очень вероятно"},
            },
        ),
        QuestionSpec(
            key="what_went_wrong",
            kind=QuestionKind.MULTIPLE,
            page=2,
            required=False,
            text={
                "en": "What went wrong?",
                "uk": "Що пішло не так?",
                "ru": "Что пошло не так?",
            },
            choices=WHAT_WENT_WRONG,
            show_if_key="score",
            show_if_max=6,
        ),
        QuestionSpec(
            key="why",
            kind=QuestionKind.TEXT,
            page=2,
            required=False,
            text={
                "en": "What is the main reason for your score?",
                "uk": "Яка головна причина вашої оцінки?",
                "ru": "Какова главная причина вашей оценки?",
            },
        ),
    ),
)

CSAT = SurveyTemplate(
    kind=Survey.Kind.CSAT,
    name={
        "en": "Customer satisfaction",
        "uk": "Задоволеність клієнтів",
        "ru": "Удовлетворённость клиентов",
    },
    title={"en": "How did we do?", "uk": "Як ми впоралися?", "ru": "Как мы справились?"},
    questions=(
        QuestionSpec(
            key="score",
            kind=QuestionKind.CSAT,
            text={
                "en": "How satisfied are you with our service?",
                "uk": "Наскільки ви задоволені нашим обслуговуванням?",
                "ru": "Насколько вы довольны нашим обслуживанием?",
            },
            labels={
                "low": {
                    "en": "Very dissatisfied",
                    "uk": "Зовсім незадоволений",
                    "ru": "Совсем недоволен",
                },
                "high": {"en": "Very satisfied", "uk": "Дуже задоволений", "ru": "Очень доволен"},
            },
        ),
        QuestionSpec(key="comment", kind=QuestionKind.TEXT, required=False, text=COMMENT),
    ),
)

CES = SurveyTemplate(
    kind=Survey.Kind.CES,
    name={"en": "Customer effort", "uk": "Зусилля клієнта (CES)", "ru": "Усилия клиента (CES)"},
    title={"en": "Was it easy?", "uk": "Чи було це легко?", "ru": "Было ли это легко?"},
    questions=(
        QuestionSpec(
            key="score",
            kind=QuestionKind.CES,
            text={
                "en": "How easy was it to get what you needed today?",
                "uk": "Наскільки легко було сьогодні отримати те, що вам потрібно?",
                "ru": "Насколько легко было сегодня получить то, что вам нужно?",
            },
            labels={
                "low": {"en": "Very difficult", "uk": "Дуже важко", "ru": "Очень трудно"},
                "high": {"en": "Very easy", "uk": "Дуже легко", "ru": "Очень легко"},
            },
        ),
        QuestionSpec(key="comment", kind=QuestionKind.TEXT, required=False, text=COMMENT),
    ),
)

CUSTOM = SurveyTemplate(
    kind=Survey.Kind.CUSTOM,
    name={"en": "Custom survey", "uk": "Власне опитування", "ru": "Собственный опрос"},
    title={
        "en": "A few quick questions",
        "uk": "Кілька коротких запитань",
        "ru": "Несколько коротких вопросов",
    },
    questions=(
        QuestionSpec(
            key="rating",
            kind=QuestionKind.RATING,
            text={
                "en": "How would you rate your last order?",
                "uk": "Як ви оцінюєте своє останнє замовлення?",
                "ru": "Как вы оцениваете свой последний заказ?",
            },
            labels={
                "low": {"en": "Poor", "uk": "Погано", "ru": "Плохо"},
                "high": {"en": "Excellent", "uk": "Чудово", "ru": "Отлично"},
            },
        ),
        QuestionSpec(
            key="channel",
            kind=QuestionKind.SINGLE,
            text={
                "en": "How did you order?",
                "uk": "Як ви оформили замовлення?",
                "ru": "Как вы оформили заказ?",
            },
            choices=[
                _choice("site", "On the website", "На сайті", "На сайте"),
                _choice("phone", "By phone", "Телефоном", "По телефону"),
                _choice("store", "In the shop", "У магазині", "В магазине"),
            ],
        ),
        QuestionSpec(
            key="liked",
            kind=QuestionKind.MULTIPLE,
            required=False,
            text={
                "en": "What did you like?",
                "uk": "Що вам сподобалося?",
                "ru": "Что вам понравилось?",
            },
            choices=[
                _choice("choice", "The choice of books", "Вибір книжок", "Выбор книг"),
                _choice("speed", "Fast delivery", "Швидка доставка", "Быстрая доставка"),
                _choice("packing", "Careful packing", "Дбайливе пакування", "Аккуратная упаковка"),
                _choice("staff", "Friendly staff", "Привітний персонал", "Приветливый персонал"),
            ],
        ),
        QuestionSpec(
            key="what_went_wrong",
            kind=QuestionKind.TEXT,
            page=2,
            required=False,
            text={
                "en": "We are sorry. What went wrong?",
                "uk": "Нам прикро. Що пішло не так?",
                "ru": "Нам жаль. Что пошло не так?",
            },
            show_if_key="rating",
            show_if_max=2,
        ),
    ),
)

TEMPLATES: dict[str, SurveyTemplate] = {t.kind: t for t in (NPS, CSAT, CES, CUSTOM)}
