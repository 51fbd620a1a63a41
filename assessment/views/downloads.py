"""A stored file (evidence, a report PDF) handed to someone the calling view has already let through.

Two ways, chosen by STORAGE_DOWNLOADS (config/services.py):

* ``stream`` (the default): the app reads the file from the storage and sends
  it. Every byte passes the permission check of this very request, and the
  browser needs to reach only the app: on a government intranet the object
  store is often on a network users' browsers cannot reach at all.
* ``redirect``: a 302 to a presigned URL of the object store, valid
  STORAGE_URL_EXPIRY seconds, issued only after the check. It takes large
  files off the app's workers, but the URL is a bearer token: whoever holds it
  (a forwarded link, a proxy log) may fetch the file until it expires, with no
  check of who they are. Hence short expiry, ``Cache-Control: no-store`` on the
  redirect, and the attachment headers signed into the URL so the object
  store serves the file as a download, never as a page. A storage that cannot
  sign URLs (the local disk) streams whatever the setting says.

Either way the file is an attachment with a fixed type, ``nosniff`` and a
sandbox CSP: a stored file is never rendered as a page of this site.
"""

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def stored_file_response(
    request: HttpRequest, field_file: FieldFile, *, filename: str, content_type: str, missing: str = ""
) -> HttpResponse:
    """The download of ``field_file`` (after the caller's permission check); Http404 with ``missing`` if absent."""
    if not field_file:
        raise Http404(missing)
    if settings.STORAGE_DOWNLOADS == "redirect" and _signs_urls(field_file):
        return _redirect(field_file, filename=filename, content_type=content_type, missing=missing)
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    reply = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    _harden(reply)
    return reply


def _signs_urls(field_file: FieldFile) -> bool:
    """Whether the storage hands out presigned URLs (django-storages' S3 backend with query-string auth)."""
    return bool(getattr(field_file.storage, "querystring_auth", False))


def _redirect(field_file: FieldFile, *, filename: str, content_type: str, missing: str) -> HttpResponse:
    storage = field_file.storage
    # Signing needs no request to the store; look first, so a missing file is our 404, not the store's XML.
    if not storage.exists(field_file.name):
        raise Http404(missing)
    url = storage.url(  # type: ignore[call-arg]  # S3Storage.url takes parameters and expire
        field_file.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(as_attachment=True, filename=filename),
            "ResponseContentType": content_type,
        },
        expire=settings.STORAGE_URL_EXPIRY,
    )
    reply = HttpResponseRedirect(url)
    # The URL is valid for anyone holding it: no cache keeps a copy of it.
    reply["Cache-Control"] = "no-store"
    _harden(reply)
    return reply


def _harden(reply: HttpResponse) -> None:
    reply["X-Content-Type-Options"] = "nosniff"
    reply["Content-Security-Policy"] = "sandbox; default-src 'none'"
