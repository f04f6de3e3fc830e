"""The admin's preview panel frames the preview: its answer allows framing by the site itself,
while public pages keep refusing any framing."""

import pytest

from tests.portal.editorial_support import page_form_data

pytestmark = pytest.mark.django_db


def test_preview_may_be_framed_by_the_admin_only(admin_client, admin_user):
    from guides.models import GuidePage

    item = GuidePage.objects.live().order_by("pk").first()
    url = f"/admin/pages/{item.pk}/edit/preview/"
    posted = admin_client.post(url, page_form_data(item, admin_user, title=item.title + "（预览）"))
    assert posted.status_code == 200 and posted.json()["is_valid"]
    preview = admin_client.get(url)
    assert preview.status_code == 200 and "（预览）" in preview.content.decode()
    policy = preview["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    public = admin_client.get(item.url)
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"]
    assert public["X-Frame-Options"] == "DENY"
