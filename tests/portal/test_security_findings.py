"""Each finding of the security probe (issue 11), replayed; every test must stay green.

High: a window clerk's catalog import published, cancelled a workflow and moved an item into
another department; raw HTML in 其他说明 redirected visitors; a center's push token rewrote
another center's cases. Medium: a draft bulletin's PDF was public; a gap-dimension XLSX took a
worker to its timeout. Spreadsheet formulas: tests/core/test_spreadsheets.py. Fee items, the
item's center and the low findings: tests/portal/test_security_findings_more.py.
"""

import io
import json
import logging
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from wagtail.models import PageLogEntry, WorkflowState

from guides.models import GuidePage
from portal.models import EditorialRole
from tests.hostile_files import gap_dimension_xlsx, small_xlsx
from tests.portal.editorial_support import editorial_roles, item_in, make_editor  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("editorial_roles")]

IMPORT_URL = "/admin/guides/import/"


@pytest.fixture
def people(db):
    return {
        "window": make_editor("sf_window", EditorialRole.WINDOW, "city", "scjg"),
        "reviewer": make_editor("sf_reviewer", EditorialRole.REVIEWER, "city", "scjg"),
        "admin": make_editor("sf_admin", EditorialRole.CENTER_ADMIN, "city"),
    }


def upload(client, user, text, name="catalog.csv", **extra):
    client.force_login(user)
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data), **extra}).content.decode()


def workflow_state(page):
    return WorkflowState.objects.filter(object_id=str(page.pk)).order_by("-pk").first()


# --- High: catalog import around review ---


def test_window_clerk_import_submits_for_review_instead_of_publishing(client, people):
    page = item_in("city", "scjg", offset=2)
    old_place = page.place
    body = upload(client, people["window"], f"center,item_code,place\ncity,{page.item_code},导入改过的地点\n")
    assert "导入完成" in body and "提交审核" in body, body
    page.refresh_from_db()
    assert page.place == old_place  # the public page did not change
    assert page.has_unpublished_changes
    assert page.get_latest_revision_as_object().place == "导入改过的地点"
    state = workflow_state(page)
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == people["window"]
    assert not PageLogEntry.objects.filter(page=page, action="wagtail.publish", user=people["window"]).exists()
    anonymous = Client().get(page.url)
    assert "导入改过的地点" not in anonymous.content.decode()


def test_window_clerk_new_item_is_a_draft_in_review(client, people):
    body = upload(
        client,
        people["window"],
        "center,department,item_code,name,statutory_days,promised_days\ncity,scjg,SEC-NEW-1,安全测试新事项,20,10\n",
    )
    assert "导入完成" in body, body
    page = GuidePage.objects.get(item_code="SEC-NEW-1")
    assert not page.live
    assert workflow_state(page).status == WorkflowState.STATUS_IN_PROGRESS


def test_import_never_cancels_a_running_workflow(client, people):
    page = item_in("city", "scjg", offset=3)
    upload(client, people["window"], f"center,item_code,place\ncity,{page.item_code},第一次\n")
    state = workflow_state(page)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    for user in (people["window"], people["admin"]):
        body = upload(client, user, f"center,item_code,place\ncity,{page.item_code},第二次\n")
        assert "正在审核流程中" in body, body
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().place == "第一次"


def test_import_cannot_move_an_item_into_a_folder_the_user_cannot_add_to(client, people):
    page = item_in("city", "scjg", offset=4)
    body = upload(client, people["window"], f"center,item_code,department\ncity,{page.item_code},gaj\n")
    assert "您没有把" in body and "移到" in body, body
    page.refresh_from_db()
    assert page.department.code == "scjg"
    assert page.get_parent().specific.department.code == "scjg"


def test_center_admin_import_publishes(client, people):
    page = item_in("city", "scjg", offset=5)
    body = upload(client, people["admin"], f"center,item_code,place\ncity,{page.item_code},中心管理员导入\n")
    assert "导入完成" in body and "提交审核" not in body, body
    page.refresh_from_db()
    assert page.place == "中心管理员导入"


def test_command_line_import_as_a_user_follows_their_rules(tmp_path, people):
    page = item_in("city", "scjg", offset=6)
    path = tmp_path / "items.csv"
    path.write_text(f"center,item_code,place\ncity,{page.item_code},命令行导入\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_catalog", str(path), "--user", "sf_window", stdout=out)
    assert "提交审核" in out.getvalue()
    page.refresh_from_db()
    assert page.place != "命令行导入" and workflow_state(page).status == WorkflowState.STATUS_IN_PROGRESS
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("import_catalog", str(path), "--user", "nobody-here")


# --- High: raw HTML from imports and rich-text fields ---

HOSTILE_NOTES = (
    "<p>请携带原件</p><meta http-equiv=refresh content='0;url=https://evil.example/'>"
    '<a href="https://evil.example/pay">点此缴费</a><script>alert(1)</script>'
    '<img src=x onerror=alert(1)><iframe src="https://evil.example/"></iframe>'
)


def test_imported_notes_are_never_raw_html(client, people):
    page = item_in("city", "scjg", offset=7)
    csv = "center,item_code,notes\n" + f'city,{page.item_code},"{HOSTILE_NOTES.replace(chr(34), chr(34) * 2)}"\n'
    body = upload(client, people["admin"], csv)
    assert "导入完成" in body, body
    page.refresh_from_db()
    assert "请携带原件" in page.notes
    for banned in ("<meta", "http-equiv", "evil.example", "<script", "<img", "onerror", "<iframe"):
        assert banned not in page.notes
    html = Client().get(page.url).content.decode()
    assert "http-equiv=refresh" not in html.lower() and "evil.example" not in html
    # plain text is escaped, one paragraph per line
    from portal.richtext import import_rich_text

    assert import_rich_text("a < b\n第二行") == "<p>a &lt; b</p><p>第二行</p>"


def test_rich_text_fields_are_whitelisted_on_save():
    from portal.models import StandardPage
    from portal.richtext import clean_rich_text

    page = StandardPage(title="x", slug="x", body=HOSTILE_NOTES + '<p data-block-key="k1"><b>ok</b></p>')
    page.body = clean_rich_text(page.body)
    assert "<meta" not in page.body and "<script" not in page.body and "alert" not in page.body
    assert '<a href="https://evil.example/pay">' in page.body  # an editor's external link (Draftail allows it)
    assert '<p data-block-key="k1"><b>ok</b></p>' in page.body
    assert clean_rich_text('<a href="javascript:alert(1)">x</a>') == "<a>x</a>"
    assert clean_rich_text(page.body) == page.body  # idempotent


def test_pdf_fetcher_reads_only_site_files(caplog):
    from disclosures import pdf

    fetch = pdf.url_fetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:9200/", "https://evil.example/x.png", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetch(url)
    with pytest.raises(ValueError):
        fetch(pdf.SITE_ORIGIN + "/static/../../../etc/passwd")
    assert fetch(pdf.SITE_ORIGIN + "/static/css/site.css").read()
    # a hostile narrative rendered as it is (even unsanitised) reads nothing outside the site
    from disclosures.bulletins import build_bulletin

    page, _revision = build_bulletin("2026-01", "city", publish=False)
    context_html = '<img src="file:///etc/passwd"><link rel="stylesheet" href="file:///etc/hostname">'
    from django.utils.safestring import mark_safe

    from disclosures.bulletins import page_presentation

    context = page_presentation(page)
    context["narrative"] = mark_safe(context_html)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = pdf.render_pdf(context)
    assert data.startswith(b"%PDF")
    assert "PDF resource refused" in caplog.text


# --- High: push tokens confined to their center ---


def _push(token, cases, **params):
    query = "?dry_run=1" if params.get("dry_run") else ""
    return Client().post(
        "/api/cases/" + query,
        data=json.dumps({"cases": cases}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def tokens(db):
    from disclosures.models import CenterApiToken
    from portal.models import ServiceCenter

    city, dongcheng = ServiceCenter.objects.get(code="city"), ServiceCenter.objects.get(code="dongcheng")
    return {
        "city": CenterApiToken.issue(city, name="市")[1],
        "dongcheng": CenterApiToken.issue(dongcheng, name="东")[1],
    }


def _case(center, item, case_no="SEC-CASE-1", **changes):
    return {
        "case_no": case_no,
        "center": center,
        "item_code": item.item_code,
        "channel": "window",
        "received_at": "2026-03-09T09:00:00+08:00",
        "completed_at": "2026-03-09T10:00:00+08:00",
        "status": "completed",
        **changes,
    }


def test_a_token_cannot_take_over_or_change_another_centers_case(tokens):
    from disclosures.models import Case

    city_item, dc_item = item_in("city", "scjg"), GuidePage.objects.live().filter(center__code="dongcheng").first()
    assert _push(tokens["city"], [_case("city", city_item)]).json()["created"] == 1
    # update: 东城区's token pushing the city's case number under its own center
    response = _push(tokens["dongcheng"], [_case("dongcheng", dc_item)])
    assert response.status_code == 400 and "已属于其他中心" in response.content.decode()
    assert _push(tokens["dongcheng"], [_case("dongcheng", dc_item)], dry_run=True).status_code == 400
    # create or change a case under the other center's code
    response = _push(tokens["dongcheng"], [_case("city", city_item, status="received", completed_at=None)])
    assert response.status_code == 400
    case = Case.objects.get(case_no="SEC-CASE-1")
    assert case.center.code == "city" and case.status == "completed"
    # read and delete: the push endpoint has no such method for anyone
    for method in ("get", "delete", "put", "patch"):
        response = getattr(Client(), method)("/api/cases/", HTTP_AUTHORIZATION=f"Bearer {tokens['dongcheng']}")
        assert response.status_code == 405 and "SEC-CASE-1" not in response.content.decode()
    # the owner still updates its own case
    assert _push(tokens["city"], [_case("city", city_item, satisfaction="good")]).json()["updated"] == 1


# --- Medium: drafts stay private ---


def test_a_draft_bulletins_pdf_is_not_public_until_published():
    from disclosures.bulletins import build_bulletin

    page, _revision = build_bulletin("2025-02", "dongcheng", publish=False)
    draft = page.get_latest_revision_as_object()
    document = draft.pdf
    assert document is not None and document.file.name
    anonymous = Client()
    assert anonymous.get("/media/" + document.file.name).status_code == 404
    assert anonymous.get(document.url).status_code == 404
    assert anonymous.get("/media/../portal/settings.py").status_code == 404
    page, _revision = build_bulletin("2025-02", "dongcheng", publish=True)
    page.refresh_from_db()
    response = anonymous.get("/media/" + page.pdf.file.name)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert anonymous.get(page.pdf.url).status_code == 200


def test_documents_of_a_private_collection_are_not_public():
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    root = Collection.get_first_root_node()
    private = root.add_child(name="内部资料")
    CollectionViewRestriction.objects.create(collection=private, restriction_type="login")
    document = get_document_model()(title="内部", collection=private)
    document.file.save("internal.txt", ContentFile(b"internal"), save=True)
    anonymous = Client()
    assert anonymous.get("/media/" + document.file.name).status_code == 404
    assert anonymous.get(document.url).status_code in (302, 404)  # Wagtail asks for a login
    assert anonymous.get("/media/").status_code == 404


# --- Medium: bounded uploads ---


@pytest.mark.timeout(60)
def test_gap_dimension_xlsx_is_refused_quickly(client, people):
    data = gap_dimension_xlsx()
    assert len(data) < 10_000
    started = time.monotonic()
    body = upload(client, people["admin"], data, name="gap.xlsx")
    assert "行数超过上限" in body or "列数超过上限" in body, body
    assert time.monotonic() - started < 20


@pytest.mark.timeout(60)
def test_400k_row_files_are_refused_with_a_clear_message(client, people, tmp_path):
    rows = "".join(f"city,R{n},x\n" for n in range(400_000))
    data = ("center,item_code,name\n" + rows).encode()
    body = upload(client, people["admin"], data, name="big.csv")
    assert "行数超过上限" in body and "20000" in body.replace(",", ""), body
    path = tmp_path / "org.csv"
    path.write_text("kind,code,name,parent\n" + "".join(f"center,c{n},中心{n},\n" for n in range(400_000)))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stderr=err)
    assert "行数超过上限" in err.getvalue()


def test_an_xlsx_that_inflates_too_much_is_refused_before_parsing(settings, client, people):
    settings.IMPORT_MAX_XLSX_BYTES = 1024
    body = upload(client, people["admin"], small_xlsx(), name="small.xlsx")
    assert "解压后过大" in body, body


def test_reverse_urls_used_here_exist():
    assert reverse("guides_catalog_import") == IMPORT_URL
