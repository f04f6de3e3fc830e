"""Upload checks for documents (notice attachments, blank forms): type by extension and content, size.

An extension alone proves nothing, so the first bytes are compared with what that type must start
with (PDF, the ZIP container of DOCX/XLSX/ODF/OFD, the OLE container of DOC/XLS/WPS, plain
text for CSV/TXT). Messages are in Chinese and say what to do.
"""

import io
import os
import zipfile

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from wagtail.documents.forms import BaseDocumentForm

PDF = b"%PDF-"
ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SNIFF_BYTES = 8192

# extension -> (label, magic prefix or None for text, required ZIP member or None)
SIGNATURES = {
    "pdf": ("PDF", PDF, None),
    "docx": ("Word (DOCX)", ZIP, "word/document.xml"),
    "xlsx": ("Excel (XLSX)", ZIP, "xl/workbook.xml"),
    "odt": ("OpenDocument 文本", ZIP, "mimetype"),
    "ods": ("OpenDocument 表格", ZIP, "mimetype"),
    "ofd": ("OFD 版式文件", ZIP, "OFD.xml"),
    "zip": ("ZIP 压缩包", ZIP, None),
    "doc": ("Word (DOC)", OLE, None),
    "xls": ("Excel (XLS)", OLE, None),
    "wps": ("WPS 文字", OLE, None),
    "csv": ("CSV", None, None),
    "txt": ("文本", None, None),
}


def allowed_extensions():
    configured = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None) or list(SIGNATURES)
    return [ext for ext in configured if ext in SIGNATURES]


def human_size(size):
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def _looks_like_text(head):
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # A multi-byte character cut off at the end of the sample is still text.
            if exc.start >= len(head) - 4 and encoding == "utf-8":
                return True
    return False


def _zip_has(fileobj, member):
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return member in names


def check_file(name, fileobj, size):
    """Return a list of Chinese error messages for an upload (empty when it is acceptable)."""
    extension = os.path.splitext(name or "")[1].lower().lstrip(".")
    allowed = allowed_extensions()
    if extension not in allowed:
        return [
            _("不支持的文件类型“%(ext)s”。允许上传：%(allowed)s。")
            % {"ext": "." + extension if extension else _("无扩展名"), "allowed": "、".join(e.upper() for e in allowed)}
        ]
    limit = settings.MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        return [
            _("文件“%(name)s”过大（%(size)s），单个文件不能超过 %(limit)s。")
            % {"name": os.path.basename(name), "size": human_size(size), "limit": human_size(limit)}
        ]
    if not size:
        return [_("文件“%(name)s”是空文件，请重新选择。") % {"name": os.path.basename(name)}]
    label, magic, member = SIGNATURES[extension]
    position = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        fileobj.seek(0)
        head = fileobj.read(SNIFF_BYTES)
        valid = _looks_like_text(head) if magic is None else head.startswith(magic)
        if valid and member:
            fileobj.seek(0)
            data = fileobj if hasattr(fileobj, "seekable") and fileobj.seekable() else io.BytesIO(fileobj.read())
            valid = _zip_has(data, member)
    finally:
        fileobj.seek(position)
    if not valid:
        return [
            _("文件“%(name)s”的内容不是有效的 %(label)s 文件，与扩展名不符，请检查后重新上传。")
            % {"name": os.path.basename(name), "label": label}
        ]
    return []


def check_document(document):
    """Errors for an already stored Wagtail document (e.g. chosen as a notice attachment)."""
    try:
        size = document.file.size
        with document.file.open("rb") as handle:
            return check_file(document.file.name, handle, size)
    except (OSError, ValueError):
        return [_("附件“%(title)s”的文件无法读取，请重新上传。") % {"title": document.title}]


class CheckedDocumentForm(BaseDocumentForm):
    """Wagtail's document form with the type, content and size checks above."""

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if isinstance(uploaded, UploadedFile):
            errors = check_file(uploaded.name, uploaded, uploaded.size)
            if errors:
                raise forms.ValidationError(errors)
        return uploaded
