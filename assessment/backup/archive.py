"""What a backup is: the archive's format and manifest, what it holds and what it leaves out.

Archive layout (format version 1)::

    manifest.json                  what is inside, with a sha256 of every other member
    data/NNN-<app>.<model>.json    one model in Django's JSON serialization, primary keys kept
    files/<storage name>           every file a row points to (evidence, report PDFs)
"""

import hashlib
from collections.abc import Iterable, Iterator
from importlib import metadata
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.storage import Storage
from django.db import connection, models
from django.db.migrations.recorder import MigrationRecorder

from accounts.roles import Role

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
# - the task queue holds work for this server's worker, not data;
# - the audit log is this installation's own trail: a restore (--replace) must neither erase it nor put
#   an older one in its place (等保2.0: audit records protected from deletion and overwriting), and its
#   records must not make a database count as holding data. It is kept for AUDIT_RETENTION_DAYS and
#   read or exported as CSV by the auditor; the database's own backups carry it.
EXCLUDED_APPS = frozenset({"contenttypes", "sessions", "django_tasks_database"})
EXCLUDED_MODELS = frozenset({"auth.permission", "accounts.auditrecord"})


class BackupError(Exception):
    """The archive cannot be read or restored; every problem found is listed, nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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


def many_to_many_tables(model: type[models.Model]) -> list[type[models.Model]]:
    """The automatic join tables of a model; their rows travel inside the model's own rows."""
    return [
        m2m.remote_field.through
        for m2m in model._meta.local_many_to_many
        if m2m.remote_field.through._meta.auto_created
    ]


def every_table(backed_up: list[type[models.Model]]) -> list[type[models.Model]]:
    tables = []
    for model in backed_up:
        tables.append(model)
        tables.extend(many_to_many_tables(model))
    return tables


def refers_by_natural_key(model: type[models.Model]) -> bool:
    """Rows that refer to content types or permissions name them by natural key: their ids differ per machine."""
    relations = [*model._meta.local_fields, *model._meta.local_many_to_many]
    return any(relation.is_relation and relation.related_model in (ContentType, Permission) for relation in relations)


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.local_fields if isinstance(f, models.FileField)]


def row_counts(tables: Iterable[type[models.Model]]) -> dict[str, int]:
    return {table._meta.label_lower: table._base_manager.count() for table in tables}


def role_groups_migrate_creates() -> models.QuerySet[Group]:
    """The role groups `migrate` creates (assessment.apps), as long as nobody is in them and they grant nothing."""
    return Group.objects.filter(name__in=Role.values, user__isnull=True, permissions__isnull=True)


def occupied_tables() -> dict[str, int]:
    """Backed-up tables that already hold rows, beyond what a freshly migrated database has."""
    counts = row_counts(every_table(backed_up_models()))
    counts[Group._meta.label_lower] -= role_groups_migrate_creates().count()
    return {label: count for label, count in counts.items() if count}


def stored_file_names() -> dict[str, Storage]:
    """Every file name a row points to, with the storage that holds it."""
    names: dict[str, Storage] = {}
    for model in backed_up_models():
        for file_field in file_fields(model):
            for name in model._base_manager.exclude(**{file_field.name: ""}).values_list(file_field.name, flat=True):
                if name:
                    names.setdefault(name, file_field.storage)
    return names


def applied_migrations(app_labels: set[str]) -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied if app in app_labels)


def chunks(handle: Any) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def stored_file_digest(storage: Storage, name: str) -> str:
    """SHA-256 of a stored file, read in chunks: what a backup records and a restore or file move checks."""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source:
        for chunk in chunks(source):
            digest.update(chunk)
    return digest.hexdigest()


def app_version() -> str:
    try:
        return metadata.version("dualspace")
    except metadata.PackageNotFoundError:
        return "unknown"
