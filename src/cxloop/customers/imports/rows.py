"""From a raw row of cells to a ``CustomerInput`` or ``OrderInput``, or the reason it is bad.

Each reason names the column as the file names it, quotes the value, and says how to write it
("amount '12,5O' is not a number; use digits with . or , as the decimal mark"). An empty cell means
"not given": the stored value is kept, so a file with fewer columns never erases data.

Accepted forms: dates ISO (``2026-03-17``, ``2026-03-17 14:30``, with or without a zone) or
``17.03.2026 [14:30]``, read in the workspace's time zone when no zone is given; amounts with ``.``
or ``,`` as the decimal mark and spaces as thousands separators; yes/no in English, Ukrainian and
Russian; languages by code or name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..services import CustomerInput, OrderInput
from .mapping import ATTRIBUTE, CUSTOMERS
from .readers import UNDECODABLE

MAX_LENGTH = {
    "external_id": 100,
    "customer_external_id": 100,
    "name": 200,
    "segment": 120,
    "email": 254,
    "phone": 40,
}
EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]{2,}")
PHONE = re.compile(r"\+?(?:[\s().\-/]*\d){5,15}[\s().\-/]*")  # 5 to 15 digits
DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
AMOUNT_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'")

LANGUAGES = {
    **dict.fromkeys(
        ("uk", "ua", "ukr", "укр", "українська", "украинский", "украинская", "ukrainian"), "uk"
    ),
    **dict.fromkeys(("ru", "rus", "рус", "русский", "російська", "russian"), "ru"),
    **dict.fromkeys(("en", "eng", "англ", "english", "англійська", "английский"), "en"),
}
YES_NO = {
    **dict.fromkeys(
        ("yes", "y", "1", "true", "t", "+", "x", "on", "так", "да", "згоден", "согласен"), True
    ),
    **dict.fromkeys(("no", "n", "0", "false", "f", "-", "off", "ні", "нет"), False),
}
CURRENCIES = {
    **dict.fromkeys(("грн", "грн.", "₴", "гривня", "гривна", "uah"), "UAH"),
    **dict.fromkeys(("$", "usd", "дол", "долар", "доллар"), "USD"),
    **dict.fromkeys(("€", "eur", "євро", "евро"), "EUR"),
    **dict.fromkeys(("zł", "zl", "pln", "злотий", "злотый"), "PLN"),
}
STATUSES = {
    **dict.fromkeys(
        ("placed", "new", "created", "нове", "новий", "новый", "новое", "оформлено", "оформлен"),
        "placed",
    ),
    **dict.fromkeys(
        ("shipped", "sent", "відправлено", "відправлене", "отправлен", "отправлено", "в дорозі"),
        "shipped",
    ),
    **dict.fromkeys(
        ("delivered", "completed", "done", "доставлено", "доставлен", "виконано", "выполнен"),
        "delivered",
    ),
    **dict.fromkeys(
        ("returned", "return", "повернено", "повернення", "возврат", "возвращен"), "returned"
    ),
    **dict.fromkeys(
        ("cancelled", "canceled", "скасовано", "отменен", "отменён", "отменено"), "cancelled"
    ),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one row cannot be imported: the column (as the file names it) and the fix."""

    column: str
    reason: str
    external_id: str = ""


class Invalid(ValueError):
    """A cell's value is wrong: a message with ``%(column)s`` and ``%(value)s`` to fill in."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template)
        self.template, self.params = template, params

    def describe(self, column: str, value: str) -> str:
        shown = value if len(value) <= 60 else value[:57] + "…"
        return self.template % {"column": column, "value": shown, **self.params}


def _limit(field: str) -> Callable[[str], str]:
    limit = MAX_LENGTH[field]

    def check(text: str) -> str:
        if len(text) > limit:
            raise Invalid(
                _("%(column)s is %(length)s characters long; shorten it to %(limit)s"),
                length=len(text),
                limit=limit,
            )
        return text

    return check


def _email(text: str) -> str:
    if len(text) > MAX_LENGTH["email"] or not EMAIL.fullmatch(text):
        raise Invalid(
            _("%(column)s '%(value)s' is not an email address; write it as name@example.com")
        )
    return text


def _phone(text: str) -> str:
    if len(text) > MAX_LENGTH["phone"] or not PHONE.fullmatch(text):
        raise Invalid(
            _(
                "%(column)s '%(value)s' is not a phone number; use digits, spaces, brackets and "
                "dashes, with + and the country code in front"
            )
        )
    return text


def _language(text: str) -> str:
    code = LANGUAGES.get(text.lower()) or LANGUAGES.get(re.split(r"[-_]", text.lower())[0])
    if code is None:
        raise Invalid(_("%(column)s '%(value)s' is not supported; use uk, ru or en"))
    return code


def _yes_no(text: str) -> bool:
    value = YES_NO.get(text.lower())
    if value is None:
        raise Invalid(
            _("%(column)s '%(value)s' is not yes or no; use yes/no, 1/0, так/ні or да/нет")
        )
    return value


def parse_amount(text: str) -> Decimal:
    number = text.translate(AMOUNT_SPACES)
    if "," in number and "." in number:
        # Both marks: the last one is the decimal mark, the other separates thousands.
        thousands = "," if number.rfind(".") > number.rfind(",") else "."
        number = number.replace(thousands, "").replace(",", ".")
    elif number.count(",") == 1:
        number = number.replace(",", ".")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not re.fullmatch(r"[+-]?[\d.]+", number):
        raise Invalid(
            _("%(column)s '%(value)s' is not a number; use digits with . or , as the decimal mark")
        )
    if amount < 0:
        raise Invalid(_("%(column)s '%(value)s' is negative; give returns as status “returned”"))
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Invalid(_("%(column)s '%(value)s' has more than two decimals; round it to cents"))
    if amount >= Decimal("1e10"):
        raise Invalid(_("%(column)s '%(value)s' is too large; the most is 9999999999.99"))
    return amount


def parse_datetime(text: str, zone: tzinfo) -> datetime:
    match = DOTTED_DATE.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
            value = datetime(year, month, day, hour, minute, second)
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            _(
                "%(column)s '%(value)s' is not a date; use 2026-03-17 (ISO) or 17.03.2026, "
                "optionally with a time such as 14:30"
            )
        ) from None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _currency(text: str) -> str:
    code = CURRENCIES.get(text.lower())
    if code is None and re.fullmatch(r"[A-Za-z]{3}", text):
        code = text.upper()
    if code is None:
        raise Invalid(
            _("%(column)s '%(value)s' is not a currency; use a three-letter code such as UAH")
        )
    return code


def _status(text: str) -> str:
    status = STATUSES.get(text.lower())
    if status is None:
        raise Invalid(
            _(
                "%(column)s '%(value)s' is not an order status; use placed, shipped, delivered, "
                "returned or cancelled"
            )
        )
    return status


def _converters(zone: tzinfo) -> dict[str, Callable[[str], Any]]:
    def date(text: str) -> datetime:
        return parse_datetime(text, zone)

    return {
        "name": _limit("name"),
        "email": _email,
        "phone": _phone,
        "language": _language,
        "segment": _limit("segment"),
        "consent_email": _yes_no,
        "customer_external_id": _limit("customer_external_id"),
        "placed_at": date,
        "amount": parse_amount,
        "currency": _currency,
        "status": _status,
        "delivered_at": date,
    }


Parser = Callable[[list[str]], "CustomerInput | OrderInput | Problem"]


def make_parser(
    kind: str, header: Sequence[str], targets: Sequence[str], zone: tzinfo | None = None
) -> Parser:
    """A function from one row's cells to an input for the upsert services, or a ``Problem``.

    Built once per file, so that the per-row work is a loop over the mapped columns only.
    """
    zone = zone or timezone.get_current_timezone()
    convert = _converters(zone)
    width = len(header)
    where = {target: i for i, target in enumerate(targets) if target and target != ATTRIBUTE}
    id_index = where["external_id"]
    id_column = header[id_index]
    checks = [
        (i, header[i], field, convert[field])
        for field, i in where.items()
        if field != "external_id"
    ]
    kept = [(i, header[i]) for i, target in enumerate(targets) if target == ATTRIBUTE]
    required = {"customer_external_id", "placed_at", "amount"} if kind != CUSTOMERS else set()
    make: Callable[..., Any] = CustomerInput if kind == CUSTOMERS else OrderInput
    check_id = _limit("external_id")

    def parse(cells: list[str]) -> CustomerInput | OrderInput | Problem:
        if len(cells) != width:
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                return Problem(
                    "",
                    _(
                        "the row has %(cells)s cells but the header has %(width)s; put quotes "
                        "around values that contain the delimiter"
                    )
                    % {"cells": len(cells), "width": width},
                    cells[id_index].strip(),
                )
            cells = [*cells[:width], *[""] * (width - len(cells))]
        external_id = cells[id_index].strip()
        if UNDECODABLE.search("".join(cells)):
            return Problem(
                "",
                _(
                    "the row has bytes that are not text in the file's encoding; save the file as "
                    "CSV UTF-8"
                ),
                UNDECODABLE.sub("?", external_id),
            )
        if not external_id:
            return Problem(
                id_column, _("%(column)s is empty; every row needs one") % {"column": id_column}
            )
        try:
            check_id(external_id)
        except Invalid as exc:
            return Problem(id_column, exc.describe(id_column, external_id), external_id[:100])
        values: dict[str, Any] = {}
        for index, column, field, converter in checks:
            text = cells[index].strip()
            if text:
                try:
                    values[field] = converter(text)
                except Invalid as exc:
                    return Problem(column, exc.describe(column, text), external_id)
            elif field in required:
                return Problem(
                    column,
                    _("%(column)s is empty; every order needs it") % {"column": column},
                    external_id,
                )
        if kept:
            attributes = {name: cells[i].strip() for i, name in kept if cells[i].strip()}
            if attributes:
                values["attributes"] = attributes
        return make(external_id, **values)

    return parse
