"""The demo company's team: departments, the people who log in, and the customer segments.

Everyone logs in with the same demo password so a visitor can try every role. Users are global
(one person may belong to several workspaces), so an existing user with a demo address is reused
rather than recreated or given a new password.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.accounts.models import Department, Role, User, Workspace
from cxloop.accounts.services import add_member, create_user, create_workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Segment

from .personas import PERSONAS

DEMO_EMAIL = "demo@cxloop.local"
DEMO_PASSWORD = "cxloop-demo"  # noqa: S105 - printed on the demo's login page on purpose

DEPARTMENTS = {
    "Підтримка": "Чат на сайті, пошта й телефон: відповідає клієнтам, оформлює обміни "
    "й повернення.",
    "Доставка": "Власні кур'єри в п'яти містах і відправки Новою поштою, строки й стан посилок.",
    "Сайт": "Каталог, пошук, кошик і оплата: усе, що клієнт бачить до того, як натисне «Купити».",
    "Склад": "Комплектує й пакує замовлення, відповідає за цілі обкладинки й правильні книжки.",
    "Маркетинг": "Акції, бонусна програма, розсилки та соцмережі книгарні.",
}


@dataclass(frozen=True)
class StaffMember:
    email: str
    full_name: str
    role: str
    department: str | None


STAFF = (
    StaffMember(DEMO_EMAIL, "Олена Коваль", Role.OWNER, None),
    StaffMember("manager@cxloop.local", "Марина Гнатюк", Role.MANAGER, "Маркетинг"),
    StaffMember("oksana@cxloop.local", "Оксана Мельник", Role.AGENT, "Підтримка"),
    StaffMember("andrii@cxloop.local", "Андрій Бондар", Role.AGENT, "Підтримка"),
    StaffMember("viewer@cxloop.local", "Тарас Іваненко", Role.VIEWER, "Склад"),
)


def _user(member: StaffMember, password: str) -> User:
    existing = User.objects.filter(email=member.email).first()
    return existing or create_user(member.email, password, full_name=member.full_name)


def create_company(name: str, slug: str, password: str) -> Workspace:
    """The workspace with its owner, departments and members (the caller holds the transaction)."""
    owner, *others = STAFF
    workspace = create_workspace(
        name, slug=slug, owner=_user(owner, password), default_language="uk"
    )
    with bind_workspace(workspace):
        created = Department.objects.bulk_create(
            [Department(name=n, description=d) for n, d in DEPARTMENTS.items()]
        )
    departments = {department.name: department for department in created}
    for member in others:
        department = departments[member.department] if member.department else None
        add_member(workspace, _user(member, password), member.role, department=department)
    return workspace


def create_segments() -> dict[str, Segment]:
    """One segment per persona, keyed by persona key (the caller binds the workspace)."""
    segments = Segment.objects.bulk_create(
        [Segment(name=p.name, description=p.description) for p in PERSONAS]
    )
    return {persona.key: segment for persona, segment in zip(PERSONAS, segments, strict=True)}
