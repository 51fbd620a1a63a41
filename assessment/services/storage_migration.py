"""Copy an installation's files from a local folder into the configured storage, verified by SHA-256.

For moving a single-machine installation (files under var/media) to object
storage shared by several machines (README, "Several machines"). The files
are those the database points to (`assessment.backup.archive.stored_file_names`:
evidence and report PDFs), each copied under the same name, so no row changes.

Each file is read in chunks (an evidence file may be large), written through
the storage API, then read back from the target and its SHA-256 compared
with the source's. A file already in the target with the same checksum is
left alone, so a second run copies nothing; one with other bytes is reported
and never overwritten (someone must decide which is right). A file the
database names but the folder lacks is reported as missing, unless the
target already holds it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage

from assessment.backup.archive import stored_file_digest, stored_file_names


@dataclass
class FileMigration:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every file the database names is in the target with the source's bytes."""
        return not self.missing and not self.different


def files_migrate(
    *, source_folder: Path, dry_run: bool = False, progress: Callable[[str, str], None] | None = None
) -> FileMigration:
    """Copy every stored file the database names from ``source_folder`` into its field's storage.

    ``progress(outcome, name)`` is told each file's outcome: copied (or, in a dry
    run, would be copied), already_there, missing, different.
    """
    source = FileSystemStorage(location=source_folder)
    result = FileMigration()

    def note(outcome: str, name: str) -> None:
        getattr(result, outcome).append(name)
        if progress is not None:
            progress(outcome, name)

    for name, target in sorted(stored_file_names().items()):
        in_source = source.exists(name)
        in_target = target.exists(name)
        if not in_source:
            note("already_there" if in_target else "missing", name)
            continue
        wanted = stored_file_digest(source, name)
        if in_target:
            note("already_there" if stored_file_digest(target, name) == wanted else "different", name)
            continue
        if not dry_run:
            with source.open(name, "rb") as handle:
                stored = target.save(name, File(handle, name=name))
            if stored != name:
                # Another writer took the name between the look and the save; ours is not the right copy.
                target.delete(stored)
                note("different", name)
                continue
            if stored_file_digest(target, name) != wanted:
                target.delete(name)
                note("different", name)
                continue
        note("copied", name)
    return result
