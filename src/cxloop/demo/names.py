"""People for the demo: names, emails and phones that look like a Ukrainian shop's customer list.

Most buyers are Ukrainian-speaking, a quarter write in Russian (mostly from the east and south),
and about one in ten writes in English: foreigners living in Kyiv and the diaspora abroad who buy
Ukrainian books. Names are drawn per language so that the name, the email and the language of a
customer agree, which the text analysis later relies on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

UK_FEMALE = (
    "Олена Оксана Наталія Ірина Тетяна Юлія Світлана Марія Анна Катерина Людмила Галина Вікторія "
    "Ольга Христина Софія Дарина Анастасія Яна Надія Леся Соломія Зоряна Мар'яна Ганна Віра Лілія "
    "Інна Уляна Богдана Діана Вероніка Аліна Валентина Оксана Олена Наталія"
).split()
UK_MALE = (
    "Олександр Андрій Іван Дмитро Сергій Микола Василь Петро Богдан Тарас Юрій Максим Віктор Олег "
    "Роман Ігор Володимир Михайло Остап Назар Артем Денис Євген Павло Степан Ярослав Віталій Антон "
    "Костянтин Данило Орест Олександр Андрій"
).split()
UK_SURNAMES = (
    "Коваленко Шевченко Бондаренко Ткаченко Кравченко Олійник Шевчук Поліщук Бойко Мельник "
    "Ковальчук Савчук Мороз Марченко Лисенко Руденко Левченко Петренко Клименко Павленко "
    "Гончаренко Кузьменко Романенко Кравчук Литвиненко Мазур Карпенко Савченко Приходько Гнатюк "
    "Ярошенко Костенко Онищенко Федоренко Гуменюк Семенюк Стасюк Федорів Іванів Дорошенко "
    "Осадчук Кушнір Білик Коваль Гаврилюк Тарасюк Юрченко Яковенко Зінченко Нестеренко Вовк "
    "Бабенко Москаленко Пономаренко Рибак Сидоренко Мартинюк Остапчук Білоус Довженко Дячук"
).split()
# Surnames that change with gender: (his, hers).
UK_GENDERED = [
    ("Ковальський", "Ковальська"),
    ("Яворський", "Яворська"),
    ("Лозинський", "Лозинська"),
    ("Вишневський", "Вишневська"),
    ("Заболотний", "Заболотна"),
    ("Кобилянський", "Кобилянська"),
    ("Гордієнко", "Гордієнко"),
]

RU_FEMALE = (
    "Наталья Ирина Елена Татьяна Светлана Юлия Анна Екатерина Ольга Марина Людмила Виктория "
    "Анастасия Дарья Ксения Алёна Валерия Полина Евгения Кристина"
).split()
RU_MALE = (
    "Дмитрий Сергей Александр Алексей Андрей Евгений Игорь Владимир Максим Николай Олег Виталий "
    "Артём Денис Роман Константин Михаил Павел Илья Антон"
).split()
RU_GENDERED = [
    (s, s + "а")
    for s in (
        "Иванов Смирнов Кузнецов Попов Волков Соколов Лебедев Козлов Новиков Морозов Петров "
        "Федоров Орлов Зайцев Белов Медведев Гусев Титов Комаров Крылов"
    ).split()
]
RU_INVARIANT = "Коваленко Ткаченко Бондаренко Шевчук Мельник Гончар Литвин Кравец Савченко".split()

EN_FEMALE = (
    "Emily Sarah Anna Olivia Kate Laura Sophie Hannah Julia Maria Natalie Christina Olena Kateryna"
).split()
EN_MALE = (
    "James John Michael David Daniel Thomas Mark Peter Andrew Chris Oliver Lucas Steven".split()
)
EN_SURNAMES = (
    "Smith Johnson Brown Wilson Taylor Miller Davis Clarke Walker Evans Novak Kowalski Schmidt "
    "Fischer Dubois Melnyk Kowalchuk Hrytsenko Bondar Petrenko Sawchuk Andrusiak"
).split()

_UK_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "yu", "я": "ya", "'": "",
}  # fmt: skip
_RU_LATIN = {
    **_UK_LATIN,
    "г": "g", "е": "e", "ё": "yo", "и": "i", "ы": "y", "э": "e", "ъ": "",
}  # fmt: skip

UK_CITIES = {
    "Київ": 28, "Львів": 12, "Харків": 6, "Одеса": 6, "Дніпро": 6, "Вінниця": 4, "Запоріжжя": 2,
    "Івано-Франківськ": 4, "Тернопіль": 3, "Полтава": 3, "Чернігів": 2, "Житомир": 3, "Рівне": 2,
    "Луцьк": 2, "Ужгород": 2, "Черкаси": 2, "Хмельницький": 2, "Біла Церква": 2, "Суми": 1,
    "Миколаїв": 1, "Чернівці": 2, "Ірпінь": 2, "Бровари": 2,
}  # fmt: skip
RU_CITIES = {
    "Харків": 20, "Одеса": 18, "Дніпро": 16, "Київ": 20, "Запоріжжя": 8, "Миколаїв": 6,
    "Кривий Ріг": 4, "Херсон": 3, "Полтава": 2, "Суми": 2,
}  # fmt: skip
EN_CITIES = {
    "Київ": 30, "Львів": 10, "Варшава": 12, "Краків": 5, "Берлін": 8, "Прага": 6, "Відень": 4,
    "Торонто": 9, "Лондон": 7, "Нью-Йорк": 5, "Дублін": 4,
}  # fmt: skip
ABROAD = frozenset(
    {"Варшава", "Краків", "Берлін", "Прага", "Відень", "Торонто", "Лондон", "Нью-Йорк", "Дублін"}
)
# Where the shop's own couriers drive; elsewhere parcels go to a Nova Poshta branch or locker.
COURIER_CITIES = frozenset({"Київ", "Львів", "Харків", "Одеса", "Дніпро", "Ірпінь", "Бровари"})

_DOMAINS = {
    "uk": {"gmail.com": 45, "ukr.net": 28, "i.ua": 8, "meta.ua": 4, "icloud.com": 8,
           "outlook.com": 4},
    "ru": {"gmail.com": 50, "ukr.net": 25, "i.ua": 10, "icloud.com": 8, "meta.ua": 4},
    "en": {"gmail.com": 50, "outlook.com": 15, "icloud.com": 15, "yahoo.com": 10, "proton.me": 5},
}  # fmt: skip
_MOBILE_CODES = "50 66 95 99 67 68 96 97 98 63 73 93".split()


@dataclass(frozen=True)
class Person:
    name: str
    female: bool
    email: str
    phone: str
    city: str


def latin(text: str, language: str) -> str:
    """Transliterate a Cyrillic name the way people spell it in their email address."""
    table = _RU_LATIN if language == "ru" else _UK_LATIN
    return "".join(table.get(ch, ch) for ch in text.lower())


def _full_name(rng: random.Random, language: str, female: bool) -> tuple[str, str]:
    if language == "uk":
        first = rng.choice(UK_FEMALE if female else UK_MALE)
        if rng.random() < 0.12:
            last = rng.choice(UK_GENDERED)[1 if female else 0]
        else:
            last = rng.choice(UK_SURNAMES)
    elif language == "ru":
        first = rng.choice(RU_FEMALE if female else RU_MALE)
        if rng.random() < 0.6:
            last = rng.choice(RU_GENDERED)[1 if female else 0]
        else:
            last = rng.choice(RU_INVARIANT)
    else:
        first = rng.choice(EN_FEMALE if female else EN_MALE)
        last = rng.choice(EN_SURNAMES)
    return first, last


def _email(rng: random.Random, first: str, last: str, language: str, taken: set[str]) -> str:
    f, la = (latin(first, language), latin(last, language))
    shapes = [f"{f}.{la}", f"{f}{la}", f"{f[0]}.{la}", f"{la}.{f}", f"{f}_{la}", f"{la}{f[0]}"]
    local = rng.choice(shapes)
    if rng.random() < 0.55:
        local += str(rng.choice([rng.randint(1, 99), rng.randint(1970, 2007)]))
    domains = _DOMAINS[language]
    domain = rng.choices(list(domains), weights=list(domains.values()))[0]
    email = f"{local}@{domain}"
    while email in taken:
        email = f"{local}{rng.randint(2, 999)}@{domain}"
    taken.add(email)
    return email


def make_person(rng: random.Random, language: str, taken_emails: set[str]) -> Person:
    female = rng.random() < (0.62 if language != "en" else 0.55)  # women buy most books
    first, last = _full_name(rng, language, female)
    cities = {"uk": UK_CITIES, "ru": RU_CITIES, "en": EN_CITIES}[language]
    city = rng.choices(list(cities), weights=list(cities.values()))[0]
    phone = ""
    if city not in ABROAD or rng.random() < 0.3:
        phone = f"+380{rng.choice(_MOBILE_CODES)}{rng.randint(0, 9_999_999):07d}"
    return Person(
        name=f"{first} {last}",
        female=female,
        email=_email(rng, first, last, language, taken_emails),
        phone=phone,
        city=city,
    )
