"""The import pages: upload → map the columns → import → result with progress → bad-row report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from cxloop.accounts.models import Role
from cxloop.core.scoping import bind_workspace
from cxloop.customers import tasks
from cxloop.customers.imports import services
from cxloop.customers.models import Customer, ImportRun

from ..conftest import make_tenant

pytestmark = pytest.mark.django_db

UPLOAD = reverse("customers:import")
CSV = (
    "Код клієнта;Ім'я;E-mail;Мова\n"
    "C1;<script>alert('x')</script>;olena@ukr.net;uk\n"
    "C2;Тарас;taras(at)ukr.net;uk\n"
    "C3;Іван;ivan@i.ua;\n"
).encode()


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload(tenant, content=CSV, name="клієнти.csv", kind="customers"):
    return tenant.client.post(
        UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")}
    )


def the_run(tenant) -> ImportRun:
    return ImportRun.unscoped.get(workspace=tenant.workspace)


def test_upload_map_import_and_download_the_bad_rows(alice):
    response = upload(alice)
    run = the_run(alice)
    assert response.status_code == 302
    assert response.url == reverse("customers:import_map", args=[run.pk])
    assert (run.status, run.file_name, run.created_by) == ("draft", "клієнти.csv", alice.user)

    page = alice.client.get(response.url).content.decode()
    assert '<option value="email" selected>' in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "Will not be imported" in page
    assert "E-mail &#x27;taras(at)ukr.net&#x27; is not an email address" in page

    mapping = {"column_0": "external_id", "column_1": "name", "column_2": "email",
               "column_3": "language", "action": "import"}  # fmt: skip
    response = alice.client.post(reverse("customers:import_map", args=[run.pk]), mapping)
    assert response.url == reverse("customers:import_run", args=[run.pk])
    run.refresh_from_db()
    assert (run.status, run.created_count, run.bad_count, run.rows_total) == ("done", 2, 1, 3)

    result = alice.client.get(response.url).content.decode()
    assert "Download bad rows (CSV)" in result
    assert 'hx-trigger="every 1s"' not in result
    report = alice.client.get(reverse("customers:import_report", args=[run.pk]))
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in report["Content-Disposition"]
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "row;external_id;column;error;Код клієнта;Ім'я;E-mail;Мова"
    assert body.splitlines()[1].startswith("3;C2;E-mail;")
    with bind_workspace(alice.workspace):
        assert Customer.objects.get(external_id="C1").name == "<script>alert('x')</script>"


def test_the_upload_is_stored_under_a_random_name_and_removed_after_the_import(alice, var_dir):
    upload(alice, name="../../etc/passwd.csv")
    run = the_run(alice)
    stored = var_dir / "imports" / run.stored_name
    assert stored.is_file()
    assert "passwd" not in run.stored_name
    services.confirm(run, ["external_id", "name", "email", "language"])
    assert not stored.exists()


def test_an_xlsx_upload_is_recognised_by_its_content(alice):
    book = Workbook()
    book.active.append(["id", "name"])
    book.active.append(["X1", "Olena"])
    content = io.BytesIO()
    book.save(content)
    response = upload(alice, content.getvalue(), name="book.xlsx")
    page = alice.client.get(response.url).content.decode()
    assert "Excel workbook (XLSX)" in page
    assert "Olena" in page


def test_a_file_over_the_limit_is_refused_with_its_size(alice, settings):
    settings.CXLOOP_IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(alice)
    assert response.status_code == 200
    assert "the limit is 100" in response.content.decode()
    assert not ImportRun.unscoped.exists()


def test_an_unreadable_file_is_refused_at_upload(alice):
    response = upload(alice, b"\xd0\xcf\x11\xe0 old excel", name="old.csv")
    assert "save the sheet as .xlsx or CSV" in response.content.decode()
    assert not ImportRun.unscoped.exists()


def test_a_mapping_without_an_external_id_is_not_imported(alice):
    upload(alice)
    run = the_run(alice)
    response = alice.client.post(
        reverse("customers:import_map", args=[run.pk]), {"column_1": "name", "action": "import"}
    )
    assert response.status_code == 200
    assert "No column feeds “External id”" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "draft"


def test_changing_a_column_refreshes_only_the_preview_over_htmx(alice):
    upload(alice)
    run = the_run(alice)
    response = alice.client.post(
        reverse("customers:import_map", args=[run.pk]),
        {"column_0": "external_id", "column_1": "segment"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="import-preview"' in body
    assert "<th>Segment</th>" in body


def test_a_large_file_runs_as_a_task_and_the_page_polls_for_progress(
    alice, monkeypatch, immediate_tasks, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_ROWS", 2)
    upload(alice)
    run = the_run(alice)
    with django_capture_on_commit_callbacks() as callbacks:
        response = alice.client.post(
            reverse("customers:import_map", args=[run.pk]),
            {"column_0": "external_id", "column_1": "name", "action": "import"},
        )
    run.refresh_from_db()
    assert run.status == "queued"
    page = alice.client.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "<progress" in page

    for callback in callbacks:  # what the commit would have done: enqueue the task
        callback()
    run.refresh_from_db()
    assert (run.status, run.created_count) == ("done", 3)
    partial = alice.client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert "every 1s" not in partial


def test_the_task_binds_the_runs_workspace_and_runs_a_run_once(alice, bob, monkeypatch):
    monkeypatch.setattr(services, "INLINE_ROWS", 0)
    upload(alice)
    run = the_run(alice)
    with bind_workspace(alice.workspace):
        services.confirm(run, ["external_id", "name", "email", "language"])
    assert tasks.run_import.call(run.pk) == "done"  # the task's function, as a worker runs it
    assert tasks.run_import.call(run.pk) == "done"  # delivered twice: nothing more happens
    assert Customer.unscoped.filter(workspace=alice.workspace).count() == 2
    assert not Customer.unscoped.filter(workspace=bob.workspace).exists()


def test_a_running_import_shows_a_progress_bar(alice):
    with bind_workspace(alice.workspace):
        run = ImportRun.objects.create(
            kind="customers", file_name="big.csv", status="running", rows_total=200_000,
            rows_processed=80_000,
        )  # fmt: skip
    partial = alice.client.get(
        reverse("customers:import_run", args=[run.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert '<progress id="import-bar" max="200000" value="80000">40%</progress>' in partial
    assert 'hx-trigger="every 1s"' in partial


def test_another_workspaces_import_is_not_found(alice, bob):
    upload(alice)
    run = the_run(alice)
    for name in ("customers:import_map", "customers:import_run", "customers:import_report"):
        assert bob.client.get(reverse(name, args=[run.pk])).status_code == 404
    assert "клієнти.csv" not in bob.client.get(UPLOAD).content.decode()


def test_viewers_see_no_import_and_may_not_import(db):
    viewer = make_tenant("Vera", role=Role.VIEWER)
    assert viewer.client.get(UPLOAD).status_code == 403
    assert "Import from a file" not in viewer.client.get(reverse("customers:list")).content.decode()
    agent = make_tenant("Andrii", role=Role.AGENT)
    assert agent.client.get(UPLOAD).status_code == 200
    assert "Import from a file" in agent.client.get(reverse("customers:list")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_is_run_by_the_database_worker(alice, monkeypatch, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    monkeypatch.setattr(services, "INLINE_ROWS", 0)
    upload(alice)
    run = the_run(alice)
    alice.client.post(
        reverse("customers:import_map", args=[run.pk]),
        {"column_0": "external_id", "column_1": "name", "action": "import"},
    )
    run.refresh_from_db()
    assert run.status == "queued"

    call_command("worker", burst=True, verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.created_count) == ("done", 3)
    assert Customer.unscoped.filter(workspace=alice.workspace).count() == 3
