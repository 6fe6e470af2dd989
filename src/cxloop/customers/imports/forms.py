"""The two forms of an import: the upload, and the column mapping."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ImportRun
from . import mapping

ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def max_upload_bytes() -> int:
    """The upload limit: ``settings.CXLOOP_IMPORT_MAX_UPLOAD_BYTES``, else 100 MB."""
    return int(getattr(settings, "CXLOOP_IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=ImportRun.Kind.choices,
        initial=ImportRun.Kind.CUSTOMERS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (any delimiter; UTF-8 or Windows-1251) or Excel XLSX; the first row names "
            "the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("“%(suffix)s” files cannot be imported; save the sheet as CSV or XLSX.")
                % {"suffix": suffix or _("(no extension)")}
            )
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s; the limit is %(limit)s. Split it into smaller files, "
                    "or import it on the server with “cxloop import”."
                )
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class MappingForm(forms.Form):
    """One select per column of the file: the field it feeds, an attribute, or nothing."""

    def __init__(self, kind: str, header: Sequence[str], *args: Any, **kwargs: Any) -> None:
        initial_targets = kwargs.pop("targets", None) or [mapping.SKIP] * len(header)
        super().__init__(*args, **kwargs)
        self.kind, self.header = kind, list(header)
        for index, column in enumerate(header):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column,
                choices=mapping.choices(kind),
                required=False,
                initial=initial_targets[index],
            )

    def targets(self) -> list[str]:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return [
            data.get(f"column_{i}", mapping.SKIP) or mapping.SKIP for i in range(len(self.header))
        ]

    def columns(self) -> list[tuple[str, forms.BoundField]]:
        return [(column, self[f"column_{i}"]) for i, column in enumerate(self.header)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for problem in mapping.problems(self.kind, self.header, self.targets()):
            self.add_error(None, problem)
        return cleaned
