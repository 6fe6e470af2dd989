"""Where uploaded files and bad-row reports live: ``VAR_DIR/imports``, under random names.

A name a person chose never becomes a path (no traversal, no clashes, nothing guessable); the
stored names are checked against their own pattern before any file is opened.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .readers import XLSX_MAGIC

STORED_NAME = re.compile(r"[0-9a-f]{32}(\.csv|\.xlsx|\.errors\.csv)")


def imports_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def path_for(name: str) -> Path:
    if not STORED_NAME.fullmatch(name):
        raise ValueError(f"not a stored import file name: {name!r}")
    return imports_dir() / name


def save_upload(upload: UploadedFile) -> str:
    """Store an uploaded file under a new random name; returns the name."""
    first = upload.read(len(XLSX_MAGIC))
    upload.seek(0)
    name = secrets.token_hex(16) + (".xlsx" if first == XLSX_MAGIC else ".csv")
    with path_for(name).open("xb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return name


def report_name_for(stored_name: str) -> str:
    return stored_name.split(".", 1)[0] + ".errors.csv"


def remove(name: str) -> None:
    if name:
        path_for(name).unlink(missing_ok=True)
