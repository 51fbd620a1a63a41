"""The local-disk storage shows a file under its name only once it is complete, and never overwrites one.

config.storage.AtomicFileSystemStorage, on a temporary folder: no database.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from config.storage import PARTIAL_PREFIX, AtomicFileSystemStorage


class WatchedContent(ContentFile):
    """Content whose chunks run ``look()`` between two chunks, while the storage is writing."""

    def __init__(self, chunks: list[bytes], look) -> None:  # type: ignore[no-untyped-def]
        super().__init__(b"".join(chunks))
        self.parts = chunks
        self.look = look

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        for part in self.parts:
            yield part
            self.look()


def test_nothing_is_visible_under_the_name_until_the_whole_file_is_written(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    final = tmp_path / "reports" / "a.pdf"
    seen = []

    def look() -> None:
        seen.append((final.exists(), storage.exists("reports/a.pdf"), storage.listdir("reports")[1]))

    name = storage.save("reports/a.pdf", WatchedContent([b"%PDF-", b"half", b"-end"], look))
    assert name == "reports/a.pdf" and final.read_bytes() == b"%PDF-half-end"
    assert [(exists, listed) for exists, listed, _files in seen] == [(False, False)] * 3
    # While writing, only the temporary file is in the folder; once done, only the file.
    assert all(files and all(file.startswith(PARTIAL_PREFIX) for file in files) for *_seen, files in seen)
    assert storage.listdir("reports")[1] == ["a.pdf"]


def test_a_taken_name_gets_a_new_one_and_the_first_file_is_kept(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("evidence/1/plan.pdf", ContentFile(b"first"))
    second = storage.save("evidence/1/plan.pdf", ContentFile(b"second"))
    assert first == "evidence/1/plan.pdf" and second != first
    assert storage.open(first).read() == b"first" and storage.open(second).read() == b"second"


def test_a_name_taken_while_writing_is_not_overwritten(tmp_path):
    """Another writer publishes the same name between the storage's look and its link: both files stay."""
    storage = AtomicFileSystemStorage(location=tmp_path)
    final = tmp_path / "a.pdf"

    def other_writer() -> None:
        if not final.exists():
            final.write_bytes(b"the other writer's")

    name = storage.save("a.pdf", WatchedContent([b"mine"], other_writer))
    assert name != "a.pdf" and storage.open(name).read() == b"mine"
    assert final.read_bytes() == b"the other writer's"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(PARTIAL_PREFIX)] == []


def test_a_failed_write_leaves_nothing(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)

    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        storage.save("a.pdf", WatchedContent([b"half"], fail))
    assert list(tmp_path.iterdir()) == []


def leftover(folder: Path, name: str) -> Path:
    """What a writer of ``name`` killed before its link leaves: mkstemp's file with the storage's prefix."""
    handle, path = tempfile.mkstemp(dir=folder, prefix=f"{PARTIAL_PREFIX}{name}-")
    with open(handle, "wb") as out:
        out.write(b"half")
    return Path(path)


def test_remove_partial_files_removes_only_that_name_s_leftovers(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    folder = tmp_path / "reports"
    folder.mkdir()
    mine = [leftover(folder, "a-en.pdf"), leftover(folder, "a-en.pdf")]
    others = [leftover(folder, "b-en.pdf"), leftover(folder, "a-en.pdf-copy.pdf")]
    storage.save("reports/a-en.pdf", ContentFile(b"%PDF done"))
    assert storage.remove_partial_files("reports/a-en.pdf") == 2
    assert not any(path.exists() for path in mine) and all(path.exists() for path in others)
    assert (folder / "a-en.pdf").read_bytes() == b"%PDF done"
    assert storage.remove_partial_files("reports/none.pdf") == 0
    assert storage.remove_partial_files("elsewhere/none.pdf") == 0
