"""The predefined 100-day onboarding journey, written out in English, Ukrainian and Russian.

The first 100 days after a customer's first purchase are the *onboarding* phase of the lifecycle:
they decide whether a buyer becomes a lifetime customer. Every workspace starts with this journey
(``services.ensure_onboarding_journey``), named in the workspace's default language, so a team has
a map to fill with its own touchpoints, owners and expectations from day one.

Stages sit on the lifecycle clock: ``days`` are counted from the first purchase (day 0), and
together they cover days 0–100 without gaps. Each text is a dict by language code; a language
missing here falls back to English.

This module is data only (no models), so the migration that gave existing workspaces the journey
can read it too.
"""

from __future__ import annotations

from dataclasses import dataclass

Texts = dict[str, str]

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class TouchpointPlan:
    name: Texts
    channel: str  # a journeys.models.Channel value
    description: Texts


@dataclass(frozen=True)
class StagePlan:
    name: Texts
    days: tuple[int, int]
    description: Texts
    touchpoints: tuple[TouchpointPlan, ...]


@dataclass(frozen=True)
class JourneyPlan:
    name: Texts
    description: Texts
    stages: tuple[StagePlan, ...]


def text(texts: Texts, language: str) -> str:
    return texts.get(language) or texts[FALLBACK_LANGUAGE]


ONBOARDING = JourneyPlan(
    name={
        "en": "100-day onboarding",
        "uk": "Онбординг: перші 100 днів",
        "ru": "Онбординг: первые 100 дней",
    },
    description={
        "en": "The first 100 days after the first purchase decide whether a buyer becomes a "
        "regular customer. Each stage is placed on the days since the first purchase and lists "
        "the touchpoints where we can meet the customer's expectations, and exceed them.",
        "uk": "Перші 100 днів після першої покупки вирішують, чи стане покупець постійним "
        "клієнтом. Кожен етап прив'язаний до днів від першої покупки й містить точки контакту, "
        "де ми можемо виправдати очікування клієнта — і перевершити їх.",
        "ru": "Первые 100 дней после первой покупки решают, станет ли покупатель постоянным "
        "клиентом. Каждый этап привязан к дням от первой покупки и содержит точки контакта, "
        "где мы можем оправдать ожидания клиента — и превзойти их.",
    },
    stages=(
        StagePlan(
            name={
                "en": "First purchase and confirmation",
                "uk": "Перша покупка й підтвердження",
                "ru": "Первая покупка и подтверждение",
            },
            days=(0, 0),
            description={
                "en": "The customer has just trusted us with money for the first time. Confirm "
                "at once and say what happens next.",
                "uk": "Клієнт щойно вперше довірив нам гроші. Підтвердіть одразу й скажіть, що "
                "буде далі.",
                "ru": "Клиент только что впервые доверил нам деньги. Подтвердите сразу и "
                "расскажите, что будет дальше.",
            },
            touchpoints=(
                TouchpointPlan(
                    name={
                        "en": "Order confirmation",
                        "uk": "Підтвердження замовлення",
                        "ru": "Подтверждение заказа",
                    },
                    channel="email",
                    description={
                        "en": "Within minutes: what was ordered, the delivery date we promise "
                        "and how to reach a person.",
                        "uk": "Протягом кількох хвилин: що замовлено, коли доставимо й як "
                        "зв'язатися з живою людиною.",
                        "ru": "В течение нескольких минут: что заказано, когда доставим и как "
                        "связаться с живым человеком.",
                    },
                ),
                TouchpointPlan(
                    name={
                        "en": "Welcome message",
                        "uk": "Вітальний лист",
                        "ru": "Приветственное письмо",
                    },
                    channel="email",
                    description={
                        "en": "Thank the customer by name for the first purchase; say who we are "
                        "and what matters to us.",
                        "uk": "Подякуйте клієнтові на ім'я за першу покупку; розкажіть, хто ми "
                        "і що для нас важливо.",
                        "ru": "Поблагодарите клиента по имени за первую покупку; расскажите, кто "
                        "мы и что для нас важно.",
                    },
                ),
            ),
        ),
        StagePlan(
            name={
                "en": "Delivery and first use",
                "uk": "Доставка й перше використання",
                "ru": "Доставка и первое использование",
            },
            days=(1, 7),
            description={
                "en": "The promise meets reality: the delivery date, the courier, the package, "
                "the product in hand.",
                "uk": "Обіцянка зустрічається з реальністю: строк доставки, кур'єр, пакування, "
                "товар у руках.",
                "ru": "Обещание встречается с реальностью: срок доставки, курьер, упаковка, "
                "товар в руках.",
            },
            touchpoints=(
                TouchpointPlan(
                    name={"en": "First delivery", "uk": "Перша доставка", "ru": "Первая доставка"},
                    channel="delivery",
                    description={
                        "en": "On the promised day; a delay announced before the customer "
                        "notices it; a polite courier who calls ahead.",
                        "uk": "У обіцяний день; про затримку повідомляємо раніше, ніж клієнт її "
                        "помітить; ввічливий кур'єр, який телефонує заздалегідь.",
                        "ru": "В обещанный день; о задержке сообщаем раньше, чем клиент её "
                        "заметит; вежливый курьер, который звонит заранее.",
                    },
                ),
                TouchpointPlan(
                    name={"en": "Unpacking", "uk": "Розпакування", "ru": "Распаковка"},
                    channel="package",
                    description={
                        "en": "An intact package, the right items and a short thank-you note.",
                        "uk": "Ціле пакування, правильні товари й коротка записка з подякою.",
                        "ru": "Целая упаковка, правильные товары и короткая записка с "
                        "благодарностью.",
                    },
                ),
                TouchpointPlan(
                    name={
                        "en": "Check-in after delivery",
                        "uk": "Лист після отримання",
                        "ru": "Письмо после получения",
                    },
                    channel="email",
                    description={
                        "en": "Day 3: tips to get started and one question: how did the delivery "
                        "go?",
                        "uk": "3-й день: поради для початку й одне запитання: як минула доставка?",
                        "ru": "3-й день: советы для начала и один вопрос: как прошла доставка?",
                    },
                ),
            ),
        ),
        StagePlan(
            name={"en": "Getting value", "uk": "Перша користь", "ru": "Первая польза"},
            days=(8, 30),
            description={
                "en": "The customer decides whether the purchase was worth it. Help them get the "
                "most from it, then ask how it felt.",
                "uk": "Клієнт вирішує, чи була покупка того варта. Допоможіть отримати з неї "
                "максимум, а потім спитайте про враження.",
                "ru": "Клиент решает, стоила ли покупка того. Помогите получить от неё максимум, "
                "а потом спросите о впечатлениях.",
            },
            touchpoints=(
                TouchpointPlan(
                    name={"en": "Useful tips", "uk": "Корисні поради", "ru": "Полезные советы"},
                    channel="email",
                    description={
                        "en": "Information the customer did not ask for but will value: guides "
                        "and picks based on the first purchase.",
                        "uk": "Інформація, про яку клієнт не питав, але оцінить: поради й "
                        "добірки за першою покупкою.",
                        "ru": "Информация, о которой клиент не спрашивал, но оценит: советы и "
                        "подборки по первой покупке.",
                    },
                ),
                TouchpointPlan(
                    name={
                        "en": "First review request",
                        "uk": "Перший запит відгуку",
                        "ru": "Первый запрос отзыва",
                    },
                    channel="email",
                    description={
                        "en": "Around day 14: a short NPS survey. Happy customers are invited to "
                        "write a review; unhappy ones get a call within 48 hours.",
                        "uk": "Близько 14-го дня: коротке NPS-опитування. Задоволених просимо "
                        "написати відгук, незадоволеним телефонуємо протягом 48 годин.",
                        "ru": "Около 14-го дня: короткий NPS-опрос. Довольных просим написать "
                        "отзыв, недовольным звоним в течение 48 часов.",
                    },
                ),
                TouchpointPlan(
                    name={"en": "Support chat", "uk": "Чат підтримки", "ru": "Чат поддержки"},
                    channel="web_chat",
                    description={
                        "en": "An answer within minutes and a solution in the first contact, "
                        "without passing the customer between departments.",
                        "uk": "Відповідь за кілька хвилин і рішення з першого звернення, без "
                        "пересилання клієнта між відділами.",
                        "ru": "Ответ за несколько минут и решение с первого обращения, без "
                        "пересылки клиента между отделами.",
                    },
                ),
            ),
        ),
        StagePlan(
            name={
                "en": "Second purchase and habit",
                "uk": "Друга покупка й звичка",
                "ru": "Вторая покупка и привычка",
            },
            days=(31, 60),
            description={
                "en": "A second purchase is the clearest sign that the customer will stay. Make "
                "it easier than the first.",
                "uk": "Друга покупка — найкраща ознака того, що клієнт залишиться. Зробіть її "
                "простішою за першу.",
                "ru": "Вторая покупка — лучший признак того, что клиент останется. Сделайте её "
                "проще первой.",
            },
            touchpoints=(
                TouchpointPlan(
                    name={
                        "en": "Personal recommendation",
                        "uk": "Персональна рекомендація",
                        "ru": "Персональная рекомендация",
                    },
                    channel="email",
                    description={
                        "en": "A short selection chosen for this customer from what they bought "
                        "and said, not a mass mailing.",
                        "uk": "Коротка добірка саме для цього клієнта за його покупками й "
                        "відгуками, а не масова розсилка.",
                        "ru": "Короткая подборка именно для этого клиента по его покупкам и "
                        "отзывам, а не массовая рассылка.",
                    },
                ),
                TouchpointPlan(
                    name={
                        "en": "Repeat order",
                        "uk": "Повторне замовлення",
                        "ru": "Повторный заказ",
                    },
                    channel="site",
                    description={
                        "en": "Saved details and a one-click reorder: the second purchase takes "
                        "less effort than the first.",
                        "uk": "Збережені дані й повторне замовлення в один клік: друга покупка "
                        "вимагає менше зусиль, ніж перша.",
                        "ru": "Сохранённые данные и повторный заказ в один клик: вторая покупка "
                        "требует меньше усилий, чем первая.",
                    },
                ),
            ),
        ),
        StagePlan(
            name={"en": "Loyalty", "uk": "Лояльність", "ru": "Лояльность"},
            days=(61, 100),
            description={
                "en": "Turn a satisfied buyer into an advocate: thank them, reward them and ask "
                "them to recommend us.",
                "uk": "Перетворіть задоволеного покупця на адвоката: подякуйте, винагородіть і "
                "попросіть порекомендувати нас.",
                "ru": "Превратите довольного покупателя в адвоката: поблагодарите, вознаградите "
                "и попросите порекомендовать нас.",
            },
            touchpoints=(
                TouchpointPlan(
                    name={
                        "en": "Loyalty bonus",
                        "uk": "Бонус за лояльність",
                        "ru": "Бонус за лояльность",
                    },
                    channel="email",
                    description={
                        "en": "A thank-you bonus or a small gift for staying with us; unexpected, "
                        "so it lands as a WOW.",
                        "uk": "Бонус або невеликий подарунок на подяку за те, що клієнт з нами; "
                        "несподіваний, тому викликає WOW.",
                        "ru": "Бонус или небольшой подарок в благодарность за то, что клиент с "
                        "нами; неожиданный, поэтому вызывает WOW.",
                    },
                ),
                TouchpointPlan(
                    name={
                        "en": "Referral invitation",
                        "uk": "Запрошення рекомендувати",
                        "ru": "Приглашение рекомендовать",
                    },
                    channel="email",
                    description={
                        "en": "Advocates are asked to recommend us to friends, with a bonus for "
                        "both.",
                        "uk": "Адвокатів просимо порекомендувати нас друзям, з бонусом для обох.",
                        "ru": "Адвокатов просим порекомендовать нас друзьям, с бонусом для обоих.",
                    },
                ),
                TouchpointPlan(
                    name={
                        "en": "Day-100 survey",
                        "uk": "Опитування на 100-й день",
                        "ru": "Опрос на 100-й день",
                    },
                    channel="email",
                    description={
                        "en": "NPS at the end of onboarding: has the buyer become our customer? "
                        "Prosecutors get a call the same week.",
                        "uk": "NPS наприкінці онбордингу: чи став покупець нашим клієнтом? "
                        "Прокурорам телефонуємо того ж тижня.",
                        "ru": "NPS в конце онбординга: стал ли покупатель нашим клиентом? "
                        "Прокурорам звоним на той же неделе.",
                    },
                ),
            ),
        ),
    ),
)
