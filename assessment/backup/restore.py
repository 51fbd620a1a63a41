"""Restoring a checked backup: every row in one transaction, the files last, all or nothing."""

import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext as _

from accounts.signals import role_changes_recorded_by_caller
from assessment.backup.archive import (
    CHUNK,
    BackupError,
    backed_up_models,
    every_table,
    file_fields,
    occupied_tables,
    role_groups_migrate_creates,
    row_counts,
    stored_file_digest,
    stored_file_names,
)
from assessment.backup.check import CheckedBackup, backup_check


@dataclass(frozen=True)
class RestoreSummary:
    counts: dict[str, int]
    files_written: int
    files_already_there: int
    old_files_removed: int
    old_files_not_removed: list[str] = field(default_factory=list)


class _FileLedger:
    """Files written during a restore, so a failure can take them back."""

    def __init__(self) -> None:
        self.created: list[tuple[Storage, str]] = []
        self.overwritten: list[tuple[Storage, str, Any]] = []
        self.already_there = 0

    def write(self, storage: Storage, name: str, source: io.BufferedIOBase, digest: str) -> None:
        if storage.exists(name):
            if stored_file_digest(storage, name) == digest:
                self.already_there += 1
                return
            # Keep the old bytes until the restore is committed.
            keep = tempfile.TemporaryFile()  # closed in undo() or forget()
            with storage.open(name, "rb") as old:
                shutil.copyfileobj(old, keep, CHUNK)
            keep.seek(0)
            self.overwritten.append((storage, name, keep))
            storage.delete(name)
        else:
            self.created.append((storage, name))
        stored = storage.save(name, File(source, name=name))
        if stored != name:
            raise OSError(_("The storage kept %(name)s as %(stored)s.") % {"name": name, "stored": stored})

    def undo(self) -> list[str]:
        """Take back every file written; name any that could not be, so nobody is surprised later."""
        problems = []
        for storage, name in self.created:
            try:
                storage.delete(name)
            except OSError:
                problems.append(_("The file %(name)s could not be removed after the failure.") % {"name": name})
        for storage, name, keep in self.overwritten:
            try:
                storage.delete(name)
                storage.save(name, File(keep, name=name))
            except OSError:
                problems.append(
                    _("The file %(name)s could not be given back its old content after the failure.") % {"name": name}
                )
            finally:
                keep.close()
        return problems

    def forget(self) -> None:
        for _storage, _name, keep in self.overwritten:
            keep.close()


def _delete_every_row(tables: list[type[models.Model]]) -> None:
    """Empty every backed-up table without signals or history: the backup replaces them whole.

    Foreign keys are checked at commit (Django creates them deferrable), so the order does not matter.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in reversed(tables):
            # The table name comes from the model, never from the archive.
            cursor.execute(f"DELETE FROM {quote(table._meta.db_table)}")  # noqa: S608
    if apps.is_installed("django.contrib.sessions"):
        from django.contrib.sessions.models import Session

        # A session names a user by id; after a replace that id may be someone else.
        Session.objects.all().delete()


def _load_rows(checked: CheckedBackup, order: list[type[models.Model]]) -> None:
    # The restore is recorded once (BACKUP_IMPORTED); the group and city-manager rows it puts back are not
    # role changes of the installation's users, so the account signals stay quiet (rows load raw otherwise).
    with role_changes_recorded_by_caller():
        _load_rows_of(checked, order)


def _load_rows_of(checked: CheckedBackup, order: list[type[models.Model]]) -> None:
    for model in order:
        label = model._meta.label_lower
        objects = checked.rows.get(label, [])
        try:
            for restored in serializers.deserialize("python", objects, ignorenonexistent=False):
                pk = restored.object.pk
                try:
                    restored.save()
                except (
                    DatabaseError,
                    ValidationError,
                    ObjectDoesNotExist,
                    DeserializationError,
                ) as exc:
                    raise BackupError(
                        [
                            _("%(model)s %(pk)s could not be restored: %(error)s")
                            % {"model": label, "pk": pk, "error": exc}
                        ]
                    ) from exc
        except (
            DeserializationError,
            ValidationError,
            ObjectDoesNotExist,
            LookupError,
            TypeError,
            ValueError,
        ) as exc:
            raise BackupError(
                [_("A %(model)s row could not be read: %(error)s") % {"model": label, "error": exc}]
            ) from exc


def _check_relations(tables: list[type[models.Model]]) -> None:
    try:
        connection.check_constraints(table_names=[table._meta.db_table for table in tables])
    except DatabaseError as exc:
        raise BackupError([_("The backup's rows do not fit together: %(error)s") % {"error": exc}]) from exc


def _reset_sequences(tables: list[type[models.Model]]) -> None:
    """After rows with explicit ids, the next new row must get a fresh id (PostgreSQL keeps a counter)."""
    statements = connection.ops.sequence_reset_sql(no_style(), tables)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _check_counts(checked: CheckedBackup, tables: list[type[models.Model]]) -> None:
    expected: dict[str, Any] = checked.manifest["counts"]
    actual = row_counts(tables)
    wrong = [
        _("%(table)s: %(found)d rows restored, the manifest says %(expected)s.")
        % {"table": label, "found": actual[label], "expected": count}
        for label, count in sorted(expected.items())
        if label in actual and actual[label] != count
    ]
    if wrong:
        raise BackupError(wrong)


def _storages_by_name(checked: CheckedBackup) -> dict[str, Storage]:
    by_name: dict[str, Storage] = {}
    for model in backed_up_models():
        for file_field in file_fields(model):
            for row in checked.rows.get(model._meta.label_lower, []):
                name = row["fields"].get(file_field.name)
                if name:
                    by_name.setdefault(name, file_field.storage)
    return by_name


def _refuse_if_occupied(*, replace: bool) -> None:
    occupied = occupied_tables()
    if not occupied or replace:
        return
    listed = ", ".join(f"{label} ({count})" for label, count in sorted(occupied.items())[:8])
    raise BackupError(
        [
            _(
                "The database already holds data (%(tables)s); nothing was restored. Restore into a freshly "
                "migrated database, or pass --replace to delete the current data and files first."
            )
            % {"tables": listed + (", …" if len(occupied) > 8 else "")}
        ]
    )


def backup_restore_from_storage(*, name: str, replace: bool = False) -> RestoreSummary:
    """Restore a backup that export_all saved into the storage (`backup_export_to_storage`), as `backup_restore`."""
    if not default_storage.exists(name):
        raise BackupError([_("There is no backup %(name)s in the storage.") % {"name": name}])
    with tempfile.TemporaryDirectory(prefix="dualspace-restore-") as folder:
        local = Path(folder) / "backup.zip"
        with default_storage.open(name, "rb") as source, local.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        return backup_restore(path=local, replace=replace)


def backup_restore(*, path: Path, replace: bool = False) -> RestoreSummary:
    """Restore a backup into this database and storage: everything, or nothing at all.

    Without `replace` the database must hold none of the backed-up rows; with
    it, the current rows go and their files are removed once the restore is in.
    """
    checked = backup_check(path=path)
    order = backed_up_models()
    tables = every_table(order)
    storages = _storages_by_name(checked)
    digests: dict[str, str] = checked.manifest["members"]
    ledger = _FileLedger()
    with checked.archive:
        try:
            with transaction.atomic():
                # Inside the transaction: on SQLite it holds the write lock, so nobody adds a row in between.
                _refuse_if_occupied(replace=replace)
                old_files = stored_file_names() if replace else {}
                if replace:
                    _delete_every_row(tables)
                else:
                    # The backup's own groups, with their ids, take the place of the empty ones migrate made.
                    role_groups_migrate_creates().delete()
                _load_rows(checked, order)
                _check_relations(tables)
                _check_counts(checked, tables)
                _reset_sequences(tables)
                # Files last: by now every row is in, so a failure here is rare and cheap to undo.
                for name, member in sorted(checked.files.items()):
                    storage = storages.get(name)
                    if storage is None:
                        continue  # listed in the backup, no row points to it: nothing needs it
                    with checked.archive.open(member) as source:
                        ledger.write(storage, name, source, digests[member])  # type: ignore[arg-type]
        except BackupError as exc:
            raise BackupError(exc.problems + ledger.undo()) from exc
        except (DatabaseError, OSError, ValidationError) as exc:
            problems = [_("The restore failed and was undone: %(error)s") % {"error": exc}]
            raise BackupError(problems + ledger.undo()) from exc
        except BaseException:
            ledger.undo()
            raise
        ledger.forget()
    # Cached pages are keyed by the results they show; they must not outlive the data. The cache is
    # shared (Redis or the database table), so this empties it for every process on every machine.
    cache.clear()
    removed, kept = 0, []
    for name, storage in sorted(old_files.items()):
        if name in storages:
            continue
        try:
            storage.delete(name)
            removed += 1
        except OSError:
            kept.append(name)
    return RestoreSummary(
        counts=row_counts(tables),
        files_written=len(ledger.created) + len(ledger.overwritten),
        files_already_there=ledger.already_there,
        old_files_removed=removed,
        old_files_not_removed=kept,
    )
