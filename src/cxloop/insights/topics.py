"""Topics (root causes) found by multilingual lemma rules; a text can have several.

A topic has keywords per language. A keyword is a word or a phrase in any form ("доставкою",
"late flight"): it is lemmatised with ``simplemma`` when the taxonomy is compiled and matched
against the text's lemmas, so inflected forms meet ("доставка", "доставкою", "доставки").
A keyword ending in ``*`` is a stem: it matches every lemma that starts with it ("упаков*" covers
упаковка, упакований, упаковано), which also covers words the lemmatiser does not know.

Compiled, a taxonomy is a dictionary of lemmas and one of stems per language (a word is looked
up once, and once per stem length), plus one regular expression for the few multi-word phrases:
a few microseconds per text whatever the number of topics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .text import lemma, lemmas

DEFAULT_TOPICS: dict[str, dict] = {
    "delivery": {
        "name": {"en": "Delivery", "uk": "Доставка", "ru": "Доставка"},
        "keywords": {
            "uk": ["доставк*", "доставил*", "доставля*", "посилк*", "пакунк*", "нова пошта",
                   "відправлен*", "відправк*", "затримк*", "запізн*", "вчасно", "термін*",
                   "чекати", "прийшла", "прийшов", "відділен*", "самовивіз*"],
            "ru": ["доставк*", "доставил*", "доставля*", "посылк*", "новая почта", "отправк*",
                   "отправлен*", "задержк*", "опозда*", "вовремя", "срок*", "ждать", "пришла",
                   "пришел", "отделени*", "самовывоз*"],
            "en": ["deliver*", "shipping", "shipment", "ship", "parcel", "arrive*", "arrival",
                   "delay*", "late", "on time", "wait*", "tracking", "dispatch*", "cancel*",
                   "luggage", "baggage", "bag", "bags", "line", "lines", "queue"],
        },
    },
    "courier": {
        "name": {"en": "Courier", "uk": "Кур'єр", "ru": "Курьер"},
        "keywords": {
            "uk": ["кур'єр*", "курєр*", "курьер*", "водій*"],
            "ru": ["курьер*", "водител*"],
            "en": ["courier*", "driver*", "delivery man", "delivery guy"],
        },
    },
    "packaging": {
        "name": {"en": "Packaging", "uk": "Пакування", "ru": "Упаковка"},
        "keywords": {
            "uk": ["упаков*", "пакуван*", "запакова*", "коробк*", "пакет*", "плівк*"],
            "ru": ["упаков*", "запакова*", "коробк*", "пакет*", "пленк*"],
            "en": ["packag*", "packing", "box*", "wrap*"],
        },
    },
    "price": {
        "name": {"en": "Price", "uk": "Ціна", "ru": "Цена"},
        "keywords": {
            "uk": ["ціна", "цін*", "дорог*", "дешев*", "вартіст*", "знижк*", "акці*", "переплат*",
                   "грн", "гривн*", "гроші"],
            "ru": ["цена", "цен*", "дорог*", "дешев*", "стоимост*", "скидк*", "акци*",
                   "переплат*", "грн", "деньги"],
            "en": ["price*", "pricing", "expensive", "cheap*", "cost*", "discount*", "overpriced",
                   "fee*", "fare*", "money"],
        },
    },
    "product_quality": {
        "name": {"en": "Product quality", "uk": "Якість товару", "ru": "Качество товара"},
        "keywords": {
            "uk": ["якість", "якісн*", "неякісн*", "матеріал*", "збірк*", "міцн*", "надійн*"],
            "ru": ["качеств*", "некачеств*", "материал*", "сборк*", "прочн*", "надежн*"],
            "en": ["quality", "material*", "build", "durable", "sturdy", "flimsy", "comfort*",
                   "seat*", "legroom", "food", "wifi", "entertainment"],
        },
    },
    "defects": {
        "name": {"en": "Defects", "uk": "Брак і поломки", "ru": "Брак и поломки"},
        "keywords": {
            "uk": ["брак*", "дефект*", "зламал*", "злама*", "полама*", "не працю*", "несправн*",
                   "тріщин*", "подряпин*", "пошкод*", "глюч*", "зависа*", "гарантi*", "гаранті*"],
            "ru": ["брак*", "дефект*", "сломал*", "слома*", "полома*", "не работа*",
                   "неисправ*", "трещин*", "царапин*", "поврежд*", "глюч*", "зависа*", "гаранти*"],
            "en": ["defect*", "broken", "broke", "faulty", "damage*", "crack*", "scratch*",
                   "stopped working", "doesnt work", "not working", "warranty", "malfunction*"],
        },
    },
    "returns": {
        "name": {"en": "Returns", "uk": "Повернення", "ru": "Возврат"},
        "keywords": {
            "uk": ["поверн*", "поверта*", "обмін*", "обміня*", "відшкодуван*"],
            "ru": ["возврат*", "вернуть", "верну*", "возвраща*", "обмен*", "обменя*"],
            "en": ["return*", "refund*", "exchange*", "money back", "voucher*", "compensat*"],
        },
    },
    "payment": {
        "name": {"en": "Payment", "uk": "Оплата", "ru": "Оплата"},
        "keywords": {
            "uk": ["оплат*", "платіж*", "карт*", "списал*", "рахун*", "кредит*", "розстрочк*"],
            "ru": ["оплат*", "платеж*", "карт*", "списал*", "счет*", "кредит*", "рассрочк*"],
            "en": ["payment*", "pay", "paid", "charge*", "credit card*", "debit card*", "my card",
                   "card declined", "credit*", "invoice*",
                   "billing", "transaction*"],
        },
    },
    "site_app": {
        "name": {"en": "Site and app", "uk": "Сайт і застосунок", "ru": "Сайт и приложение"},
        "keywords": {
            "uk": ["сайт*", "застосунк*", "застосунок", "додаток", "додатк*", "кошик*",
                   "особист* кабінет*", "замовлен* онлайн", "пошук*"],
            "ru": ["сайт*", "приложени*", "корзин*", "личн* кабинет*", "поиск*"],
            "en": ["site", "website", "web", "app", "online", "checkout", "login", "log in",
                   "book*", "reservation*", "check in", "checkin", "reschedul*", "rebook*"],
        },
    },
    "staff": {
        "name": {"en": "Staff", "uk": "Персонал", "ru": "Персонал"},
        "keywords": {
            "uk": ["персонал*", "продав*", "менеджер*", "працівник*", "співробітник*",
                   "консультант*", "ввічлив*", "груб*", "хам*"],
            "ru": ["персонал*", "продав*", "менеджер*", "работник*", "сотрудник*",
                   "консультант*", "вежлив*", "груб*", "хам*"],
            "en": ["staff", "employee*", "attendant*", "crew", "pilot*", "agent*", "rude",
                   "polite", "friendly", "manager*", "gate agent*"],
        },
    },
    "support": {
        "name": {"en": "Support", "uk": "Підтримка", "ru": "Поддержка"},
        "keywords": {
            "uk": ["підтримк*", "служб* підтримк*", "оператор*", "дзвін*", "дзвон*",
                   "телефонува*", "гаряч* лінi*", "відповід*", "чат*", "сервісн* центр*"],
            "ru": ["поддержк*", "оператор*", "звон*", "позвон*", "горяч* лини*", "ответ*",
                   "чат*", "сервисн* центр*"],
            "en": ["support", "customer service", "service", "call*", "phone", "hold",
                   "hung up", "answer*", "respon*", "reply", "chat", "dm", "email*", "help*"],
        },
    },
}  # fmt: skip


@dataclass
class _LanguageIndex:
    """Keyword look-up for one language: exact lemmas, stems (by length), phrases (regex)."""

    exact: dict[str, set[int]] = field(default_factory=dict)
    stems: dict[str, set[int]] = field(default_factory=dict)
    stem_lengths: list[int] = field(default_factory=list)
    phrases: list[tuple[int, str]] = field(default_factory=list)
    phrase_pattern: re.Pattern[str] | None = None
    # Word → the topics its exact lemma and stems name: customers reuse a small vocabulary, so
    # after a few thousand texts almost every word is one look-up instead of one per stem length.
    word_hits: dict[str, frozenset[int]] = field(default_factory=dict)

    def add(self, keyword: str, topic: int, language: str) -> None:
        words = keyword.lower().replace("ё", "е").replace("’", "'").replace("'", "").split()
        if len(words) > 1:
            self.phrases.append((topic, _phrase_regex(words, language)))
        elif words and words[0].endswith("*"):
            self.stems.setdefault(words[0][:-1], set()).add(topic)
        elif words:
            self.exact.setdefault(lemma(words[0], language), set()).add(topic)

    def freeze(self) -> None:
        self.stem_lengths = sorted({len(stem) for stem in self.stems})
        if self.phrases:
            self.phrase_pattern = re.compile(
                "|".join(f"(?P<t{topic}_{i}>{rx})" for i, (topic, rx) in enumerate(self.phrases))
            )

    def _hits(self, word: str) -> frozenset[int]:
        hits = set(self.exact.get(word, ()))
        for length in self.stem_lengths:
            if length > len(word):
                break
            hits |= self.stems.get(word[:length], set())
        result = frozenset(hits)
        if len(self.word_hits) < _WORD_CACHE_LIMIT:
            self.word_hits[word] = result
        return result

    def find(self, words: list[str], joined: str, found: set[int]) -> None:
        cache = self.word_hits
        for word in words:
            hit = cache.get(word)
            if hit is None:
                hit = self._hits(word)
            if hit:
                found |= hit
        if self.phrase_pattern is not None:
            for match in self.phrase_pattern.finditer(joined):
                found.add(int(match.lastgroup[1:].partition("_")[0]))


_WORD_CACHE_LIMIT = 200_000


def _phrase_regex(words: list[str], language: str) -> str:
    parts = [
        re.escape(word[:-1]) + r"\S*" if word.endswith("*") else re.escape(lemma(word, language))
        for word in words
    ]
    return r"(?<!\S)" + " ".join(parts) + r"(?!\S)"


class Taxonomy:
    """A compiled set of topics; ``match`` returns the keys of the topics a text mentions.

    A text in a language no keyword is written in (``other``) is matched against every
    language's keywords.
    """

    def __init__(self, topics: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        self.keys = list(topics)
        self.indexes: dict[str, _LanguageIndex] = {}
        for number, keywords in enumerate(topics.values()):
            for language, words in keywords.items():
                index = self.indexes.setdefault(language, _LanguageIndex())
                for word in words:
                    index.add(word, number, language)
        for index in self.indexes.values():
            index.freeze()

    @classmethod
    def default(cls) -> Taxonomy:
        return cls({key: spec["keywords"] for key, spec in DEFAULT_TOPICS.items()})

    def match(self, text: str, language: str) -> list[str]:
        found: set[int] = set()
        if language in self.indexes:
            words = lemmas(text[:5_000], language)
            self.indexes[language].find(words, " ".join(words), found)
        else:
            for lang, index in self.indexes.items():
                words = lemmas(text[:5_000], lang)
                index.find(words, " ".join(words), found)
        return [self.keys[number] for number in sorted(found)]

    def match_many(self, texts: Sequence[str], languages: Sequence[str]) -> list[list[str]]:
        return [self.match(text, lang) for text, lang in zip(texts, languages, strict=True)]
