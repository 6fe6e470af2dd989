"""What the demo bookshop sells: real titles a Ukrainian bookshop stocks, by shelf, in UAH.

Shelves matter because personas shop on different ones: parents on kids' books and textbooks,
students on textbooks (often the e-book), gift buyers on gift editions. An e-book costs about half
the paper price and arrives by link, so it never meets a courier or a box.
"""

from __future__ import annotations

from dataclasses import dataclass

CLASSICS = "classics"
MODERN = "modern"
TRANSLATED = "translated"
KIDS = "kids"
TEXTBOOK = "textbook"
NONFICTION = "nonfiction"
GIFT = "gift"
ENGLISH = "english"

EBOOK_SUFFIX = " (електронна книга)"


@dataclass(frozen=True)
class Book:
    title: str
    shelf: str
    price: int
    has_ebook: bool

    @property
    def ebook_price(self) -> int:
        return max(99, round(self.price * 0.45 / 10) * 10 - 1)


def _shelf(shelf: str, rows: str) -> list[Book]:
    books = []
    for line in rows.strip().splitlines():
        title, price, ebook = (part.strip() for part in line.split("|"))
        books.append(Book(title, shelf, int(price), ebook == "e"))
    return books


BOOKS: list[Book] = [
    *_shelf(
        CLASSICS,
        """
        Кобзар | 420 | e
        Лісова пісня | 220 | e
        Тіні забутих предків | 240 | e
        Місто | 330 | e
        Зачарована Десна | 210 | e
        Захар Беркут | 260 | e
        Кайдашева сім'я | 230 | e
        Маруся Чурай | 250 | e
        Сад Гетсиманський | 360 | e
        Тигролови | 290 | e
        Хіба ревуть воли, як ясла повні? | 280 | -
        """,
    ),
    *_shelf(
        MODERN,
        """
        Записки українського самашедшого | 350 | e
        Ворошиловград | 380 | e
        Інтернат | 360 | e
        Фелікс Австрія | 340 | e
        Амадока | 650 | e
        Музей покинутих секретів | 580 | e
        Дім з вітражем | 320 | e
        Солодка Даруся | 280 | e
        Чорний ворон. Залишенець | 340 | e
        Доця | 330 | e
        Холодний Яр | 360 | -
        Московіада | 300 | e
        Месопотамія | 340 | e
        """,
    ),
    *_shelf(
        TRANSLATED,
        """
        1984 | 260 | e
        Маленький принц | 190 | e
        Сто років самотності | 390 | e
        Убити пересмішника | 330 | e
        Великий Гетсбі | 240 | e
        Дюна | 590 | e
        Гордість і упередження | 290 | e
        Шантарам | 640 | -
        Маленьке життя | 620 | e
        Таємна історія | 480 | e
        Норвезький ліс | 340 | e
        Три товариші | 320 | e
        Колгосп тварин | 180 | e
        """,
    ),
    *_shelf(
        KIDS,
        """
        Тореадори з Васюківки | 290 | -
        Дивовижні пригоди в лісовій школі | 350 | -
        Зубр шукає гніздо | 280 | -
        Гаррі Поттер і філософський камінь | 450 | e
        Мері Поппінс | 320 | -
        Пеппі Довгапанчоха | 300 | -
        Вінні-Пух | 310 | -
        Аліса в Країні Див | 270 | e
        Груффало | 220 | -
        Чарлі і шоколадна фабрика | 280 | e
        Книга-мандрівка. Україна | 420 | -
        """,
    ),
    *_shelf(
        TEXTBOOK,
        """
        Українська мова. Повний курс підготовки до НМТ | 280 | e
        Математика. Збірник задач для підготовки до НМТ | 250 | e
        Історія України. Довідник для абітурієнтів | 240 | e
        Алгебра. 9 клас | 210 | -
        Геометрія. 7 клас | 190 | -
        Буквар | 180 | -
        Англійська мова. Робочий зошит. 5 клас | 185 | -
        Біологія. Довідник для абітурієнтів | 230 | e
        Фізика. Збірник задач. 8 клас | 200 | -
        English Grammar in Use | 650 | -
        """,
    ),
    *_shelf(
        NONFICTION,
        """
        Атомні звички | 380 | e
        Сапієнс. Людина розумна | 450 | e
        Думай повільно… вирішуй швидко | 480 | e
        Від нуля до одиниці | 290 | e
        Брама Європи | 420 | e
        Чому нації занепадають | 520 | e
        Сила звички | 320 | e
        Ніколи не втрачайте клієнта | 390 | e
        """,
    ),
    *_shelf(
        GIFT,
        """
        Кобзар. Подарункове видання | 1450 | -
        Гаррі Поттер. Ілюстроване видання | 1200 | -
        Енеїда. Ілюстроване видання | 980 | -
        Українська кухня. Подарункове видання | 760 | -
        """,
    ),
    *_shelf(
        ENGLISH,
        """
        Atomic Habits | 520 | e
        The Great Gatsby | 310 | e
        Harry Potter and the Philosopher's Stone | 480 | e
        Sapiens | 560 | e
        Death and the Penguin | 420 | e
        """,
    ),
]

BY_SHELF: dict[str, list[Book]] = {}
for _book in BOOKS:
    BY_SHELF.setdefault(_book.shelf, []).append(_book)
