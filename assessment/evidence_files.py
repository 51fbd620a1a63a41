"""Checks on uploaded evidence files: what a file is, by its bytes, not its name.

Accepted: PDF, PNG, JPEG, Office Open XML (docx, xlsx, pptx), plain text and
CSV. Refused: anything else, including HTML and SVG (they can carry scripts),
files over the size limit, and Office files whose zip would expand beyond a
sane size (zip bombs).
"""

import io
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_UNCOMPRESSED_OFFICE = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
OFFICE_TYPES = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}


def zip_expands_implausibly(entries: list[zipfile.ZipInfo], *, max_expanded: int, ratio_checked_above: int = 0) -> bool:
    """A zip bomb, judged by the sizes the archive declares: nothing is unpacked to find out.

    Too big once unpacked, or packed far denser than real Office files (about
    5-20 to 1) once it expands past ``ratio_checked_above`` bytes.
    """
    expanded = sum(entry.file_size for entry in entries)
    compressed = max(1, sum(entry.compress_size for entry in entries))
    too_dense = expanded > ratio_checked_above and expanded / compressed > MAX_COMPRESSION_RATIO
    return expanded > max_expanded or too_dense


@dataclass(frozen=True)
class EvidenceKind:
    content_type: str
    extension: str


def evidence_max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def evidence_file_check(upload: UploadedFile) -> EvidenceKind:
    """The file's real kind, or ValidationError naming the file and saying why it is refused."""
    try:
        return _evidence_kind(upload)
    except ValidationError as error:
        name = os.path.basename(upload.name or "") or _("the file")
        raise ValidationError(
            [_("“%(name)s” was refused: %(reason)s") % {"name": name, "reason": message} for message in error.messages]
        ) from error


def _evidence_kind(upload: UploadedFile) -> EvidenceKind:
    limit = evidence_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The file is larger than the limit of %(limit)d MB.") % {"limit": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return EvidenceKind("application/pdf", "pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind("image/png", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return EvidenceKind("image/jpeg", "jpg")
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    if _looks_like_markup(head):
        raise ValidationError(_("HTML, SVG and XML files are not accepted as evidence: they can carry scripts."))
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A cut multi-byte character at the 8 KiB boundary is still text.
            if exc.start < len(head) - 4:
                raise ValidationError(
                    _("This type of file is not accepted. Use PDF, PNG, JPEG, Word, Excel, PowerPoint, CSV or text.")
                ) from exc
        return EvidenceKind("text/plain", "txt")
    raise ValidationError(
        _("This type of file is not accepted. Use PDF, PNG, JPEG, Word, Excel, PowerPoint, CSV or text.")
    )


def _looks_like_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe"))


def _office_kind(upload: UploadedFile) -> EvidenceKind:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("The file looks like an Office document but is damaged.")) from exc
    if zip_expands_implausibly(entries, max_expanded=MAX_UNCOMPRESSED_OFFICE):
        raise ValidationError(_("The file expands to an implausible size when unpacked and is refused."))
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise ValidationError(_("Only Word, Excel and PowerPoint files are accepted among zip-based files."))
    for prefix, (content_type, extension) in OFFICE_TYPES.items():
        if any(name.startswith(prefix) for name in names):
            return EvidenceKind(content_type, extension)
    raise ValidationError(_("Only Word, Excel and PowerPoint files are accepted among zip-based files."))
