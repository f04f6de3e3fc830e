"""The import preview: before anything is written, each row says new / which fields change / unchanged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guides.models import GuidePage
from tests.guides.test_import_catalog import counts, csv_bytes, row


def _upload(client, data, **extra):
    return client.post("/admin/guides/import/", {"file": SimpleUploadedFile("catalog.csv", data), **extra})


@pytest.mark.django_db
def test_preview_shows_the_diff_and_writes_nothing(admin_client):
    form = admin_client.get("/admin/guides/import/").content.decode()
    assert 'name="dry_run"' in form and "checked" in form.split('name="dry_run"')[1][:80]  # preview by default
    assert _upload(admin_client, csv_bytes(row(code="PRV-1"), row(code="PRV-2", name="第二个事项"))).status_code == 200
    before = counts()
    data = csv_bytes(
        row(code="PRV-1"), row(code="PRV-2", name="第二个事项", promised="5"), row(code="PRV-3", name="新事项")
    )
    body = _upload(admin_client, data, dry_run="on").content.decode()
    assert counts() == before  # nothing written
    preview = body.split('data-testid="import-preview"')[1]
    assert "预览：导入将做的更改" in preview
    rows = preview.split("<tr")[2:]
    assert "PRV-1" in rows[0] and "不变" in rows[0]
    assert "PRV-2" in rows[1] and "修改：承诺办结时限" in rows[1]
    assert "PRV-3" in rows[2] and "新增" in rows[2]
    assert not GuidePage.objects.filter(item_code="PRV-3").exists()
