"""The bookshop's purchase journey: stages, touchpoints with their owners and what customers
expect at each, and which touchpoint each kind of feedback is about."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.accounts.models import Department, Workspace
from cxloop.customers.expectations import note_general_expectation
from cxloop.journeys import services as journeys
from cxloop.journeys.models import Channel, Journey, Touchpoint

JOURNEY_NAME = "Шлях покупця книжки"


@dataclass(frozen=True)
class Spot:
    key: str
    name: str
    channel: str
    department: str
    description: str
    expectation: str


STAGES: list[tuple[str, str, list[Spot]]] = [
    ("Пошук", "Людина дізнається про книжку й про нас.", [
        Spot("ads", "Реклама в Instagram", Channel.SOCIAL, "Маркетинг",
             "Пости й сторіз з новинками та добірками.", "Реклама веде на ту саму книжку й ціну"),
        Spot("search", "Пошук на сайті", Channel.SITE, "Сайт",
             "Пошук за назвою, автором, ISBN.", "Знаходить книжку з помилкою в назві"),
    ]),
    ("Вибір", "Порівнює ціни, читає відгуки, дивиться уривок.", [
        Spot("book_page", "Картка книжки", Channel.SITE, "Сайт",
             "Опис, уривок, відгуки, наявність.", "Чесна наявність і дата відправки"),
        Spot("prices", "Ціни й акції", Channel.SITE, "Маркетинг",
             "Знижки, промокоди, Чорна п'ятниця.", "Ціна не вища, ніж в інших книгарнях"),
    ]),
    ("Замовлення", "Кошик, оплата, підтвердження.", [
        Spot("checkout", "Кошик і оплата", Channel.SITE, "Сайт",
             "Оформлення за хвилину, оплата карткою чи при отриманні.",
             "Оформити замовлення за дві хвилини"),
    ]),
    ("Доставка", "Від складу до рук покупця.", [
        Spot("picking", "Комплектація замовлення", Channel.PACKAGE, "Склад",
             "Збирання книжок на складі.", "Саме ті книжки, що замовлені"),
        Spot("packaging", "Пакування", Channel.PACKAGE, "Склад",
             "Коробка, плівка, наповнювач.", "Книжка без пом'ятих кутів"),
        Spot("courier", "Кур'єр", Channel.DELIVERY, "Доставка",
             "Власні кур'єри у великих містах.", "Доставка наступного дня з дзвінком заздалегідь"),
        Spot("branch", "Відділення Нової пошти", Channel.DELIVERY, "Доставка",
             "Відправки у відділення й поштомати.", "Посилка у відділенні за 1–2 дні"),
    ]),
    ("Читання", "Книжка в руках або в читалці.", [
        Spot("book", "Книжка: друк і якість", Channel.OTHER, "Склад",
             "Якість друку, палітурка, переклад.", "Якісний друк без браку"),
        Spot("ebook", "Завантаження е-книжки", Channel.SITE, "Сайт",
             "EPUB, PDF, MOBI без DRM.", "Файл одразу після оплати"),
        Spot("gift_wrap", "Подарункове пакування", Channel.PACKAGE, "Склад",
             "Пакування й листівка для подарунка.", "Гарно й без цінника"),
    ]),
    ("Підтримка", "Питання, проблеми, повернення.", [
        Spot("support", "Чат на сайті", Channel.WEB_CHAT, "Підтримка",
             "Чат на сайті, пошта, телефон.", "Жива відповідь за 5 хвилин"),
        Spot("returns", "Повернення й обмін", Channel.OTHER, "Підтримка",
             "Обмін браку, повернення коштів.", "Обмін без суперечок і зайвих довідок"),
    ]),
    ("Наступна покупка", "Повертається — або ні.", [
        Spot("loyalty", "Бонусна програма", Channel.EMAIL, "Маркетинг",
             "Бонуси, листи з добірками, подарунки постійним.",
             "Бонуси, які справді можна витратити"),
    ]),
]  # fmt: skip

# What a piece of feedback is mainly about → the touchpoint it is measured at.
TOPIC_SPOT = {
    "courier": "courier",
    "branch": "branch",
    "packaging": "packaging",
    "price": "prices",
    "promo": "prices",
    "book_quality": "book",
    "wrong_book": "picking",
    "site": "search",
    "support": "support",
    "returns": "returns",
    "loyalty": "loyalty",
    "gift_wrap": "gift_wrap",
    "ebook": "ebook",
}
DELIVERY_SPOT = {"courier": "courier", "branch": "branch", "abroad": "branch", "digital": "ebook"}


def spot_for(topic: str, method: str, source: str) -> str:
    """The touchpoint key for a piece of feedback about ``topic`` on an order sent by ``method``."""
    if source == "ces":
        return "checkout"
    if topic == "delivery_speed":
        return DELIVERY_SPOT.get(method, "branch")
    return TOPIC_SPOT.get(topic, DELIVERY_SPOT.get(method, "branch"))


def create_bookshop_journey(workspace: Workspace) -> dict[str, Touchpoint]:
    """The purchase journey with its touchpoints (keyed by ``Spot.key``) and their expectations."""
    departments = {d.name: d for d in Department.objects.all()}
    journey = journeys.create_journey(
        workspace,
        name=JOURNEY_NAME,
        kind=Journey.Kind.PURCHASE,
        description="Від першої реклами до наступної покупки: де покупець зустрічає книгарню.",
    )
    touchpoints: dict[str, Touchpoint] = {}
    for stage_name, stage_description, spots in STAGES:
        stage = journeys.add_stage(journey, name=stage_name, description=stage_description)
        for spot in spots:
            touchpoint = journeys.add_touchpoint(
                stage,
                name=spot.name,
                channel=spot.channel,
                owner_department=departments.get(spot.department),
                description=spot.description,
            )
            note_general_expectation(spot.expectation, touchpoint=touchpoint)
            touchpoints[spot.key] = touchpoint
    return touchpoints
