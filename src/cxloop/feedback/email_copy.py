"""The words of survey emails and of the unsubscribe page, in every survey language.

Customer-facing content, like the survey texts in :mod:`.catalog`: the customer reads it in their
own language (en, uk, ru) whatever the staff's language, so it is kept as ``{language: text}``
rather than in the staff interface's gettext catalogs.
"""

from __future__ import annotations

from .models import localized

TEXTS: dict[str, dict[str, str]] = {
    "subject": {
        "en": "%(title)s: tell us how we did",
        "uk": "%(title)s: розкажіть, як ми впоралися",
        "ru": "%(title)s: расскажите, как мы справились",
    },
    "reminder_subject": {
        "en": "Reminder: %(title)s",
        "uk": "Нагадування: %(title)s",
        "ru": "Напоминание: %(title)s",
    },
    "greeting": {
        "en": "Hello, %(name)s!",
        "uk": "Вітаємо, %(name)s!",
        "ru": "Здравствуйте, %(name)s!",
    },
    "greeting_anonymous": {"en": "Hello!", "uk": "Вітаємо!", "ru": "Здравствуйте!"},
    "intro": {
        "en": "We would like to hear how it went. It takes about a minute.",
        "uk": "Нам важливо знати, як усе пройшло. Це займе близько хвилини.",
        "ru": "Нам важно знать, как всё прошло. Это займёт около минуты.",
    },
    "reminder_intro": {
        "en": "A few days ago we asked for your opinion. If you have a minute, we would still "
        "love to hear it.",
        "uk": "Кілька днів тому ми запитали вашу думку. Якщо маєте хвилинку, нам дуже важливо "
        "її почути.",
        "ru": "Несколько дней назад мы спросили ваше мнение. Если у вас есть минутка, нам очень "
        "важно его услышать.",
    },
    "button": {"en": "Answer the survey", "uk": "Пройти опитування", "ru": "Пройти опрос"},
    "valid_until": {
        "en": "The link is personal and works until %(date)s.",
        "uk": "Посилання персональне й діє до %(date)s.",
        "ru": "Ссылка персональная и действует до %(date)s.",
    },
    "unsubscribe_prompt": {
        "en": "Don't want survey emails from %(workspace)s?",
        "uk": "Не хочете отримувати опитування від %(workspace)s?",
        "ru": "Не хотите получать опросы от %(workspace)s?",
    },
    "unsubscribe_link": {"en": "Unsubscribe", "uk": "Відписатися", "ru": "Отписаться"},
    "unsubscribe_title": {"en": "Unsubscribe", "uk": "Відписка", "ru": "Отписка"},
    "unsubscribe_question": {
        "en": "Stop sending surveys from %(workspace)s to %(email)s?",
        "uk": "Більше не надсилати опитування від %(workspace)s на %(email)s?",
        "ru": "Больше не присылать опросы от %(workspace)s на %(email)s?",
    },
    "unsubscribe_done": {
        "en": "Done: %(email)s will get no more surveys from %(workspace)s.",
        "uk": "Готово: на %(email)s більше не надходитимуть опитування від %(workspace)s.",
        "ru": "Готово: на %(email)s больше не будут приходить опросы от %(workspace)s.",
    },
}


def text(key: str, language: str, **values: str) -> str:
    """One piece of email or unsubscribe-page copy in ``language`` (English when unknown)."""
    template = localized(TEXTS[key], language)
    return template % values if values else template
