"""The demo's CX goal and a year of improvements, one process at a time, through the services.

The bookshop took up "one improvement per process per week" gradually: a year ago a process
improved every couple of months, lately most weeks, so the weekly grid shows empty cells thinning
out and the delivery department on a streak. Ship dates are drawn from the loader's seed.

One improvement has an effect the simulation really produced: "Картонні куточки й подвійна
коробка" ships on :func:`cxloop.demo.commerce.protective_packaging_day`, and from that day the
simulated warehouse damages far fewer parcels (``fulfilment.PROTECTED_DAMAGE``). Its page
measures the drop in negative packaging experiences from the experiences themselves; nothing here
writes a number. It is linked to the packaging complaints of the weeks before it, so the demo also
shows the signals that asked for it. Customers are not emailed: the demo sends no mail.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cxloop.accounts.models import Department, Membership, Role, User
from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import Emotion
from cxloop.journeys.models import Touchpoint
from cxloop.loop import goal, improvements
from cxloop.loop.models import Improvement, Process

from .commerce import protective_packaging_day
from .seasons import Window

YEAR_WEEKS = 52
# process key → (name if not a default process, department, touchpoint name, titles oldest first)
BACKLOG: dict[str, tuple[str, str, str, list[str]]] = {
    "delivery": (
        "",
        "Доставка",
        "Кур'єр",
        [
            "SMS з номером накладної одразу після відправки",
            "Вікна доставки по дві години замість «протягом дня»",
            "Кур'єри беруть термінал для оплати карткою",
            "Відділення Нової пошти за замовчуванням — найближче до адреси",
            "Доставка в поштомат для замовлень до 2 кг",
            "Повідомлення про затримку до того, як клієнт спитає",
            "Вечірня доставка у Києві та Львові",
            "Трекінг посилки на сторінці замовлення",
            "Безкоштовна доставка від 1000 грн без промокоду",
        ],
    ),
    "packaging": (
        "",
        "Склад",
        "Пакування",
        [
            "Паперовий наповнювач замість пінопласту",
            "Плівка для книжок у м'якій обкладинці",
            "Коробки трьох розмірів замість одного",
            "Наліпка «Обережно, книжки» на кожній коробці",
            "Перевірка кутів перед запаюванням",
        ],
    ),
    "picking": (
        "Комплектація",
        "Склад",
        "Комплектація замовлення",
        [
            "Сканування ISBN під час збирання замовлення",
            "Фото зібраного замовлення в картці",
            "Друга перевірка замовлень з трьох і більше книжок",
            "Окрема полиця для передзамовлень",
            "Залишки на сайті оновлюються щогодини",
        ],
    ),
    "site_search": (
        "",
        "Сайт",
        "Пошук на сайті",
        [
            "Пошук знаходить книжку з помилкою в назві",
            "Пошук за ISBN і за перекладачем",
            "Фільтр «є в наявності» за замовчуванням",
            "Пошук латиницею знаходить українські назви",
            "Підказки авторів під час введення",
        ],
    ),
    "checkout": (
        "",
        "Сайт",
        "Кошик і оплата",
        [
            "Оплата Apple Pay і Google Pay",
            "Оформлення без реєстрації",
            "Кошик зберігається між пристроями",
            "Зрозуміла помилка, коли банк відхилив картку",
            "Промокод можна ввести на телефоні без перезавантаження",
            "Повторна спроба оплати з листа",
        ],
    ),
    "catalog": (
        "Картка книжки",
        "Сайт",
        "Картка книжки",
        [
            "Уривок на 20 сторінок у картці книжки",
            "Чесна дата відправки для передзамовлень",
            "Фото розвороту для дитячих книжок",
            "Вік читача в картці дитячої книжки",
        ],
    ),
    "returns": (
        "",
        "Підтримка",
        "Повернення й обмін",
        [
            "Обмін браку без фото чеку",
            "Повернення коштів за 3 дні замість 14",
            "Кур'єр забирає книжку на обмін сам",
            "Заявка на повернення в особистому кабінеті",
        ],
    ),
    "support": (
        "",
        "Підтримка",
        "Чат на сайті",
        [
            "Відповідь у чаті до 5 хвилин у робочий час",
            "Агент може подарувати бонуси до 200 грн без погодження",
            "Шаблони відповідей українською, російською й англійською",
            "Чат у вихідні з 10 до 18",
            "Дзвінок клієнту після двох скарг поспіль",
        ],
    ),
    "loyalty": (
        "Бонусна програма",
        "Маркетинг",
        "Бонусна програма",
        [
            "Бонуси діють 12 місяців замість 3",
            "Подарунок на третє замовлення",
            "Лист із добіркою за вподобаннями замість загальної розсилки",
            "Бонусами можна оплатити доставку",
        ],
    ),
}
# Waiting in the backlog: (process key, status, title).
OPEN: list[tuple[str, str, str]] = [
    ("delivery", "in_progress", "Кур'єр телефонує за 30 хвилин до приїзду (після A/B-тесту)"),
    ("packaging", "planned", "Подарункова коробка з листівкою на вибір"),
    ("checkout", "planned", "Оплата частинами для замовлень від 1500 грн"),
    ("site_search", "idea", "Пошук за описом обкладинки"),
    ("returns", "idea", "Обмін у відділенні Нової пошти без дзвінка в підтримку"),
    ("loyalty", "idea", "Клуб читачів з ранніми передзамовленнями"),
]
PROTECTIVE_TITLE = "Картонні куточки й подвійна коробка для кожного замовлення"
PROTECTIVE_MESSAGE = {
    "uk": "Тепер кожну книжку ми пакуємо з картонними куточками в подвійну коробку, щоб вона "
    "доїхала без пом'ятих кутів.",
    "ru": "Теперь каждую книгу мы упаковываем с картонными уголками в двойную коробку, чтобы она "
    "доехала без помятых углов.",
    "en": "Every book now travels with cardboard corner guards in a double box, so it arrives "
    "without bent corners.",
}  # fmt: skip


def _processes(departments: dict[str, Department]) -> dict[str, Process]:
    improvements.ensure_default_processes()
    found = {p.key: p for p in Process.objects.all()}
    for position, (key, (name, department, _tp, _titles)) in enumerate(BACKLOG.items(), start=1):
        process = found.get(key) or improvements.add_process(
            name, department=departments[department], key=key, position=position
        )
        if process.department_id is None:
            process.department = departments[department]
            process.save(update_fields=["department"])
        found[key] = process
    return found


def _owners() -> tuple[dict[int, User], User | None]:
    members = Membership.objects.select_related("user").order_by("pk")
    by_department: dict[int, User] = {}
    manager = None
    for m in members:
        if m.department_id and m.department_id not in by_department:
            by_department[m.department_id] = m.user
        if manager is None and m.role in (Role.MANAGER, Role.OWNER):
            manager = m.user
    return by_department, manager


def _weeks(rng: random.Random, count: int, this_monday: date) -> list[date]:
    """``count`` distinct Mondays of the last year, recent weeks likelier (weighted sampling)."""
    keyed = sorted(
        range(1, YEAR_WEEKS),
        key=lambda ago: rng.random() ** (1 / (1 + 4 * (YEAR_WEEKS - ago) / YEAR_WEEKS)),
        reverse=True,
    )
    return sorted(this_monday - timedelta(weeks=ago) for ago in keyed[:count])


def create_demo_improvements(workspace, window: Window, rng: random.Random) -> int:
    """The goal, the processes and a year of improvements (the caller binds the workspace)."""
    today = window.date(window.days)
    goal.update_goal(
        statement=(
            "Кожна книжка приходить вчасно, ціла й саме та, яку замовили, а кожен читач "
            "відчуває, що його пам'ятають. Ми знаємо, чого чекає покупець, і щотижня робимо "
            "один процес кращим."
        ),
        atmosphere=(
            "Спокійно, привітно й швидко. Будь-хто в команді може виправити проблему клієнта "
            "одразу, не чекаючи дозволу, і ми радіємо, коли клієнт пише нам «вау»."
        ),
        targets=[
            goal.TargetInput("nps", "gte", 40, date(2027, 6, 30)),
            goal.TargetInput("negative_share", "lte", 10, date(2027, 3, 31)),
            goal.TargetInput("csat", "gte", "4.5", date(2027, 6, 30)),
        ],
    )
    departments = {d.name: d for d in Department.objects.all()}
    processes = _processes(departments)
    touchpoints = {t.name: t for t in Touchpoint.objects.all()}
    owners, manager = _owners()
    this_monday = today - timedelta(days=today.weekday())
    made = 0

    def ship(process: Process, title: str, day: date, **kwargs) -> Improvement:
        nonlocal made
        improvement = improvements.create_improvement(
            title=title,
            process=process,
            owner=owners.get(process.department_id, manager),
            touchpoint=touchpoints.get(BACKLOG[process.key][2]),
            actor=manager,
            **kwargs,
        )
        for status in ("planned", "in_progress"):
            improvements.move(improvement, status, actor=manager)
        made += 1
        return improvements.move(
            improvement, "shipped", actor=manager, shipped_on=min(day, today), notify=False
        )

    for key, (_name, _department, _touchpoint, titles) in BACKLOG.items():
        weeks = _weeks(rng, len(titles), this_monday)
        if key == "delivery":  # on a streak: the last four weeks and this one
            recent = [this_monday - timedelta(weeks=n) for n in (4, 3, 2, 1, 0)]
            weeks = sorted(set(weeks[: len(titles) - 5]) - set(recent)) + recent
        for monday, title in zip(weeks, titles, strict=False):
            ship(processes[key], title, monday + timedelta(days=rng.randint(0, 3)))

    protected_on = window.date(protective_packaging_day(window))
    asked = list(
        Experience.objects.filter(
            touchpoint=touchpoints.get(BACKLOG["packaging"][2]),
            emotion=Emotion.NEGATIVE,
            customer__isnull=False,
            occurred_at__gte=window.at(protective_packaging_day(window) - 56),
            occurred_at__lt=window.at(protective_packaging_day(window)),
        ).values_list("pk", flat=True)
    )
    ship(
        processes["packaging"],
        PROTECTIVE_TITLE,
        protected_on,
        description=(
            "Скарг на пом'яті кути й порвані обкладинки побільшало: додаємо картонні куточки "
            "й подвійну коробку для кожного замовлення, не лише для подарунків."
        ),
        customer_message=PROTECTIVE_MESSAGE,
        links=improvements.Links(experience_ids=asked),
    )
    for key, status, title in OPEN:
        improvement = improvements.create_improvement(
            title=title,
            process=processes[key],
            owner=owners.get(processes[key].department_id, manager),
            touchpoint=touchpoints.get(BACKLOG[key][2]),
            actor=manager,
        )
        for step in ("planned", "in_progress"):
            if improvement.status == status:
                break
            improvement = improvements.move(improvement, step, actor=manager)
        made += 1
    return made
