"""A small multilingual sentiment lexicon written by the cxloop team (Apache-2.0, like cxloop).

Entries are stems of normalised text (lower case, ``ё``→``е``, apostrophes unified): a word
matches when it starts with a stem, so one stem covers the inflected forms of Ukrainian and
Russian ("поган" → поганий, погано, поганої…). Lists are short on purpose: they hold the words
customers use about shops, deliveries, products and support, and the cold-start classifier learns
how much each count weighs from the seed examples (``data/seed_examples.csv``).

Negation: a stem preceded by a negator within two words counts on the other side, weakened ("не
погано", "not bad" → a mild positive; "не рекомендую", "not happy" → negative).
"""

from __future__ import annotations

import re

POSITIVE = {
    "uk": """добр добре чудов відмін супер клас класн гарн гарне прекрасн чудесн найкращ кращ
        рекоменд раджу задоволен задовол подоба сподоба люблю любим зручн швидк якісн надійн
        дяку дякс вдяч молодц приємн бездоганн ідеальн топ вау захват захоплен радий рада щаслив
        вартий варта ввічлив уважн оперативн крут неймовірн шикарн фантаст ефективн потужн
        тихий тихо
        легк красив перевершил чемн професійн""",
    "ru": """хорош добр отличн супер класс классн прекрасн замечательн чудесн лучш лучше
        рекоменд совету доволен довольн нрав понрав люблю любим удобн быстр качествен надежн
        спасибо благодар молодц приятн безупречн идеальн топ вау восторг восхищ рад счастлив
        стоящ вежлив внимательн оперативн крут невероятн шикарн фантаст эффективн мощн тихий тихо
        легк красив превзошл професс""",
    "en": """good great excellent awesome amazing perfect love loved lovely like liked best
        better recommend happy glad pleased satisfied fast quick quality reliable thank thanks
        appreciat nice wonderful fantastic brilliant superb outstanding kind friendly helpful
        polite professional smooth easy comfortable beautiful worth wow impress enjoy fabulous
        incredible terrific exceed favorite favourite rock""",
}

NEGATIVE = {
    "uk": """поган жах жахлив огидн відстій розчар брак бракован зламал злама поламал
        не_працю несправн дефект поверн поверта поверну обман шахра кинул гірш найгірш
        повільн затримк затрима запізн чека нахаб хамств грубі грубо ігнор скарг проблем
        помилк неякісн дешевк шкоду шкода жаль дорог завищ шум гріє гріється тріщ подряпин
        бруд м'ят пошкод скасува відмов незручн слабк нікчем викинут втрачен загуб
        глюч зависа зависан пропада перестав перестал мига мерехт тормоз гальму заїка
        непридат люфт тупі тупий ламаєт ламаєть тріска вибива відвалю протіка іржав""",
    "ru": """плох ужас ужасн отвратит отстой разочар брак бракован сломал слома поломал
        не_работа неисправ дефект возвр верну обман мошен кинул хуж худш медлен задерж
        опозд жда ждал хам грубо грубы игнор жалоб проблем ошибк некачествен дешевк жаль
        жалею дорог завыш шум грее трещ царапин гряз мят поврежд отмен отказ неудобн слаб
        никчем выброс потерян потеря
        глюч глюк зависа зависан пропада перестал мига мерца тормоз заика непригод люфт тупые
        тупой ломает трещит выбива отвали протека ржав""",
    "en": """bad terrible awful horrible worst worse poor disappoint broken broke defect
        faulty return refund scam fraud slow delay delayed late lost cancel cancelled canceled
        rude ignore complain problem issue error cheap overpriced expensive noisy damaged dirty
        crushed useless waste wait waiting hold unacceptable ridiculous fail failed never
        annoy angry frustrat sucks suck stuck missed mess hate hated nightmare
        glitch freez crash stopped flicker useless leak rust""",
}

NEGATORS = r"не|ні|нет|ни|ніколи|никогда|not|no|never|nt|without|без"
CONTRAST = re.compile(
    r"\b(?:але|однак|проте|хоча|но|однако|хотя|зато|but|however|although|though)\b"
)
QUESTION = re.compile(r"\?")
EXCLAIM = re.compile(r"!")
POSITIVE_EMOJI = re.compile(r"[😀😁😂😃😄😊😍🥰😘👍👌💪🔥❤💕💖💯🙏🎉✨☺🤩]|:\)|\)\)")
NEGATIVE_EMOJI = re.compile(r"[😡😠🤬😞😟😢😭😤👎💩😩😫🙄😒]|:\(|\(\(")


def _pattern(stems: str) -> re.Pattern[str]:
    words = sorted({stem.replace("_", " ") for stem in stems.split()}, key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    # group 1: a negator up to two words before; group 2: the sentiment word.
    return re.compile(rf"(?:\b(?:{NEGATORS})\s+(?:\w+\s+)?)?\b(?:{alternatives})\w*")


_NEGATOR_START = re.compile(rf"^(?:{NEGATORS})\b")
POSITIVE_PATTERNS = {lang: _pattern(stems) for lang, stems in POSITIVE.items()}
NEGATIVE_PATTERNS = {lang: _pattern(stems) for lang, stems in NEGATIVE.items()}

FEATURES = (
    "positive",
    "negative",
    "negated_positive",
    "negated_negative",
    "both",
    "none",
    "contrast",
    "question",
    "exclaim",
    "positive_emoji",
    "negative_emoji",
    "positive_after_contrast",
    "negative_after_contrast",
    "balance",
    "long",
)


def _count(pattern: re.Pattern[str], text: str) -> tuple[int, int]:
    plain = negated = 0
    for match in pattern.finditer(text):
        if _NEGATOR_START.match(match.group(0)) and " " in match.group(0):
            negated += 1
        else:
            plain += 1
    return plain, negated


def _polarity(text: str, languages: tuple[str, ...]) -> tuple[int, int, int, int]:
    positive = negative = negated_positive = negated_negative = 0
    for lang in languages:
        plain, negated = _count(POSITIVE_PATTERNS[lang], text)
        positive += plain
        negated_positive += negated
        plain, negated = _count(NEGATIVE_PATTERNS[lang], text)
        negative += plain
        negated_negative += negated
    return positive, negative, negated_positive, negated_negative


def lexicon_features(normalised: str, language: str) -> list[float]:
    """The :data:`FEATURES` of a normalised text; unknown languages use all three lists.

    The clause after the last "but" (але, но, but…) is counted again on its own: in a review that
    praises and then complains, the verdict is usually what comes after the turn.
    """
    languages = (language,) if language in POSITIVE else tuple(POSITIVE)
    positive, negative, negated_positive, negated_negative = _polarity(normalised, languages)
    pos = positive + negated_negative
    neg = negative + negated_positive
    turns = list(CONTRAST.finditer(normalised))
    tail_pos = tail_neg = 0
    if turns:
        p, n, np_, nn = _polarity(normalised[turns[-1].end() :], languages)
        tail_pos, tail_neg = p + nn, n + np_
    return [
        min(positive, 5),
        min(negative, 5),
        min(negated_positive, 3),
        min(negated_negative, 3),
        float(pos > 0 and neg > 0),
        float(pos == 0 and neg == 0),
        float(bool(CONTRAST.search(normalised))),
        float(bool(QUESTION.search(normalised))),
        min(len(EXCLAIM.findall(normalised)), 3),
        min(len(POSITIVE_EMOJI.findall(normalised)), 3),
        min(len(NEGATIVE_EMOJI.findall(normalised)), 3),
        min(tail_pos, 3),
        min(tail_neg, 3),
        (pos - neg) / (pos + neg + 1),
        min(len(normalised) / 300, 3),
    ]
