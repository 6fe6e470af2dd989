"""What the bookshop's staff wrote down: expectations per segment and per customer, and WOW plans.

Written after the simulation, from what it produced: the customers with the most orders and the
ones who complained recently are the ones staff got to know, so they get individual expectations
and a plan to exceed them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cxloop.accounts.models import Membership, Role
from cxloop.customers.models import Customer, Expectation, Segment, WowPlanItem

SEGMENT_EXPECTATIONS = {
    "parents": ["Підручники й робочі зошити до 1 вересня", "Дитячі книжки з цупкими сторінками"],
    "bookworms": ["Новинки в день виходу", "Чесні відгуки й уривки перед купівлею"],
    "gift_buyers": ["Подарункове пакування й листівка", "Доставка точно до дати свята"],
    "students": ["Найнижча ціна й знижка за студентським", "Е-версія одразу, якщо паперової нема"],
    "corporate": ["Рахунок для юрособи за годину", "Одна доставка на весь офіс"],
}
INDIVIDUAL = [
    "Дзвонити за годину до приїзду кур'єра",
    "Тільки відділення Нової пошти біля дому, не поштомат",
    "Не вкладати паперовий чек: збирає бібліотеку в подарунок",
    "Хоче знати про новинки фентезі першою",
    "Оплата лише карткою онлайн",
    "Книжки для дітей 6 і 9 років — підбирати за віком",
    "Просить пакувати без пластику",
    "Купує в подарунок колегам — потрібні листівки",
    "Читає англійською: пропонувати оригінали",
    "Чекає відповіді в чаті, а не дзвінка",
]
WOW_STEPS = [
    "Вкласти закладку ручної роботи в наступне замовлення",
    "Надіслати уривок нової книжки улюбленого автора до старту продажів",
    "Подарувати безкоштовну доставку на день народження",
    "Зателефонувати й особисто вибачитися за затримку, дати бонус 150 грн",
    "Підписати листівку від імені команди до дитячого замовлення",
    "Запросити на онлайн-зустріч з перекладачем",
]


def write_plans(rng: random.Random, today: date, segments: dict[str, Segment]) -> tuple[int, int]:
    """Returns (expectations, plan steps) written. The caller binds the workspace."""
    expectations = [
        Expectation(
            kind=Expectation.Kind.GENERAL,
            segment=segments[key],
            text=text,
            source=Expectation.Source.RESEARCH,
            noted_on=today - timedelta(days=rng.randint(30, 300)),
        )
        for key, texts in SEGMENT_EXPECTATIONS.items()
        if key in segments
        for text in texts
    ]
    staff = [
        m.user
        for m in Membership.objects.select_related("user").filter(
            role__in=[Role.AGENT, Role.MANAGER, Role.OWNER]
        )
    ]
    regulars = list(
        Customer.objects.filter(first_purchase_at__isnull=False)
        .order_by("-last_experience_at", "id")
        .values_list("pk", flat=True)[:600]
    )
    known = sorted(rng.sample(regulars, min(180, len(regulars))))
    for customer_id in known:
        for text in rng.sample(INDIVIDUAL, rng.choice([1, 1, 2])):
            expectations.append(
                Expectation(
                    kind=Expectation.Kind.INDIVIDUAL,
                    customer_id=customer_id,
                    text=text,
                    source=rng.choice([Expectation.Source.STAFF, Expectation.Source.CUSTOMER]),
                    noted_by=rng.choice(staff),
                    noted_on=today - timedelta(days=rng.randint(1, 200)),
                )
            )
    Expectation.objects.bulk_create(expectations, batch_size=1000)
    steps = []
    for customer_id in known[::2]:
        due = today + timedelta(days=rng.randint(-40, 30))
        done = due <= today and rng.random() < 0.75
        steps.append(
            WowPlanItem(
                customer_id=customer_id,
                action=rng.choice(WOW_STEPS),
                owner=rng.choice(staff),
                due_on=due,
                done_on=due - timedelta(days=rng.randint(0, 3)) if done else None,
                produced_wow=(rng.random() < 0.7) if done else None,
            )
        )
    WowPlanItem.objects.bulk_create(steps, batch_size=1000)
    return len(expectations), len(steps)
