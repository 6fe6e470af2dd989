"""Importing files of customers and orders: good rows in, each bad one reported, no repeats."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook

from cxloop.core.scoping import bind_workspace
from cxloop.customers.imports import mapping
from cxloop.customers.imports.pipeline import import_table
from cxloop.customers.imports.readers import open_table
from cxloop.customers.imports.report import ReportWriter
from cxloop.customers.models import Customer, Order, Segment
from cxloop.customers.services import CustomerInput, OrderInput, upsert_customers, upsert_orders

pytestmark = pytest.mark.django_db

CUSTOMERS_WITH_BROKEN_ROWS = """\
id;Ім'я;E-mail;Мова;Сегмент;Згода
C1;Олена Коваленко;olena@ukr.net;uk;Батьки;так
C2;Taras;taras(at)gmail.com;en;;
C3;Іван;ivan@i.ua;de;;
;Nobody;n@x.ua;;;
C5;Марія;maria@meta.ua;ru;Студенти;ні
C6;Petro;petro@x.ua;en;Батьки;maybe
"""


def run_import(kind, path, report_path=None, **options):
    with open_table(path) as table:
        targets = mapping.suggest(kind, table.header, options.pop("keep_unmapped", False))
        report = ReportWriter(report_path, table.header, table.delimiter)
        try:
            return import_table(kind, table, targets, report, **options)
        finally:
            report.close()


def read_report(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_broken_rows_are_reported_and_every_good_row_imported(alice, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text(CUSTOMERS_WITH_BROKEN_ROWS, encoding="utf-8")
    report = tmp_path / "customers.errors.csv"
    with bind_workspace(alice.workspace):
        summary = run_import(mapping.CUSTOMERS, source, report)
        stored = dict(Customer.objects.values_list("external_id", "name"))
    assert stored == {"C1": "Олена Коваленко", "C5": "Марія"}
    assert (summary.rows, summary.created, summary.bad) == (6, 2, 4)
    bad = [(r["row"], r["external_id"], r["column"], r["error"]) for r in read_report(report)]
    assert bad == [
        ("3", "C2", "E-mail", "E-mail 'taras(at)gmail.com' is not an email address; "
                              "write it as name@example.com"),
        ("4", "C3", "Мова", "Мова 'de' is not supported; use uk, ru or en"),
        ("5", "", "id", "id is empty; every row needs one"),
        ("7", "C6", "Згода", "Згода 'maybe' is not yes or no; use yes/no, 1/0, так/ні or да/нет"),
    ]  # fmt: skip
    assert read_report(report)[0]["E-mail"] == "taras(at)gmail.com"  # the raw row follows


def test_reimporting_the_same_file_changes_nothing(alice, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text(CUSTOMERS_WITH_BROKEN_ROWS, encoding="utf-8")
    with bind_workspace(alice.workspace):
        run_import(mapping.CUSTOMERS, source)
        again = run_import(mapping.CUSTOMERS, source)
    assert (again.created, again.updated, again.unchanged, again.bad) == (0, 0, 2, 4)


def test_a_changed_cell_updates_only_that_customer_and_empty_cells_keep_data(alice, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text("id,name,email\nC1,Olena,o@x.ua\nC2,Taras,t@x.ua\n", encoding="utf-8")
    changed = tmp_path / "changed.csv"
    changed.write_text("id,name,email\nC1,Olena K.,\nC2,Taras,t@x.ua\n", encoding="utf-8")
    with bind_workspace(alice.workspace):
        run_import(mapping.CUSTOMERS, source)
        summary = run_import(mapping.CUSTOMERS, changed)
        olena = Customer.objects.get(external_id="C1")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert (olena.name, olena.email) == ("Olena K.", "o@x.ua")


def test_cp1251_semicolon_file_from_excel_imports(alice, tmp_path):
    source = tmp_path / "excel.csv"
    source.write_bytes("Код;Ім'я;Телефон\nK-1;Степан Олійник;+380671234567\n".encode("cp1251"))
    with bind_workspace(alice.workspace):
        summary = run_import(mapping.CUSTOMERS, source)
        customer = Customer.objects.get()
    assert summary.created == 1
    assert (customer.external_id, customer.name, customer.phone) == (
        "K-1", "Степан Олійник", "+380671234567",
    )  # fmt: skip


def test_bytes_that_are_not_utf8_make_only_their_row_bad(alice, tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_bytes(
        ("id,name\n" + "".join(f"C{i},Ім'я {i}\n" for i in range(3000))).encode() + b"X1,\xff\xfe\n"
    )
    report = tmp_path / "mixed.errors.csv"
    with bind_workspace(alice.workspace):
        summary = run_import(mapping.CUSTOMERS, source, report)
    assert (summary.created, summary.bad) == (3000, 1)
    assert "not text in the file's encoding" in report.read_text("utf-8-sig")


def test_xlsx_workbook_imports_with_attributes(alice, tmp_path):
    source = tmp_path / "book.xlsx"
    book = Workbook()
    book.active.append(["ID", "Name", "Loyalty card"])
    book.active.append([1001, "Olena", 55501])
    book.save(source)
    with bind_workspace(alice.workspace):
        summary = run_import(mapping.CUSTOMERS, source, keep_unmapped=True)
        customer = Customer.objects.get()
    assert summary.created == 1
    assert (customer.external_id, customer.attributes) == ("1001", {"Loyalty card": "55501"})


def test_orders_of_unknown_customers_are_bad_rows_with_their_row_number(alice, tmp_path):
    source = tmp_path / "orders.csv"
    source.write_text(
        "order,customer,date,amount,status\n"
        "O1,C1,2026-03-01,350.00,delivered\n"
        "O2,NOPE,2026-03-02,10,placed\n"
        'O3,C1,02.03.2026,"12,5O",placed\n'
        "O4,C1,2026-03-04,99.90,\n",
        encoding="utf-8",
    )
    report = tmp_path / "orders.errors.csv"
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("C1", name="Olena")])
        summary = run_import(mapping.ORDERS, source, report)
        orders = dict(Order.objects.values_list("external_id", "amount"))
        olena = Customer.objects.get(external_id="C1")
    assert orders == {"O1": Decimal("350.00"), "O4": Decimal("99.90")}
    assert (summary.created, summary.bad) == (2, 2)
    with report.open(encoding="utf-8-sig", newline="") as handle:
        bad = {r["row"]: (r["column"], r["error"]) for r in csv.DictReader(handle)}
    assert bad["3"] == (
        "customer",
        "no customer with external id 'NOPE'; import the customer first",
    )
    assert bad["4"][0] == "amount"
    assert olena.last_purchase_at is not None


def test_reimporting_orders_changes_nothing(alice, tmp_path):
    source = tmp_path / "orders.csv"
    source.write_text("order,customer,date,amount\nO1,C1,2026-03-01,350\nO2,C1,2026-03-05,1\n")
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("C1")])
        run_import(mapping.ORDERS, source)
        again = run_import(mapping.ORDERS, source)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_dry_run_counts_exactly_and_saves_nothing(alice, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text(CUSTOMERS_WITH_BROKEN_ROWS, encoding="utf-8")
    with bind_workspace(alice.workspace):
        summary = run_import(mapping.CUSTOMERS, source, dry_run=True)
        assert not Customer.objects.exists()
        assert not Segment.objects.exists()
    assert (summary.created, summary.bad) == (2, 4)


def test_batches_keep_their_row_numbers(alice, tmp_path):
    rows = [f"O{i},{'C1' if i % 7 else 'GONE'},2026-03-01,1\n" for i in range(50)]
    source = tmp_path / "orders.csv"
    source.write_text("order,customer,date,amount\n" + "".join(rows))
    report = tmp_path / "orders.errors.csv"
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("C1")])
        summary = run_import(mapping.ORDERS, source, report, batch_size=8)
    with report.open(encoding="utf-8-sig", newline="") as handle:
        numbers = sorted(int(r["row"]) for r in csv.DictReader(handle))
    assert numbers == [i + 2 for i in range(50) if i % 7 == 0]
    assert (summary.created, summary.bad) == (42, 8)


@pytest.mark.django_db(transaction=True)
def test_a_threaded_import_writes_on_its_own_connection(alice, tmp_path):
    """Outside a transaction the writer runs on a second thread: the same results."""
    lines = "".join(f"C{i},Name {i},c{i}@x.ua\n" for i in range(2500))
    source = tmp_path / "many.csv"
    source.write_text("id,name,email\n" + lines + "C-bad,Bad,not-an-email\n")
    progress = []
    with bind_workspace(alice.workspace):
        summary = run_import(
            mapping.CUSTOMERS, source, batch_size=1000, threaded=True,
            on_progress=lambda s: progress.append(s.processed),
        )  # fmt: skip
        again = run_import(mapping.CUSTOMERS, source, batch_size=1000, threaded=True)
        assert Customer.objects.count() == 2500
    assert (summary.created, summary.bad) == (2500, 1)
    assert progress == sorted(progress)  # batch by batch, never backwards
    assert (1000 in progress, progress[-1]) == (True, 2501)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2500)


# --- the set-based merge under the imports (imports.bulk through the services) -----------------


def test_an_order_moved_to_another_customer_refreshes_both(alice):
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("A"), CustomerInput("B")])
        upsert_orders([OrderInput("O1", "A", when, Decimal(5))])
        result = upsert_orders([OrderInput("O1", "B", when + timedelta(days=1), Decimal(5))])
        a, b = Customer.objects.order_by("external_id")
    assert (result.created, result.updated) == (0, 1)
    assert a.last_purchase_at is None
    assert b.last_purchase_at == when + timedelta(days=1)


def test_order_fields_not_given_keep_their_stored_value(alice):
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("A")])
        upsert_orders([OrderInput("O1", "A", when, Decimal(5), currency="EUR", status="shipped")])
        result = upsert_orders([OrderInput("O1", "A", when, Decimal(5), status="delivered")])
        order = Order.objects.get()
    assert result.updated == 1
    assert (order.currency, order.status) == ("EUR", "delivered")


def test_customer_attributes_and_consent_are_merged_and_compared(alice):
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("A", attributes={"місто": "Київ"}, consent_email=True)])
        same = upsert_customers([CustomerInput("A", attributes={"місто": "Київ"})])
        changed = upsert_customers([CustomerInput("A", consent_email=False)])
        customer = Customer.objects.get()
    assert (same.unchanged, changed.updated) == (1, 1)
    assert (customer.attributes, customer.consent_email) == ({"місто": "Київ"}, False)
