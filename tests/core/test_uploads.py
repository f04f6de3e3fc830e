"""Attachment checks: allow-listed extensions, content matching the extension, size limit; on the
Wagtail document upload with clear Chinese errors and nothing stored."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from wagtail.documents import get_document_model

from core.uploads import check_file

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zipped(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<xml/>")
    return buffer.getvalue()


def check(name, data):
    return check_file(name, io.BytesIO(data), len(data))


def test_valid_files_pass():
    assert check("通知.pdf", PDF) == []
    assert check("表格.docx", zipped("word/document.xml")) == []
    assert check("明细.xlsx", zipped("xl/workbook.xml")) == []
    assert check("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100) == []
    assert check("数据.csv", "编码,名称\n1,营业执照\n".encode()) == []
    assert check("数据.csv", "编码,名称\n1,营业执照\n".encode("gb18030")) == []


def test_forbidden_type_is_refused_with_the_allowed_list():
    [message] = check("virus.exe", b"MZ\x90\x00")
    assert "不支持的文件类型“.exe”" in message and "PDF" in message
    [message] = check("noext", b"abc")
    assert "无扩展名" in message


def test_content_must_match_extension():
    [message] = check("fake.pdf", b"MZ\x90\x00 not a pdf")
    assert "不是有效的 PDF 文件" in message
    [message] = check("fake.docx", zipped("xl/workbook.xml"))  # an XLSX renamed
    assert "Word (DOCX)" in message
    [message] = check("fake.csv", b"\x00\x01\x02binary")
    assert "CSV" in message


def test_size_limit_and_empty_file():
    with override_settings(MAX_UPLOAD_BYTES=100):
        [message] = check("big.pdf", PDF + b"0" * 200)
        assert "过大" in message and "100 B" in message
    [message] = check("empty.pdf", b"")
    assert "空文件" in message


@pytest.mark.django_db
def test_document_upload_form_refuses_bad_files_and_keeps_good_ones(client, django_user_model):
    user = django_user_model.objects.create_superuser("docadmin", "docadmin@example.org", "x-Pass-12345")
    client.force_login(user)
    Document = get_document_model()
    before = Document.objects.count()
    url = reverse("wagtaildocs:add")

    response = client.post(url, {"title": "假PDF", "file": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 nope")})
    assert response.status_code == 200
    assert "不是有效的 PDF 文件" in response.content.decode()
    with override_settings(MAX_UPLOAD_BYTES=10):
        response = client.post(url, {"title": "大文件", "file": SimpleUploadedFile("big.pdf", PDF)})
        assert "过大" in response.content.decode()
    assert Document.objects.count() == before

    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    response = client.post(url, {"title": "真PDF", "file": SimpleUploadedFile("real.pdf", PDF), "collection": root.pk})
    assert response.status_code == 302
    assert Document.objects.count() == before + 1
