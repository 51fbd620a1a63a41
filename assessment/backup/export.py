"""Writing a backup: every backed-up row and stored file into one zip, as of one moment."""

import datetime
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from assessment.backup.archive import (
    DATA_FOLDER,
    FILES_FOLDER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    app_version,
    applied_migrations,
    backed_up_models,
    chunks,
    many_to_many_tables,
    refers_by_natural_key,
    row_counts,
    stored_file_names,
)


@dataclass(frozen=True)
class ExportSummary:
    counts: dict[str, int]
    files: int
    missing_files: list[str]


class _ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds.

    Django's JSON serializer cuts them to milliseconds, so two history entries
    a few microseconds apart would come back in a tie and a round trip would
    not give back the same values.
    """

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def backup_export(*, out: Path) -> ExportSummary:
    """Write every backed-up row and stored file to a zip at `out`; the file appears only when complete."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp makes the file readable by its owner only, and it stays so after
    # the rename: a backup holds every account's password hash.
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=".partial-", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            summary = _write_archive(archive)
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return summary


def backup_export_to_storage(*, name: str, storage: Storage | None = None) -> tuple[str, ExportSummary]:
    """Write the backup into the storage (object storage on several machines) under `name`; the name it got.

    The zip is built in a temporary file of this process (zipfile needs to seek)
    and saved in one step: the storage shows it only once complete, and an
    existing backup of that name is kept (the new one gets a suffix).
    """
    with tempfile.TemporaryDirectory(prefix="dualspace-backup-") as folder:
        local = Path(folder) / "backup.zip"
        summary = backup_export(out=local)
        with local.open("rb") as handle:
            stored = (storage or default_storage).save(name, File(handle, name=name))
    return stored, summary


def _write_archive(archive: zipfile.ZipFile) -> ExportSummary:
    members: dict[str, str] = {}
    model_entries = []
    counts: dict[str, int] = {}
    # One transaction, so rows and files describe one moment. On PostgreSQL
    # READ COMMITTED would let each query see later commits, hence the
    # snapshot; inside a caller's transaction the caller decides.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        models_in_order = backed_up_models()
        for index, model in enumerate(models_in_order, start=1):
            label = model._meta.label_lower
            rows = model._base_manager.order_by("pk")
            by_natural_key = refers_by_natural_key(model)
            named = [
                f.name for f in model._meta.local_fields if f.is_relation and hasattr(f.related_model, "natural_key")
            ]
            if by_natural_key and named:
                rows = rows.select_related(*named)  # one query, not one per row
            serialized = serializers.serialize("python", rows.iterator(), use_natural_foreign_keys=by_natural_key)
            member = f"{DATA_FOLDER}{index:03d}-{label}.json"
            data = json.dumps(serialized, cls=_ExactJSONEncoder, ensure_ascii=False, indent=1).encode("utf-8")
            archive.writestr(member, data)
            members[member] = hashlib.sha256(data).hexdigest()
            counts[label] = rows.count()
            model_entries.append({"label": label, "member": member, "count": counts[label]})
        counts.update(row_counts(t for m in models_in_order for t in many_to_many_tables(m)))
        files, missing = [], []
        for name, storage in sorted(stored_file_names().items()):
            member = FILES_FOLDER + name
            try:
                source = storage.open(name, "rb")
            except (FileNotFoundError, OSError):
                missing.append(name)
                continue
            digest = hashlib.sha256()
            size = 0
            with source, archive.open(member, "w", force_zip64=True) as target:
                for chunk in chunks(source):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            members[member] = digest.hexdigest()
            files.append({"name": name, "member": member, "size": size})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": app_version(),
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "django_version": django.get_version(),
            "database_vendor": connection.vendor,
            "migrations": applied_migrations({m._meta.app_label for m in models_in_order}),
            "models": model_entries,
            "counts": counts,
            "files": files,
            "missing_files": missing,
            "members": members,
        }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return ExportSummary(counts=counts, files=len(files), missing_files=missing)
