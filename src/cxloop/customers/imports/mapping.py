"""Which column of a file feeds which field, and a first guess from the header's names.

A mapping is a list with one *target* per column, in the file's order: a field name, ``attribute``
(keep the cell in the customer's attributes, under the column's name) or ``""`` (skip the column).
The guess knows the names people give these columns in English, Ukrainian and Russian exports;
a person confirms or corrects it on the mapping page, or with ``--map`` on the command line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CUSTOMERS, ORDERS = "customers", "orders"
ATTRIBUTE, SKIP = "attribute", ""

FIELDS: dict[str, dict[str, Promise]] = {
    CUSTOMERS: {
        "external_id": gettext_lazy("External id"),
        "name": gettext_lazy("Name"),
        "email": gettext_lazy("Email"),
        "phone": gettext_lazy("Phone"),
        "language": gettext_lazy("Language"),
        "segment": gettext_lazy("Segment"),
        "consent_email": gettext_lazy("Agrees to email"),
    },
    ORDERS: {
        "external_id": gettext_lazy("Order id"),
        "customer_external_id": gettext_lazy("Customer's external id"),
        "placed_at": gettext_lazy("Placed"),
        "amount": gettext_lazy("Amount"),
        "currency": gettext_lazy("Currency"),
        "status": gettext_lazy("Status"),
        "delivered_at": gettext_lazy("Delivered"),
    },
}
REQUIRED = {
    CUSTOMERS: ("external_id",),
    ORDERS: ("external_id", "customer_external_id", "placed_at", "amount"),
}

# Header names, normalised by ``_key`` (lower case, letters and digits only, ё → е).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    CUSTOMERS: {
        "external_id": (
            "externalid", "id", "customerid", "clientid", "customercode", "clientcode", "code",
            "uid", "userid", "ид", "ід", "код", "кодклиента", "кодклієнта", "идклиента",
            "ідклієнта", "идентификатор", "ідентифікатор", "номерклиента", "номерклієнта",
        ),
        "name": (
            "name", "fullname", "customername", "clientname", "customer", "client", "імя",
            "имя", "піб", "фио", "клієнт", "клиент", "покупець", "покупатель", "назва",
            "прізвищеімя", "фамилияимя", "імяпрізвище", "имяфамилия",
        ),
        "email": (
            "email", "mail", "emailaddress", "пошта", "почта", "електроннапошта",
            "электроннаяпочта", "емейл", "имейл", "імейл", "мейл", "епошта", "эпочта",
        ),
        "phone": (
            "phone", "tel", "telephone", "mobile", "phonenumber", "телефон", "тел",
            "мобільний", "мобильный", "номертелефону", "номертелефона",
        ),
        "language": ("language", "lang", "locale", "мова", "язык"),
        "segment": (
            "segment", "group", "persona", "сегмент", "група", "группа", "категорія",
            "категория",
        ),
        "consent_email": (
            "consent", "consentemail", "emailconsent", "marketingconsent", "subscribed",
            "subscription", "newsletter", "optin", "agreestoemail", "згода", "согласие",
            "підписка", "подписка", "розсилка", "рассылка", "згоданарозсилку",
            "согласиенарассылку",
        ),
    },
    ORDERS: {
        "external_id": (
            "orderid", "externalid", "ordernumber", "orderno", "order", "id", "номер",
            "номерзамовлення", "номерзаказа", "замовлення", "заказ", "кодзамовлення",
            "кодзаказа",
        ),
        "customer_external_id": (
            "customerexternalid", "customerid", "clientid", "customer", "client",
            "customercode", "кодклієнта", "кодклиента", "ідклієнта", "идклиента", "клієнт",
            "клиент", "покупець", "покупатель",
        ),
        "placed_at": (
            "placedat", "placed", "date", "orderdate", "created", "createdat", "дата",
            "датазамовлення", "датазаказа", "датаоформлення",
        ),
        "amount": (
            "amount", "total", "sum", "totalamount", "price", "сума", "сумма", "итого",
            "всього", "разом", "вартість", "стоимость",
        ),
        "currency": ("currency", "curr", "валюта"),
        "status": ("status", "state", "статус", "стан", "состояние"),
        "delivered_at": (
            "deliveredat", "delivered", "deliverydate", "датадоставки", "доставлено",
            "доставлен",
        ),
    },
}  # fmt: skip

_NOT_WORD = re.compile(r"[\W_]+")


def _key(name: str) -> str:
    return _NOT_WORD.sub("", name.lower().replace("ё", "е").replace("ʼ", ""))


def suggest(kind: str, header: Sequence[str], keep_unmapped: bool = False) -> list[str]:
    """One target per column; a field feeds from one column at most.

    Exact names win first, left to right. Then a name that *contains* a known one ("Email
    клієнта", "Сума замовлення"): the known name at the start of the header wins, then the
    longer one, so "Сума замовлення" is an amount rather than an order id.
    """
    keys = [_key(name) for name in header]
    targets = [SKIP] * len(header)
    taken: set[str] = set()
    for index, key in enumerate(keys):
        for field, names in SYNONYMS[kind].items():
            if field not in taken and key in names:
                targets[index] = field
                taken.add(field)
                break
    for index, key in enumerate(keys):
        if targets[index] or not key:
            continue
        found = [
            (key.startswith(name), len(name), field)
            for field, names in SYNONYMS[kind].items()
            if field not in taken
            for name in names
            if len(name) >= 4 and name in key
        ]
        if found:
            field = max(found)[2]
            targets[index] = field
            taken.add(field)
    if keep_unmapped and kind == CUSTOMERS:
        targets = [target or ATTRIBUTE for target in targets]
    return targets


def choices(kind: str) -> list[tuple[str, str]]:
    """What a column can feed, for a select: skip, the fields, and (customers) an attribute."""
    options = [(SKIP, _("— skip this column —"))]
    options += [(field, str(label)) for field, label in FIELDS[kind].items()]
    if kind == CUSTOMERS:
        options.append((ATTRIBUTE, _("Keep as an attribute")))
    return options


def problems(kind: str, header: Sequence[str], targets: Sequence[str]) -> list[str]:
    """What stops this mapping from being used, each with the fix."""
    errors = []
    allowed = {field for field, _label in choices(kind)}
    for column, target in zip(header, targets, strict=True):
        if target not in allowed:
            errors.append(
                _("Column “%(column)s” cannot feed “%(target)s”; choose one of: %(fields)s.")
                % {"column": column, "target": target, "fields": ", ".join(FIELDS[kind])}
            )
    for field in REQUIRED[kind]:
        if field not in targets:
            errors.append(
                _("No column feeds “%(field)s”; choose the column that holds it.")
                % {"field": FIELDS[kind][field]}
            )
    for field, label in FIELDS[kind].items():
        columns = [
            column for column, target in zip(header, targets, strict=True) if target == field
        ]
        if len(columns) > 1:
            errors.append(
                _("“%(field)s” is fed by %(columns)s; choose one column, skip the others.")
                % {"field": label, "columns": ", ".join(f"“{c}”" for c in columns)}
            )
    return errors


def apply_overrides(
    kind: str, header: Sequence[str], targets: list[str], overrides: Sequence[str]
) -> list[str]:
    """Apply ``COLUMN=FIELD`` overrides (``--map``); the column is named as in the header (any
    case) or by its number from 1. ``FIELD`` may be ``skip`` or ``attribute``. A field that
    another column fed by suggestion moves to the named column."""
    targets = list(targets)
    lowered = [name.lower() for name in header]
    for override in overrides:
        column, sep, field = override.rpartition("=")
        column, field = column.strip(), field.strip().lower()
        if not sep or not column:
            raise ValueError(_("--map needs COLUMN=FIELD, not “%(value)s”.") % {"value": override})
        if column.lower() in lowered:
            index = lowered.index(column.lower())
        elif column.isdigit() and 1 <= int(column) <= len(header):
            index = int(column) - 1
        else:
            raise ValueError(
                _("There is no column “%(column)s”; the columns are: %(columns)s.")
                % {"column": column, "columns": ", ".join(header)}
            )
        field = SKIP if field in ("skip", "-", "") else field
        if field not in FIELDS[kind] and field not in (SKIP, ATTRIBUTE):
            raise ValueError(
                _("“%(field)s” is not a field of %(kind)s; use one of: %(fields)s, skip%(more)s.")
                % {
                    "field": field,
                    "kind": kind,
                    "fields": ", ".join(FIELDS[kind]),
                    "more": ", attribute" if kind == CUSTOMERS else "",
                }
            )
        if field in FIELDS[kind]:
            targets = [SKIP if target == field else target for target in targets]
        targets[index] = field
    return targets


def as_json(header: Sequence[str], targets: Sequence[str]) -> list[dict[str, str]]:
    """How a mapping is stored on an ``ImportRun``: the column names travel with it."""
    return [{"column": c, "field": t} for c, t in zip(header, targets, strict=True)]


def from_json(stored: Sequence[dict[str, str]], header: Sequence[str]) -> list[str] | None:
    """The targets of a stored mapping, or ``None`` when the file's columns are not the same."""
    if [item["column"] for item in stored] != list(header):
        return None
    return [item["field"] for item in stored]
