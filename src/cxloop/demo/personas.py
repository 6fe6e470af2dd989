"""The demo's segments: who buys books from «Сторінка» and how each kind of buyer behaves.

The description is what a user of cxloop reads (who they are, what moves them). The numbers are
the generator's behaviour model, a Pareto/NBD-like process per customer:

- ``rate``: gamma (shape, scale) of orders per year while the customer is still active, so rates
  differ a lot between customers of one segment;
- ``dropout``: beta (a, b) of the chance to stop buying after an order (raised after a bad
  experience, lowered after a WOW one, see :mod:`cxloop.demo.commerce`);
- ``season``: weights on the bumps in :mod:`cxloop.demo.seasons`;
- ``shelves``: where in the catalogue they shop; ``ebook``: share of orders that are e-books;
  ``gift``: share of orders sent as a gift; ``mood``: average disposition (how easily pleased).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import catalog as c


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    description: str
    share: float
    rate: tuple[float, float]
    dropout: tuple[float, float]
    season: dict[str, float]
    shelves: dict[str, float]
    ebook: float = 0.1
    gift: float = 0.03
    mood: float = 0.0
    quantity: tuple[int, int] = (1, 1)
    acquisition: dict[str, float] = field(default_factory=dict)


PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="parents",
        name="Батьки школярів",
        description=(
            "Мами й тата учнів 1–11 класів. Купують підручники, робочі зошити й дитячі книжки "
            "перед 1 вересня та на канікули. Чекають, що весь шкільний список приїде до початку "
            "навчання, без помилок у класі чи мові видання; найбільше цінують вчасну доставку "
            "і те, що не треба бігати по магазинах."
        ),
        share=0.27,
        rate=(1.6, 3.2),
        dropout=(1.6, 6.0),
        season={"school": 2.6, "summer": -0.4, "holidays": 0.6, "black_friday": 1.2},
        shelves={c.KIDS: 0.45, c.TEXTBOOK: 0.35, c.CLASSICS: 0.1, c.TRANSLATED: 0.1},
        ebook=0.04,
        mood=-0.1,
        acquisition={"school": 2.5, "summer": -0.3},
    ),
    Persona(
        key="bookworms",
        name="Книгомани",
        description=(
            "Читають кілька книжок на місяць, стежать за новинками українських видавництв і "
            "перекладами. Чекають новинок раніше за інших, якісного друку без браку й бонусів за "
            "вірність; помічають кожну пом'яту обкладинку, зате й першими радять книгарню друзям."
        ),
        share=0.22,
        rate=(2.2, 4.6),
        dropout=(1.2, 10.0),
        season={"holidays": 0.7, "black_friday": 2.0, "summer": 0.1},
        shelves={
            c.MODERN: 0.3,
            c.TRANSLATED: 0.3,
            c.CLASSICS: 0.12,
            c.NONFICTION: 0.2,
            c.ENGLISH: 0.08,
        },
        ebook=0.22,
        mood=0.25,
    ),
    Persona(
        key="gift_buyers",
        name="Дарувальники",
        description=(
            "Купують книжку як подарунок: на Новий рік, день народження, 8 Березня. Чекають "
            "гарного подарункового пакування, листівки з їхнім текстом і гарантії, що посилка "
            "приїде точно до свята; запізнення на день для них означає зіпсоване свято."
        ),
        share=0.21,
        rate=(1.3, 1.9),
        dropout=(2.0, 4.0),
        season={"holidays": 3.0, "black_friday": 1.5, "march8": 2.5, "summer": -0.3},
        shelves={c.GIFT: 0.3, c.TRANSLATED: 0.25, c.KIDS: 0.2, c.NONFICTION: 0.15, c.MODERN: 0.1},
        ebook=0.02,
        gift=0.7,
        mood=0.05,
        acquisition={"holidays": 2.5, "march8": 1.5, "black_friday": 1.0},
    ),
    Persona(
        key="students",
        name="Студенти й абітурієнти",
        description=(
            "Готуються до НМТ і сесії, купують підручники й довідники якомога дешевше, часто "
            "електронну версію. Чекають знижок, швидкого пошуку на сайті й миттєвого посилання "
            "на файл; легко йдуть туди, де на 30 гривень дешевше."
        ),
        share=0.25,
        rate=(1.4, 2.8),
        dropout=(2.2, 5.0),
        season={"school": 1.6, "semester": 1.4, "summer": -0.6, "new_year_lull": -0.5},
        shelves={c.TEXTBOOK: 0.45, c.CLASSICS: 0.2, c.NONFICTION: 0.2, c.ENGLISH: 0.15},
        ebook=0.45,
        mood=-0.2,
        acquisition={"school": 1.5, "semester": 1.0},
    ),
    Persona(
        key="corporate",
        name="Корпоративні клієнти",
        description=(
            "Компанії та бібліотеки, що замовляють книжки для команд, подарунків партнерам і "
            "корпоративних бібліотек. Чекають рахунку для безготівкової оплати, одного менеджера "
            "на зв'язку й доставки великих партій без жодної пом'ятої коробки."
        ),
        share=0.05,
        rate=(3.0, 1.8),
        dropout=(1.0, 8.0),
        season={"holidays": 2.5, "black_friday": 0.5, "summer": -0.4},
        shelves={c.NONFICTION: 0.55, c.GIFT: 0.25, c.TRANSLATED: 0.2},
        ebook=0.0,
        gift=0.3,
        mood=0.1,
        quantity=(3, 15),
    ),
)

COMPANIES = (
    "ТОВ «Смарт Логістик»",
    "ІТ-компанія «Вежа Софт»",
    "Агрохолдинг «Зелена Долина»",
    "Бібліотека ім. Лесі Українки",
    "ПрАТ «Київхліб»",
    "Студія «Пікселі»",
    "Рекламна агенція «Кораблик»",
    "Благодійний фонд «Читай»",
)
