"""Checking an archive before anything is written: manifest, checksums, migrations, rows and files."""

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.translation import gettext as _

from assessment.backup.archive import (
    FILES_FOLDER,
    FORMAT,
    KNOWN_FORMAT_VERSIONS,
    MANIFEST,
    BackupError,
    applied_migrations,
    backed_up_models,
    chunks,
    file_fields,
)
from assessment.framework.document import is_finite_number


@dataclass
class CheckedBackup:
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
        for chunk in chunks(source):
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
                    "The backup's format version %(version)s is unknown to this version of DualSpace, "
                    "which reads %(known)s."
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
    here = set(applied_migrations(backed_up_apps))
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
        for file_field in file_fields(model):
            for row in rows.get(label, []):
                name = row["fields"].get(file_field.name)
                if not name or name in files or name in missing_at_export:
                    continue
                problems.append(
                    _("%(model)s %(pk)s refers to the file %(name)s, which is not in the archive.")
                    % {"model": label, "pk": row["pk"], "name": name}
                )
    return files, problems


def backup_check(*, path: Path) -> CheckedBackup:
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
    return CheckedBackup(archive=archive, manifest=manifest, rows=rows, files=files)
