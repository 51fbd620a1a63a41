"""Full backups: every row and every stored file in one zip, restored all or nothing.

Archive layout (format version 1)::

    manifest.json                  what is inside, with a sha256 of every other member
    data/NNN-<app>.<model>.json    one model in Django's JSON serialization, primary keys kept
    files/<storage name>           every file a row points to (evidence, report PDFs)

Primary keys are kept, so a restore into an empty database gives back the same
ids: links, bookmarks and the history pages keep pointing at the same rows.
The rows that ``migrate`` creates (content types, permissions) get different
ids on every machine, so they are not backed up and rows that refer to them
(group and user permissions, admin log entries) name them by natural key.

A restore checks the whole archive before it writes anything, loads every
row in one transaction, and writes the files last, inside that transaction:
if anything fails, the rows roll back and every file written is removed (a
file that was overwritten gets its old bytes back).
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from assessment.framework_document import is_finite_number

FORMAT = "dualspace-backup"
FORMAT_VERSION = 1
KNOWN_FORMAT_VERSIONS = frozenset({1})
MANIFEST = "manifest.json"
DATA_FOLDER = "data/"
FILES_FOLDER = "files/"
CHUNK = 1024 * 1024

# What a backup leaves out, and why:
# - content types and permissions are created by `migrate` on every machine;
# - sessions are sign-ins to this server, not data (a restore signs everyone out);
# - the task queue holds work for this server's worker, not data.
EXCLUDED_APPS = frozenset({"contenttypes", "sessions", "django_tasks_database"})
EXCLUDED_MODELS = frozenset({"auth.permission"})


class BackupError(Exception):
    """The archive cannot be read or restored; every problem found is listed, nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ExportSummary:
    counts: dict[str, int]
    files: int
    missing_files: list[str]


@dataclass(frozen=True)
class RestoreSummary:
    counts: dict[str, int]
    files_written: int
    files_already_there: int
    old_files_removed: int
    old_files_not_removed: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- what is backed up


def backed_up_models() -> list[type[models.Model]]:
    """Every model whose rows a backup holds, in an order that loads: natural-key targets first."""
    app_list = []
    for app_config in apps.get_app_configs():
        if app_config.label in EXCLUDED_APPS:
            continue
        chosen = [
            model
            for model in app_config.get_models()
            if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in EXCLUDED_MODELS
        ]
        if chosen:
            app_list.append((app_config, chosen))
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def _many_to_many_tables(model: type[models.Model]) -> list[type[models.Model]]:
    """The automatic join tables of a model; their rows travel inside the model's own rows."""
    return [
        m2m.remote_field.through
        for m2m in model._meta.local_many_to_many
        if m2m.remote_field.through._meta.auto_created
    ]


def _every_table(backed_up: list[type[models.Model]]) -> list[type[models.Model]]:
    tables = []
    for model in backed_up:
        tables.append(model)
        tables.extend(_many_to_many_tables(model))
    return tables


def _refers_by_natural_key(model: type[models.Model]) -> bool:
    """Rows that refer to content types or permissions name them by natural key: their ids differ per machine."""
    relations = [*model._meta.local_fields, *model._meta.local_many_to_many]
    return any(relation.is_relation and relation.related_model in (ContentType, Permission) for relation in relations)


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.local_fields if isinstance(f, models.FileField)]


def _row_counts(tables: Iterable[type[models.Model]]) -> dict[str, int]:
    return {table._meta.label_lower: table._base_manager.count() for table in tables}


def _role_groups_migrate_creates() -> models.QuerySet[Group]:
    """The role groups `migrate` creates (assessment.apps), as long as nobody is in them and they grant nothing."""
    return Group.objects.filter(name__in=Role.values, user__isnull=True, permissions__isnull=True)


def occupied_tables() -> dict[str, int]:
    """Backed-up tables that already hold rows, beyond what a freshly migrated database has."""
    counts = _row_counts(_every_table(backed_up_models()))
    counts[Group._meta.label_lower] -= _role_groups_migrate_creates().count()
    return {label: count for label, count in counts.items() if count}


def _stored_file_names() -> dict[str, Storage]:
    """Every file name a row points to, with the storage that holds it."""
    names: dict[str, Storage] = {}
    for model in backed_up_models():
        for file_field in _file_fields(model):
            for name in model._base_manager.exclude(**{file_field.name: ""}).values_list(file_field.name, flat=True):
                if name:
                    names.setdefault(name, file_field.storage)
    return names


def _applied_migrations(app_labels: set[str]) -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied if app in app_labels)


def _chunks(handle: Any) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _app_version() -> str:
    try:
        return metadata.version("dualspace")
    except metadata.PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------- export


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
            by_natural_key = _refers_by_natural_key(model)
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
        counts.update(_row_counts(t for m in models_in_order for t in _many_to_many_tables(m)))
        files, missing = [], []
        for name, storage in sorted(_stored_file_names().items()):
            member = FILES_FOLDER + name
            try:
                source = storage.open(name, "rb")
            except (FileNotFoundError, OSError):
                missing.append(name)
                continue
            digest = hashlib.sha256()
            size = 0
            with source, archive.open(member, "w", force_zip64=True) as target:
                for chunk in _chunks(source):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            members[member] = digest.hexdigest()
            files.append({"name": name, "member": member, "size": size})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": _app_version(),
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "django_version": django.get_version(),
            "database_vendor": connection.vendor,
            "migrations": _applied_migrations({m._meta.app_label for m in models_in_order}),
            "models": model_entries,
            "counts": counts,
            "files": files,
            "missing_files": missing,
            "members": members,
        }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return ExportSummary(counts=counts, files=len(files), missing_files=missing)


# ---------------------------------------------------------------- checking an archive


@dataclass
class _CheckedBackup:
    archive: zipfile.ZipFile
    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]  # model label → serialized rows
    files: dict[str, str]  # storage name → member


def _safe_storage_name(name: Any) -> bool:
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in name.split("/"))


def _member_digest(archive: zipfile.ZipFile, member: str) -> str:
    digest = hashlib.sha256()
    with archive.open(member) as source:
        for chunk in _chunks(source):
            digest.update(chunk)
    return digest.hexdigest()


def _open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise BackupError([_("There is no file %(path)s.") % {"path": path}]) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError([_("%(path)s is not a zip archive; it is not a DualSpace backup.") % {"path": path}]) from exc


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        raw = archive.read(MANIFEST)
    except KeyError as exc:
        raise BackupError([_("The archive has no manifest.json; it is not a DualSpace backup.")]) from exc
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise BackupError([_("manifest.json cannot be read: %(error)s") % {"error": exc}]) from exc
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BackupError([_("manifest.json is not valid JSON: %(error)s") % {"error": exc}]) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError([_("manifest.json does not describe a DualSpace backup.")])
    version = manifest.get("format_version")
    if version not in KNOWN_FORMAT_VERSIONS:
        raise BackupError(
            [
                _(
                    "The backup's format version %(version)s is unknown to this version of DualSpace, which reads %(known)s."
                )
                % {
                    "version": version,
                    "known": ", ".join(str(v) for v in sorted(KNOWN_FORMAT_VERSIONS)),
                }
            ]
        )
    expected = {
        "models": list,
        "counts": dict,
        "files": list,
        "missing_files": list,
        "members": dict,
        "migrations": list,
    }
    wrong = [key for key, kind in expected.items() if not isinstance(manifest.get(key), kind)]
    if wrong:
        raise BackupError([_("manifest.json lacks or garbles: %(keys)s.") % {"keys": ", ".join(wrong)}])
    return manifest


def _check_members(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[str]:
    problems = []
    present = {info.filename for info in archive.infolist() if not info.is_dir()}
    listed: dict[str, Any] = manifest["members"]
    for member, expected in sorted(listed.items()):
        if member not in present:
            problems.append(
                _("%(member)s is listed in the manifest but missing from the archive.") % {"member": member}
            )
            continue
        try:
            actual = _member_digest(archive, member)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            problems.append(_("%(member)s cannot be read: %(error)s") % {"member": member, "error": exc})
            continue
        if actual != expected:
            problems.append(_("%(member)s is damaged: its checksum does not match the manifest.") % {"member": member})
    for member in sorted(present - set(listed) - {MANIFEST}):
        problems.append(_("%(member)s is in the archive but not in the manifest.") % {"member": member})
    return problems


def _check_migrations(manifest: dict[str, Any]) -> list[str]:
    backed_up_apps = {entry.split(".", 1)[0] for entry in manifest["migrations"] if isinstance(entry, str)}
    here = set(_applied_migrations(backed_up_apps))
    newer = sorted(str(entry) for entry in manifest["migrations"] if entry not in here)
    if not newer:
        return []
    return [
        _(
            "The backup was made with database changes this installation has not applied (%(migrations)s); "
            "update DualSpace and run migrate first."
        )
        % {"migrations": ", ".join(newer)}
    ]


def _check_rows(
    archive: zipfile.ZipFile, manifest: dict[str, Any]
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    problems: list[str] = []
    known = {model._meta.label_lower: model for model in backed_up_models()}
    rows: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest["models"]:
        if not isinstance(entry, dict) or not {"label", "member", "count"} <= set(entry):
            problems.append(_("manifest.json lists a model without label, member and count."))
            continue
        label, member = str(entry["label"]), str(entry["member"])
        if label not in known:
            problems.append(
                _("The backup holds %(model)s, which this version of DualSpace does not know.") % {"model": label}
            )
            continue
        if member not in manifest["members"]:
            problems.append(_("%(member)s is not listed with a checksum in the manifest.") % {"member": member})
            continue
        try:
            parsed = json.loads(archive.read(member).decode("utf-8"))
        except KeyError:
            continue  # already reported as missing
        except (UnicodeDecodeError, ValueError) as exc:
            problems.append(_("%(member)s is not valid JSON: %(error)s") % {"member": member, "error": exc})
            continue
        if not isinstance(parsed, list):
            problems.append(_("%(member)s does not hold a list of rows.") % {"member": member})
            continue
        bad = next(
            (
                index
                for index, row in enumerate(parsed, start=1)
                if not isinstance(row, dict)
                or row.get("model") != label
                or "pk" not in row
                or not isinstance(row.get("fields"), dict)
            ),
            None,
        )
        if bad is not None:
            problems.append(
                _("%(member)s: row %(row)d is not a %(model)s row.") % {"member": member, "row": bad, "model": label}
            )
            continue
        non_finite = _non_finite_fields(parsed)
        if non_finite:
            # JSON's NaN, Infinity and 1e999 load as floats no answer, goalpost or score may hold.
            problems.extend(
                _("%(member)s: %(model)s %(pk)s, field %(field)s, holds %(value)s, which is not a finite number.")
                % {"member": member, "model": label, "pk": pk, "field": name, "value": value}
                for pk, name, value in non_finite
            )
            continue
        if len(parsed) != entry["count"]:
            problems.append(
                _("%(member)s holds %(found)d rows where the manifest says %(expected)s.")
                % {"member": member, "found": len(parsed), "expected": entry["count"]}
            )
            continue
        rows[label] = parsed
    return rows, problems


def _non_finite_fields(rows: list[dict[str, Any]]) -> list[tuple[Any, str, float]]:
    """(primary key, field, value) of every inf or NaN in the rows, also inside JSON fields."""

    def non_finite_in(value: Any) -> Iterator[float]:
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                yield from non_finite_in(item)
        elif not is_finite_number(value):
            yield value

    return [
        (row["pk"], name, found)
        for row in rows
        for name, value in row["fields"].items()
        for found in non_finite_in(value)
    ]


def _check_files(manifest: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, str], list[str]]:
    problems: list[str] = []
    files: dict[str, str] = {}
    for entry in manifest["files"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not _safe_storage_name(name):
            problems.append(_("%(name)s is not a safe file name for the media storage.") % {"name": name})
            continue
        member = FILES_FOLDER + name
        if member not in manifest["members"]:
            problems.append(_("%(member)s is not listed with a checksum in the manifest.") % {"member": member})
            continue
        files[name] = member
    missing_at_export = {name for name in manifest["missing_files"] if isinstance(name, str)}
    for model in backed_up_models():
        label = model._meta.label_lower
        for file_field in _file_fields(model):
            for row in rows.get(label, []):
                name = row["fields"].get(file_field.name)
                if not name or name in files or name in missing_at_export:
                    continue
                problems.append(
                    _("%(model)s %(pk)s refers to the file %(name)s, which is not in the archive.")
                    % {"model": label, "pk": row["pk"], "name": name}
                )
    return files, problems


def backup_check(*, path: Path) -> _CheckedBackup:
    """Read the whole archive and check it; raise BackupError listing every problem found."""
    archive = _open_archive(path)
    try:
        manifest = _read_manifest(archive)
        problems = _check_members(archive, manifest)
        problems += _check_migrations(manifest)
        rows, row_problems = _check_rows(archive, manifest)
        problems += row_problems
        files, file_problems = _check_files(manifest, rows)
        problems += file_problems
    except BaseException:
        archive.close()
        raise
    if problems:
        archive.close()
        raise BackupError(problems)
    return _CheckedBackup(archive=archive, manifest=manifest, rows=rows, files=files)


# ---------------------------------------------------------------- restore


class _FileLedger:
    """Files written during a restore, so a failure can take them back."""

    def __init__(self) -> None:
        self.created: list[tuple[Storage, str]] = []
        self.overwritten: list[tuple[Storage, str, Any]] = []
        self.already_there = 0

    def write(self, storage: Storage, name: str, source: io.BufferedIOBase, digest: str) -> None:
        if storage.exists(name):
            if _storage_digest(storage, name) == digest:
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


def _storage_digest(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source:
        for chunk in _chunks(source):
            digest.update(chunk)
    return digest.hexdigest()


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


def _load_rows(checked: _CheckedBackup, order: list[type[models.Model]]) -> None:
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


def _check_counts(checked: _CheckedBackup, tables: list[type[models.Model]]) -> None:
    expected: dict[str, Any] = checked.manifest["counts"]
    actual = _row_counts(tables)
    wrong = [
        _("%(table)s: %(found)d rows restored, the manifest says %(expected)s.")
        % {"table": label, "found": actual[label], "expected": count}
        for label, count in sorted(expected.items())
        if label in actual and actual[label] != count
    ]
    if wrong:
        raise BackupError(wrong)


def _storages_by_name(checked: _CheckedBackup) -> dict[str, Storage]:
    by_name: dict[str, Storage] = {}
    for model in backed_up_models():
        for file_field in _file_fields(model):
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


def backup_restore(*, path: Path, replace: bool = False) -> RestoreSummary:
    """Restore a backup into this database and storage: everything, or nothing at all.

    Without `replace` the database must hold none of the backed-up rows; with
    it, the current rows go and their files are removed once the restore is in.
    """
    checked = backup_check(path=path)
    order = backed_up_models()
    tables = _every_table(order)
    storages = _storages_by_name(checked)
    digests: dict[str, str] = checked.manifest["members"]
    ledger = _FileLedger()
    with checked.archive:
        try:
            with transaction.atomic():
                # Inside the transaction: on SQLite it holds the write lock, so nobody adds a row in between.
                _refuse_if_occupied(replace=replace)
                old_files = _stored_file_names() if replace else {}
                if replace:
                    _delete_every_row(tables)
                else:
                    # The backup's own groups, with their ids, take the place of the empty ones migrate made.
                    _role_groups_migrate_creates().delete()
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
    # Cached pages are keyed by the results they show; they must not outlive the data.
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
        counts=_row_counts(tables),
        files_written=len(ledger.created) + len(ledger.overwritten),
        files_already_there=ledger.already_there,
        old_files_removed=removed,
        old_files_not_removed=kept,
    )
