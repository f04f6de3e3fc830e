"""Which uploaded files the public may fetch, and the view that serves /media/ after checking.

Production used to serve all of MEDIA_ROOT, so a draft bulletin's PDF was public by its file
name while its page answered 404. Now every file under /media/ and every /documents/<id>/…
download goes through `media_is_public()` / `document_is_public()`:

- a Wagtail document is public unless its collection (or a parent collection) has a view
  restriction (Wagtail's *隐私* setting on a collection), or an app's private-document check
  says it belongs to something unpublished (disclosures registers one: a bulletin PDF is public
  only while it is the PDF of a live bulletin);
- an image (original or rendition) is public unless its collection is restricted;
- any other file under MEDIA_ROOT is not served at all (404).

Apps add checks with `register_private_document_check(fn)`; `fn(document)` returns True when
the document must stay private. The checks run only for documents, so public pages pay nothing.
With object storage (MEDIA_STORAGE) documents are served through the same view
(WAGTAILDOCS_SERVE_METHOD = "serve_view"); the bucket itself must not be public (docs/deploy.md).
"""

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse

_private_document_checks = []

__all__ = ["document_is_public", "media_is_public", "register_private_document_check", "serve_media"]


def register_private_document_check(check):
    """Add fn(document) -> True when the document must not be served to the public."""
    if check not in _private_document_checks:
        _private_document_checks.append(check)


def _collection_restricted(collection):
    if collection is None:
        return False
    from wagtail.models import CollectionViewRestriction

    ancestors = collection.get_ancestors(inclusive=True)
    return CollectionViewRestriction.objects.filter(collection__in=ancestors).exists()


def document_is_public(document):
    if _collection_restricted(document.collection):
        return False
    return not any(check(document) for check in _private_document_checks)


def _clean_name(name):
    name = posixpath.normpath(str(name or "").replace("\\", "/")).lstrip("/")
    if not name or name.startswith("..") or "\x00" in name:
        return None
    return name


def media_is_public(name):
    """Whether the file stored under this media name may be served to anyone."""
    name = _clean_name(name)
    if name is None:
        return False
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    document = get_document_model().objects.select_related("collection").filter(file=name).first()
    if document is not None:
        return document_is_public(document)
    Image = get_image_model()
    image = Image.objects.select_related("collection").filter(file=name).first()
    if image is None:
        rendition = Image.get_rendition_model().objects.select_related("image__collection").filter(file=name).first()
        image = rendition.image if rendition is not None else None
    if image is not None:
        return not _collection_restricted(image.collection)
    return False


def serve_media(request, path):
    """GET /media/<path>: the file when media_is_public(path), else 404 (never a listing)."""
    from django.core.files.storage import default_storage

    name = _clean_name(path)
    if name is None or not media_is_public(name):
        raise Http404
    content_type, _encoding = mimetypes.guess_type(name)
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if accel and isinstance(default_storage, FileSystemStorage):  # nginx sends the file (docs/deploy.md)
        if not default_storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
        response["X-Content-Type-Options"] = "nosniff"
        return response
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response
