"""Reviews and social mentions from outside: validated, de-duplicated, matched, recorded.

One service, :func:`import_mentions`, serves every way a mention arrives (the CLI, the REST
endpoint, the inbound webhook). A *mention* is a post about the business on another site; it is
a *review* when it carries a 1–5 star rating. Each row is checked on its own, so one bad row is
reported with its position and reason while every good row is stored.

A mention is stored once per workspace, source and external id (the ``mention_unique_source_id``
constraint). The insert is ``INSERT … ON CONFLICT DO NOTHING RETURNING``, the same statement on
SQLite (3.35+) and PostgreSQL: the rows it returns are exactly the ones this call created, so two
imports of the same file racing each other still store, count and record each mention once.
Each new mention becomes one experience in the ledger: a rated one on the ``stars5`` scale
(source ``review``), an unrated one with the outcome *met* and its text (source ``social``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pydantic
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from pydantic import ConfigDict, Field, field_validator

from cxloop.core.scoping import current_workspace
from cxloop.customers.models import LANGUAGES, Customer
from cxloop.experiences.models import Source
from cxloop.experiences.scoring import Outcome, Scale
from cxloop.experiences.services import MAX_TEXT, record_experience

from .models import Mention

# Rows one request (API call, webhook delivery) may carry.
MAX_ROWS = 1000
# Rows per INSERT statement: well under SQLite's limit on bound parameters.
INSERT_BATCH = 500
# A post dated this far ahead is a wrong clock or a wrong column, not a mention.
FUTURE_SLACK = timedelta(days=1)

_LANGUAGE_CODES = {code for code, _ in LANGUAGES}
_url = URLValidator(schemes=["http", "https"])


class MentionRow(pydantic.BaseModel):
    """One mention as sent: the column names of a CSV file, the keys of a JSON object."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)

    source: str = Field(min_length=1, max_length=60, description="google, instagram, rozetka…")
    external_id: str = Field(
        min_length=1, max_length=200, description="The post's id on its source."
    )
    author: str = Field("", max_length=200)
    url: str = Field("", max_length=1000)
    rating: int | None = Field(None, ge=1, le=5, description="Stars, 1–5; none for a mention.")
    text: str = Field("", max_length=MAX_TEXT)
    language: str = Field("", description="en, uk, ru…; empty when unknown.")
    posted_at: datetime = Field(description="When it was posted, ISO 8601.")
    customer_external_id: str = Field("", max_length=100)
    customer_email: str = Field("", max_length=254)
    customer_phone: str = Field("", max_length=40)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        return value.lower()

    @field_validator("rating", mode="before")
    @classmethod
    def _blank_rating(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value:
            try:
                _url(value)
            except DjangoValidationError:
                raise ValueError("is not an http(s) address such as https://…") from None
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = value.lower()
        if value and value not in _LANGUAGE_CODES:
            raise ValueError(f"use one of {', '.join(sorted(_LANGUAGE_CODES))}, or leave it empty")
        return value

    @field_validator("posted_at")
    @classmethod
    def _when(cls, value: datetime) -> datetime:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value > timezone.now() + FUTURE_SLACK:
            raise ValueError("lies in the future; send the time the post was published")
        return value

    @field_validator("customer_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return value.lower()


@dataclass(frozen=True)
class RowError:
    index: int  # position among the rows given, from 0
    external_id: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    mention_ids: list[int] = field(default_factory=list)

    def merge(self, other: ImportResult) -> None:
        self.created += other.created
        self.duplicates += other.duplicates
        self.errors += other.errors
        self.mention_ids += other.mention_ids


@dataclass(frozen=True)
class Unreadable:
    """A row a reader could not parse (a broken JSON line), reported with the reader's reason."""

    reason: str


def parse_row(raw: Any) -> MentionRow:
    """One row, or :class:`pydantic.ValidationError`; ``id`` and ``time`` are accepted as names."""
    if isinstance(raw, Unreadable):
        raise TypeError(raw.reason)
    if not isinstance(raw, Mapping):
        raise TypeError("each mention must be an object with source, external_id, posted_at …")
    values = {key: value for key, value in raw.items() if value is not None}
    for alias, name in (("id", "external_id"), ("time", "posted_at")):
        if alias in values and name not in values:
            values[name] = values.pop(alias)
    return MentionRow.model_validate(values)


def import_mentions(
    rows: Iterable[Any], via: str = Mention.ImportedVia.API, *, first_index: int = 0
) -> ImportResult:
    """Store the good rows of ``rows`` in the bound workspace; report the bad ones by position.

    ``first_index`` numbers the rows of a file read in several batches. Runs in one transaction,
    so a mention and its experience are stored together or not at all.
    """
    result = ImportResult()
    valid: list[tuple[int, MentionRow]] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(rows, start=first_index):
        try:
            row = parse_row(raw)
        except TypeError as exc:
            result.errors.append(RowError(index, "", str(exc)))
            continue
        except pydantic.ValidationError as exc:
            problems = "; ".join(_problem(e) for e in exc.errors())
            external_id = raw.get("external_id") or raw.get("id") or ""
            result.errors.append(RowError(index, str(external_id)[:200], problems))
            continue
        key = (row.source, row.external_id)
        if key in seen:  # the same mention twice in one batch
            result.duplicates += 1
            continue
        seen.add(key)
        valid.append((index, row))
    if not valid:
        return result

    with transaction.atomic():
        customers = _match_customers([row for _, row in valid])
        mentions = [_mention(row, customers, via) for _, row in valid]
        created: list[Mention] = []
        for start in range(0, len(mentions), INSERT_BATCH):
            created += _insert_new(mentions[start : start + INSERT_BATCH])
        for mention in created:
            mention.experience = record_experience(**_experience_of(mention))
        Mention.objects.bulk_update(created, ["experience"])
    result.created += len(created)
    result.duplicates += len(mentions) - len(created)
    result.mention_ids += [m.pk for m in created]
    return result


def _problem(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ())) or "row"
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{where}: {message}"


def _match_customers(rows: list[MentionRow]) -> dict[tuple[str, str], Customer]:
    """Customers the rows name, keyed ``("external_id" | "email" | "phone", value)``."""
    ids = {r.customer_external_id for r in rows if r.customer_external_id}
    emails = {r.customer_email for r in rows if r.customer_email}
    phones = {r.customer_phone for r in rows if r.customer_phone}
    found: dict[tuple[str, str], Customer] = {}
    if ids:
        for customer in Customer.objects.filter(external_id__in=ids):
            found[("external_id", customer.external_id)] = customer
    if emails:
        matches = Customer.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails
        )
        for customer in matches.order_by("id"):
            found.setdefault(("email", customer.email_lower), customer)
    if phones:
        for customer in Customer.objects.filter(phone__in=phones).order_by("id"):
            found.setdefault(("phone", customer.phone), customer)
    return found


def _customer_for(row: MentionRow, customers: dict[tuple[str, str], Customer]) -> Customer | None:
    """The first that names a customer: their external id, then email, then phone."""
    for key in (
        ("external_id", row.customer_external_id),
        ("email", row.customer_email),
        ("phone", row.customer_phone),
    ):
        if key[1] and key in customers:
            return customers[key]
    return None


def _mention(row: MentionRow, customers: dict[tuple[str, str], Customer], via: str) -> Mention:
    rated = row.rating is not None
    return Mention(
        kind=Mention.Kind.REVIEW if rated else Mention.Kind.MENTION,
        source=row.source,
        external_id=row.external_id,
        author=row.author,
        url=row.url,
        rating=row.rating,
        rating_scale=Scale.STARS5 if rated else "",
        text=row.text,
        language=row.language,
        posted_at=row.posted_at,
        customer=_customer_for(row, customers),
        imported_via=via,
        created_at=timezone.now(),
        workspace=current_workspace(),
    )


def _insert_new(mentions: list[Mention]) -> list[Mention]:
    """Insert the rows whose source + external id the workspace lacks; return those, with ids."""
    meta = Mention._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key and f.name != "experience"]
    columns = ", ".join(quote(f.column) for f in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Only quoted names from the model's own metadata and %s placeholders go into the text.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES {', '.join([one_row] * len(mentions))} "
        f"ON CONFLICT ({quote('workspace_id')}, {quote('source')}, {quote('external_id')}) "
        f"DO NOTHING RETURNING {quote('id')}, {quote('source')}, {quote('external_id')}"
    )
    params = [
        f.get_db_prep_save(getattr(m, f.attname), connection) for m in mentions for f in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        new_ids = {(source, external_id): pk for pk, source, external_id in cursor.fetchall()}
    created = []
    for mention in mentions:
        pk = new_ids.get((mention.source, mention.external_id))
        if pk is not None:
            mention.pk = pk
            mention._state.adding = False
            mention._state.db = connection.alias
            created.append(mention)
    return created


def _experience_of(mention: Mention) -> dict[str, Any]:
    common = {
        "occurred_at": mention.posted_at,
        "customer": mention.customer,
        "text": mention.text,
        "language": mention.language,
    }
    if mention.rating is not None:
        return {**common, "source": Source.REVIEW, "score": mention.rating, "scale": Scale.STARS5}
    return {**common, "source": Source.SOCIAL, "outcome": Outcome.MET}
