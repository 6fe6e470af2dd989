from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors
from .models import Customer

router = Router(tags=["customers"])


class CustomerOut(Schema):
    id: int
    external_id: str
    name: str
    email: str
    phone: str
    language: str
    segment: str | None = Field(None, alias="segment.name")
    consent_email: bool
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    attributes: dict


@router.get("", response=list[CustomerOut], summary="List customers by name, with search")
@paginate(LimitOffsetPagination)
def list_customers(request: HttpRequest, q: str = "", segment: int | None = None):
    return selectors.search_customers(q, segment)


@router.get("/{customer_id}", response=CustomerOut, summary="One customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.select_related("segment"), pk=customer_id)
