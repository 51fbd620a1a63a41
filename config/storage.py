"""The local-disk storage: Django's FileSystemStorage, but a file appears under its name only once complete.

Django's own backend writes straight into the final name, so a reader (or a
backup) could see half a PDF while a worker writes it, and a worker killed
mid-write leaves half a file behind. Here every file is written under a
temporary name in the same folder (``.partial-<name>-<random>``), flushed to
disk, then published with one atomic step: a hard link (which fails if the
name was taken meanwhile, so nothing is overwritten: a new name is chosen as
Django does) or a rename when the storage allows overwriting. S3-protocol
object storage needs none of this: an object is visible only once its upload
has completed.

A process killed between the two steps leaves only the temporary file;
`remove_partial_files` deletes those of one name (the report worker calls it
when it recovers a dead worker's report).
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage

PARTIAL_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = Path(self.path(name))
        full_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=full_path.parent, prefix=f"{PARTIAL_PREFIX}{full_path.name}-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            else:
                # mkstemp makes the file readable by its owner only; a stored file follows the umask as Django's does.
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temporary, 0o666 & ~umask)
            while True:
                if self._allow_overwrite:
                    os.replace(temporary, full_path)
                    break
                try:
                    os.link(temporary, full_path)  # fails if the name exists: never overwrites
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = Path(self.path(name))
                else:
                    break
        finally:
            Path(temporary).unlink(missing_ok=True)
        self._ensure_location_group_id(str(full_path))
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def remove_partial_files(self, name: str) -> int:
        """Delete what a killed writer of ``name`` left behind; how many files."""
        target = Path(self.path(name))
        if not target.parent.is_dir():
            return 0
        removed = 0
        # mkstemp adds exactly 8 random characters: "-*" would also match the leftovers of "<name>-copy.pdf".
        for leftover in target.parent.glob(f"{PARTIAL_PREFIX}{target.name}-{'?' * 8}"):
            leftover.unlink(missing_ok=True)
            removed += 1
        return removed
