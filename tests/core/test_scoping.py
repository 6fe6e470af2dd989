"""Workspace scoping is structural: forgetting the workspace fails loudly, never leaks."""

import pytest

from cxloop.core.scoping import CrossWorkspaceWrite, WorkspaceNotBound, bind_workspace
from cxloop.customers.models import Customer

from ..factories import CustomerFactory


def test_query_without_a_bound_workspace_raises(alice):
    CustomerFactory(workspace=alice.workspace)
    with pytest.raises(WorkspaceNotBound):
        list(Customer.objects.all())


def test_bound_query_sees_only_its_own_workspace(alice, bob):
    mine = CustomerFactory(workspace=alice.workspace)
    CustomerFactory(workspace=bob.workspace)
    with bind_workspace(alice.workspace):
        assert list(Customer.objects.all()) == [mine]
        assert not Customer.objects.filter(workspace=bob.workspace).exists()


def test_new_rows_take_the_bound_workspace(alice):
    with bind_workspace(alice.workspace):
        customer = Customer.objects.create(external_id="X1", name="Olena")
    assert customer.workspace == alice.workspace


def test_saving_another_workspaces_row_is_refused(alice, bob):
    theirs = CustomerFactory(workspace=bob.workspace)
    theirs.name = "Stolen"
    with bind_workspace(alice.workspace), pytest.raises(CrossWorkspaceWrite):
        theirs.save()
    theirs.refresh_from_db()
    assert theirs.name != "Stolen"


def test_bulk_create_fills_and_checks_the_workspace(alice, bob):
    with bind_workspace(alice.workspace):
        created = Customer.objects.bulk_create(
            [Customer(external_id=f"B{i}", name=f"Name {i}") for i in range(3)]
        )
        assert {c.workspace_id for c in created} == {alice.workspace.pk}
        with pytest.raises(CrossWorkspaceWrite):
            Customer.objects.bulk_create(
                [Customer(workspace=bob.workspace, external_id="B9", name="x")]
            )


def test_saving_without_any_workspace_is_refused(db):
    with pytest.raises(WorkspaceNotBound):
        Customer(external_id="X", name="Nobody").save()


def test_unscoped_manager_is_the_explicit_way_across_workspaces(alice, bob):
    CustomerFactory(workspace=alice.workspace)
    CustomerFactory(workspace=bob.workspace)
    assert Customer.unscoped.count() == 2


def test_every_domain_model_is_workspace_scoped():
    """A new model that forgets to inherit the scoped base fails here, not in production."""
    from django.apps import apps

    from cxloop.core.scoping import WorkspaceScopedModel

    installation_level = {"accounts.Workspace", "accounts.User", "core.WorkerHeartbeat"}
    for model in apps.get_models():
        if not model.__module__.startswith("cxloop."):
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        if label in installation_level:
            continue
        assert issubclass(model, WorkspaceScopedModel), f"{label} is not workspace-scoped"
