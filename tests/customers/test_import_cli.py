"""`cxloop import customers FILE` and `cxloop import orders FILE`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cxloop.customers.models import Customer, ImportRun, Order

from ..factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def cxloop_import(*args, **options):
    out = StringIO()
    call_command("import", *map(str, args), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def customers_file(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        "Код;Ім'я;Пошта\nC1;Олена;olena@ukr.net\nC2;Тарас;taras(at)ukr.net\nC3;Іван;\n",
        encoding="utf-8",
    )
    return path


def test_import_prints_a_bar_a_summary_and_writes_the_report_beside_the_file(alice, customers_file):
    output = cxloop_import("customers", customers_file)
    assert "\r[" in output
    assert "100%" in output
    assert "Imported 3 rows of customers.csv into Alice's shop" in output
    assert "rows/s" in output
    assert "  created                       2" in output
    assert "  bad                           1" in output
    report = customers_file.with_name("customers.errors.csv")
    assert f"Bad rows, each with the reason: {report}" in output
    assert "taras(at)ukr.net' is not an email address" in report.read_text("utf-8-sig")
    customers = Customer.unscoped.filter(workspace=alice.workspace)
    assert sorted(customers.values_list("external_id", flat=True)) == ["C1", "C3"]
    run = ImportRun.unscoped.get(workspace=alice.workspace)
    assert (run.status, run.created_count, run.bad_count, run.created_by) == ("done", 2, 1, None)


def test_a_second_import_of_the_same_file_changes_nothing(alice, customers_file):
    cxloop_import("customers", customers_file, no_progress=True)
    output = cxloop_import("customers", customers_file, no_progress=True)
    assert "  created                       0" in output
    assert "  updated                       0" in output
    assert "  unchanged                     2" in output


def test_report_path_and_column_overrides(alice, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("Client number,Who,Card\nA-1,Olena,555\n", encoding="utf-8")
    report = tmp_path / "elsewhere" / "bad.csv"
    cxloop_import(
        "customers",
        source,
        map=["Client number=external_id", "who=name", "3=attribute"],
        report=report,
    )
    customer = Customer.unscoped.get(workspace=alice.workspace)
    assert (customer.external_id, customer.name, customer.attributes) == (
        "A-1", "Olena", {"Card": "555"},
    )  # fmt: skip
    assert not report.exists()  # no bad rows, no report


def test_a_dry_run_counts_and_saves_nothing(alice, customers_file):
    output = cxloop_import("customers", customers_file, dry_run=True, no_progress=True)
    assert "  would be created              2" in output
    assert "Dry run: nothing was saved." in output
    assert not Customer.unscoped.exists()
    assert not ImportRun.unscoped.exists()


def test_orders_are_imported_and_unknown_customers_reported(alice, customers_file, tmp_path):
    cxloop_import("customers", customers_file, no_progress=True)
    orders = tmp_path / "orders.csv"
    orders.write_text(
        'Номер замовлення,Код клієнта,Дата,Сума\nZ1,C1,01.03.2026,"350,00"\nZ2,C9,01.03.2026,1\n',
        encoding="utf-8",
    )
    output = cxloop_import("orders", orders, no_progress=True)
    assert "  created                       1" in output
    assert "  bad                           1" in output
    assert list(Order.unscoped.values_list("external_id", flat=True)) == ["Z1"]
    assert "no customer with external id 'C9'" in orders.with_name("orders.errors.csv").read_text(
        "utf-8-sig"
    )


def test_several_workspaces_need_the_slug(alice, bob, customers_file):
    with pytest.raises(CommandError, match="name one with --workspace SLUG") as raised:
        cxloop_import("customers", customers_file)
    assert raised.value.returncode == 2
    cxloop_import("customers", customers_file, workspace="bob", no_progress=True)
    assert Customer.unscoped.filter(workspace=bob.workspace).count() == 2
    assert not Customer.unscoped.filter(workspace=alice.workspace).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Name,Email\nOlena,o@x.ua\n", "No column feeds “External id”"),
        (b"\xd0\xcf\x11\xe0 an old Excel file", r"\.xls\) files cannot be read"),
        ("", "The file is empty"),
    ],
)
def test_unusable_input_exits_with_2_and_says_why(alice, tmp_path, content, message):
    path = tmp_path / "input.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(CommandError, match=message) as raised:
        cxloop_import("customers", path)
    assert raised.value.returncode == 2
    assert not Customer.unscoped.exists()


def test_a_missing_file_or_workspace_exits_with_2(alice, tmp_path):
    with pytest.raises(CommandError, match="There is no file") as raised:
        cxloop_import("customers", tmp_path / "nope.csv")
    assert raised.value.returncode == 2
    WorkspaceFactory(slug="other")
    with pytest.raises(CommandError, match="No workspace with the slug 'shop'") as raised:
        cxloop_import("customers", tmp_path / "nope.csv", workspace="shop")
    assert raised.value.returncode == 2


def test_an_unknown_field_in_map_exits_with_2(alice, customers_file):
    with pytest.raises(CommandError, match="“mail” is not a field of customers") as raised:
        cxloop_import("customers", customers_file, map=["Пошта=mail"])
    assert raised.value.returncode == 2
