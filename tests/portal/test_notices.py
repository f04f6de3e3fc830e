"""Notices (通知公告): listing with category filter, pinned first, pagination; Atom feed; home panel;
the admin form's messages for a missing title and a bad attachment; audit log."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import PageLogEntry

from portal.models import EditorialRole, NoticeAttachment, NoticeIndexPage, NoticePage
from tests.portal.editorial_support import editorial_roles, make_editor, page_form_data  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_notice(center_code="city", **fields):
    index = NoticeIndexPage.objects.get(center__code=center_code)
    notice = NoticePage(**{"category": "notice", **fields})
    index.add_child(instance=notice)
    notice.save_revision().publish()
    return notice


def test_listing_pinned_first_filter_and_pagination(client):
    NoticePage.objects.update(pinned=False)
    old_pinned = add_notice(
        title="置顶的旧通知", slug="t-pinned", pinned=True, date=timezone.localdate() - timedelta(days=400)
    )
    newest = add_notice(title="最新公示", slug="t-new", category="publicity", date=timezone.localdate())
    response = client.get("/notices/")
    assert response.status_code == 200
    notices = list(response.context["notices"])
    assert notices[0].pk == old_pinned.pk
    assert notices[1].pk == newest.pk

    response = client.get("/notices/", {"category": "publicity"})
    assert {n.category for n in response.context["notices"]} == {"publicity"}
    assert "最新公示" in response.content.decode()
    assert "置顶的旧通知" not in response.content.decode()

    response = client.get("/notices/", {"category": "<script>"})  # unknown: ignored, not an error
    assert response.status_code == 200

    with override_settings(NOTICES_PER_PAGE=2):
        total = NoticePage.objects.live().count()
        response = client.get("/notices/", {"page": "2"})
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.num_pages == (total + 1) // 2
        assert client.get("/notices/", {"page": "999"}).status_code == 200
        assert client.get("/notices/", {"page": "abc"}).status_code == 200


def test_center_index_shows_only_its_notices(client):
    add_notice("dongcheng", title="东城区专属通知", slug="t-dc")
    assert "东城区专属通知" not in client.get("/notices/city/").content.decode()
    assert "东城区专属通知" in client.get("/notices/dongcheng/").content.decode()
    assert "东城区专属通知" in client.get("/notices/").content.decode()


def test_expired_notice_is_hidden_even_before_the_scheduler_runs(client):
    notice = add_notice(title="即将过期的公告", slug="t-exp")
    NoticePage.objects.filter(pk=notice.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    assert "即将过期的公告" not in client.get("/notices/").content.decode()
    assert "即将过期的公告" not in client.get("/feeds/notices/").content.decode()


def test_notice_page_has_attachments_related_items_and_no_inline_script(client):
    from guides.models import GuidePage

    Document = get_document_model()
    document = Document(title="公示明细")
    document.file.save("detail.pdf", ContentFile(PDF), save=False)
    document.save()
    item = GuidePage.objects.live().first()
    notice = NoticePage(title="带附件的公示", slug="t-att", category="publicity", body="<p>正文</p>")
    notice.attachments = [NoticeAttachment(document=document, title="明细表")]
    from portal.models import NoticeRelatedItem

    notice.related_items = [NoticeRelatedItem(item=item)]
    NoticeIndexPage.objects.get(center__code="city").add_child(instance=notice)
    notice.save_revision().publish()
    response = client.get(notice.url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "明细表" in body and document.url in body
    assert item.title in body
    assert "公示" in body and "临江市政务服务中心" in body
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or "application/ld+json" in tag, tag
    assert "style=" not in body
    assert "Content-Security-Policy" in response.headers


def test_atom_feed(client):
    add_notice(title="订阅测试通知", slug="t-feed", summary="摘要文字")
    response = client.get("/feeds/notices/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [entry.find("a:title", ns).text for entry in root.findall("a:entry", ns)]
    assert "【通知】订阅测试通知" in titles
    assert root.find("a:title", ns).text == "通知公告"


def test_home_page_panel_lists_latest_notices(client):
    add_notice(title="首页应显示的最新通知", slug="t-home", date=timezone.localdate() + timedelta(days=1))
    body = client.get("/").content.decode()
    assert "最新通知公告" in body
    assert "首页应显示的最新通知" in body


def test_notice_without_title_gets_a_clear_message_and_nothing_is_saved(client):
    admin = make_editor("n_admin", EditorialRole.CENTER_ADMIN, "city")
    client.force_login(admin)
    index = NoticeIndexPage.objects.get(center__code="city")
    before = NoticePage.objects.count()
    url = reverse("wagtailadmin_pages:add", args=["portal", "noticepage", index.pk])
    response = client.get(url)
    assert response.status_code == 200
    from tests.portal.editorial_support import _form_data

    data = _form_data(response.context["form"], {})
    data.update({"title": "", "slug": "no-title", "action-publish": "1"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "请填写通知公告的标题" in response.content.decode()
    assert NoticePage.objects.count() == before


def test_notice_with_a_forbidden_attachment_is_refused_with_a_message(client):
    admin = make_editor("n_admin2", EditorialRole.CENTER_ADMIN, "city")
    notice = add_notice(title="待改附件的通知", slug="t-badatt")
    Document = get_document_model()
    # A document that slipped in without the upload checks (e.g. created by a script).
    bad = Document(title="伪装的文件")
    bad.file.save("fake.pdf", ContentFile(b"MZ\x90\x00not a pdf"), save=False)
    bad.save()
    client.force_login(admin)
    data = page_form_data(notice, admin)
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "0",
            "attachments-0-document": str(bad.pk),
            "attachments-0-title": "",
            "attachments-0-ORDER": "1",
            "attachments-0-id": "",
            "action-publish": "1",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[notice.pk]), data)
    assert response.status_code == 200
    assert "不是有效的 PDF 文件" in response.content.decode()
    assert not NoticePage.objects.get(pk=notice.pk).attachments.exists()


def test_notice_publication_and_changes_are_in_the_audit_log(client):
    admin = make_editor("n_admin3", EditorialRole.CENTER_ADMIN, "city")
    notice = add_notice(title="审计测试通知", slug="t-audit")
    client.force_login(admin)
    data = page_form_data(notice, admin, title="审计测试通知（更正）")
    data["action-publish"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[notice.pk]), data)
    assert response.status_code == 302
    entries = PageLogEntry.objects.filter(page=notice, user=admin).values_list("action", flat=True)
    assert "wagtail.publish" in entries
    response = client.post(reverse("wagtailadmin_pages:delete", args=[notice.pk]))
    assert PageLogEntry.objects.filter(page_id=notice.pk, action="wagtail.delete", user=admin).exists()
