"""Import pages: upload → column mapping with a preview → progress and result → bad-row report.

Thin: each view parses the request, calls one service of ``imports.services`` and renders.
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role

from ..models import ImportRun
from . import mapping, services, storage
from .forms import MappingForm, UploadForm, max_upload_bytes
from .readers import UnreadableFile, open_table


@require_role(Role.AGENT)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.start(
                form.cleaned_data["kind"],
                form.cleaned_data["file"],
                request.user,
                getattr(request, "LANGUAGE_CODE", ""),
            )
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("customers:import_map", run_id=run.pk)
    return render(
        request,
        "customers/imports/upload.html",
        {"form": form, "runs": services.recent_runs(), "max_bytes": max_upload_bytes()},
    )


@require_role(Role.AGENT)
def map_columns(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=run_id)
    if run.status != ImportRun.Status.DRAFT:
        return redirect("customers:import_run", run_id=run.pk)
    try:
        with open_table(storage.path_for(run.stored_name)) as table:
            header = table.header
    except UnreadableFile:
        return render(request, "customers/imports/gone.html", {"run": run}, status=410)
    targets = mapping.from_json(run.mapping, header) or mapping.suggest(run.kind, header)
    action = request.POST.get("action", "preview")
    if request.method == "POST":
        form = MappingForm(run.kind, header, request.POST, targets=targets)
        valid = form.is_valid()
        targets = form.targets()
        if valid and action == "import":
            run = services.confirm(run, targets)
            return redirect("customers:import_run", run_id=run.pk)
    else:
        form = MappingForm(run.kind, header, targets=targets)
    preview = services.preview(run, targets)
    columns = [
        (*pair, sample) for pair, sample in zip(form.columns(), preview.samples, strict=True)
    ]
    context = {"run": run, "form": form, "preview": preview, "columns": columns}
    if request.htmx and action != "import":
        return render(request, "customers/imports/_preview.html", context)
    return render(request, "customers/imports/map.html", context)


@require_role(Role.AGENT)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=run_id)
    if run.status == ImportRun.Status.DRAFT:
        return redirect("customers:import_map", run_id=run.pk)
    context = {"run": run, "has_report": services.report_path(run) is not None}
    if request.htmx:
        return render(request, "customers/imports/_progress.html", context)
    return render(request, "customers/imports/result.html", context)


@require_role(Role.AGENT)
def bad_rows(request: HttpRequest, run_id: int) -> FileResponse:
    run = get_object_or_404(ImportRun, pk=run_id)
    path = services.report_path(run)
    if path is None:
        raise Http404(_("This import has no bad-row report."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{Path(run.file_name).stem or 'import'}.errors.csv",
        content_type="text/csv; charset=utf-8",
    )
