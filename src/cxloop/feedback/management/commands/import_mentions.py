"""``cxloop import_mentions FILE --workspace SLUG``: reviews and social mentions from a file.

The file is CSV with a header row (``source,external_id,author,url,rating,text,posted_at`` and
optionally ``language,customer_external_id,customer_email,customer_phone``), a JSON array of
objects, or JSON lines (one object per line). It is read in batches, so a large file keeps memory
flat (except a JSON array, which is one value). Importing the same file again stores nothing new.

Exit status 0 when the import ran, bad rows or not (each is printed with its reason); 2 when the
input is unusable (no such file, not CSV or JSON, no such workspace).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.feedback.mentions import MAX_ROWS, ImportResult, Unreadable, import_mentions
from cxloop.feedback.models import Mention

UNUSABLE = 2
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}


def _csv_rows(path: Path) -> Iterator[Any]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def _json_rows(path: Path) -> Iterator[Any]:
    with path.open(encoding="utf-8-sig") as handle:
        start = handle.read(1)
        while start and start.isspace():
            start = handle.read(1)
        handle.seek(0)
        if start == "[":
            try:
                rows = json.load(handle)
            except json.JSONDecodeError as exc:
                raise CommandError(f"{path}: not valid JSON ({exc}).", returncode=UNUSABLE) from exc
            yield from rows
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                yield Unreadable(f"line {number} is not valid JSON ({exc.msg})")


class Command(BaseCommand):
    help = (
        "Import reviews and social mentions from a CSV or JSON file (array or JSON lines). "
        "A mention already stored (same source and external id) is not stored again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="A .csv, .json or .jsonl file.")
        parser.add_argument("--workspace", metavar="SLUG", required=True)

    def handle(self, *args: Any, file: Path, workspace: str, **options: Any) -> None:
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with the slug {workspace!r}.", returncode=UNUSABLE)
        if not file.is_file():
            raise CommandError(f"{file}: no such file.", returncode=UNUSABLE)
        is_json = file.suffix.lower() in JSON_SUFFIXES
        rows = _json_rows(file) if is_json else _csv_rows(file)
        via = Mention.ImportedVia.JSON if is_json else Mention.ImportedVia.CSV
        total = ImportResult()
        try:
            with bind_workspace(target):
                while batch := list(islice(rows, MAX_ROWS)):
                    count = total.created + total.duplicates + len(total.errors)
                    total.merge(import_mentions(batch, via, first_index=count))
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc}).", returncode=UNUSABLE) from exc
        self.stdout.write(
            f"{file.name} into {target.name}: {total.created} created, "
            f"{total.duplicates} duplicates, {len(total.errors)} bad"
        )
        for error in total.errors:
            label = f" ({error.external_id})" if error.external_id else ""
            self.stdout.write(f"  row {error.index + 1}{label}: {error.message}")
