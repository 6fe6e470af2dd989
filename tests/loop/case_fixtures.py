"""Fixtures for the loop app's case tests: a delivery department with two agents."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cxloop.accounts.models import Role
from cxloop.core.scoping import bind_workspace
from cxloop.experiences.services import record_experience

from ..factories import (
    CustomerFactory,
    DepartmentFactory,
    MembershipFactory,
    TouchpointFactory,
    UserFactory,
)


@dataclass
class Shop:
    workspace: object
    delivery: object
    courier: object
    agents: list
    manager: object


@pytest.fixture
def shop(alice) -> Shop:
    ws = alice.workspace
    delivery = DepartmentFactory(workspace=ws, name="Delivery")
    agents = [
        MembershipFactory(
            workspace=ws,
            user=UserFactory(email=f"agent{i}@example.com", full_name=f"Agent {i}"),
            role=Role.AGENT,
            department=delivery,
        ).user
        for i in (1, 2)
    ]
    manager = MembershipFactory(
        workspace=ws,
        user=UserFactory(email="lead@example.com", full_name="Delivery lead"),
        role=Role.MANAGER,
        department=delivery,
    ).user
    courier = TouchpointFactory(workspace=ws, name="Courier", owner_department=delivery)
    return Shop(ws, delivery, courier, agents, manager)


@pytest.fixture
def record(alice):
    """Record an experience the way every write path does, through the service."""

    def _record(customer=None, **kwargs):
        kwargs.setdefault("source", "survey")
        with bind_workspace(alice.workspace):
            return record_experience(customer=customer, **kwargs)

    return _record


@pytest.fixture
def customer(alice):
    return CustomerFactory(workspace=alice.workspace, name="Олена <b>Коваль</b>")
