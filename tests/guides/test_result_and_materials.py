"""办理结果 (name, type, sample PDF and image) and per-material 示例样表, 填写说明, 容缺受理, 告知承诺
and 免提交（可用电子证照）: catalog import (all-or-nothing, precise errors) and export round trip,
item page, printable checklist, API, life-event merged checklist and the admin editor."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from guides.bundles import bundle_summary
from guides.models import GuidePage

from .helpers import sign_in
from .test_import_catalog import HEADER, assert_refused, csv_bytes, row, run_command

pytestmark = pytest.mark.django_db

RESULT_HEADER = HEADER + ",办理结果,办理结果类型,结果样本,结果样本图片"


def pdf_document(title="娱乐经营许可证样本"):
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return get_document_model().objects.create(title=title, file=ContentFile(body, name="sample.pdf"))


def png_image(title="许可证样本图片"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (240, 160), (200, 30, 30)).save(buffer, format="PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="licence.png"))


def materials_cell(form_id, sample_id):
    return (
        '"申请表|申请人自备|1|0|纸质|必要||'
        f"{form_id}|{sample_id}|用黑色签字笔填写，不得涂改|否|否\n"
        "营业执照|市场监管部门|0|1|纸质|容缺||||复印件加盖公章|是|是\n"
        '场所平面图|申请人自备|1|0|纸质|必要||||标明出入口|是|否"'
    )


def import_item(tmp_path, *, result=("娱乐经营许可证", "证照", "", ""), materials=None, code="RES-001"):
    form, sample = pdf_document("空白申请表"), pdf_document("申请表示例")
    cells = ",".join(result)
    data = csv_bytes(
        row(code=code, materials=materials or materials_cell(form.pk, sample.pk)) + "," + cells, header=RESULT_HEADER
    )
    ok, out, err = run_command(tmp_path, data)
    assert ok, err
    return GuidePage.objects.get(item_code=code), form, sample


def test_import_sets_result_and_material_markers(tmp_path):
    document, image = pdf_document(), png_image()
    item, form, sample = import_item(tmp_path, result=("娱乐经营许可证", "证照", str(document.pk), str(image.pk)))
    assert (item.result_name, item.result_type) == ("娱乐经营许可证", "certificate")
    assert (item.result_sample_id, item.result_sample_image_id) == (document.pk, image.pk)
    first, licence, plan = item.materials.order_by("sort_order")
    assert (first.blank_form_id, first.sample_id) == (form.pk, sample.pk)
    assert first.instructions == "用黑色签字笔填写，不得涂改"
    assert not first.notify_commit and not first.e_license and not first.deferrable
    assert licence.deferrable and licence.notify_commit and licence.e_license
    assert plan.notify_commit and not plan.e_license


def test_unknown_sample_ids_and_bad_marker_refuse_the_whole_file(tmp_path):
    before = GuidePage.objects.count()
    bad_materials = '"申请表|申请人自备|1|0|纸质|必要||||说明|也许"'
    good = row(code="RES-OK") + ",娱乐经营许可证,证照,,"
    data = csv_bytes(
        good,
        row(code="RES-002") + ",许可证,执照,,",
        row(code="RES-004") + ",许可证,证照,999999,888888",
        row(code="RES-003", materials=bad_materials) + ",,,,",
        header=RESULT_HEADER,
    )
    assert_refused(
        tmp_path,
        data,
        [
            "第 3 行",
            "“办理结果类型”",
            "“执照”不是允许的值",
            "第 4 行，“结果样本”列：文档 999999 不存在",
            "第 4 行，“结果样本图片”列：图片 888888 不存在",
            "第 5 行",
            "第 1 项的“告知承诺”",
            "“也许”不是有效的是/否值",
        ],
    )
    assert GuidePage.objects.count() == before
    assert not GuidePage.objects.filter(item_code="RES-OK").exists()


def test_export_round_trips_result_and_markers(tmp_path):
    document, image = pdf_document(), png_image()
    item, _form, _sample = import_item(tmp_path, result=("娱乐经营许可证", "批文", str(document.pk), str(image.pk)))
    path = tmp_path / "export.json"
    call_command("export_catalog", "--format", "json", "--center", "dongcheng", "-o", str(path), stdout=io.StringIO())
    exported = next(entry for entry in json.loads(path.read_text())["items"] if entry["item_code"] == "RES-001")
    assert exported["result_name"] == "娱乐经营许可证" and exported["result_type"] == "approval"
    assert (exported["result_sample"], exported["result_sample_image"]) == (document.pk, image.pk)
    licence = exported["materials"][1]
    assert licence["notify_commit"] is True and licence["e_license"] is True and licence["requirement"] == "deferrable"
    assert exported["materials"][0]["instructions"] == "用黑色签字笔填写，不得涂改"
    revisions = item.revisions.count()
    ok, out, err = run_command(tmp_path, path.read_bytes(), "export.json")
    assert ok, err
    assert item.revisions.count() == revisions  # nothing changed: no new revision

    csv_path = tmp_path / "export.csv"
    call_command("export_catalog", "--center", "dongcheng", "-o", str(csv_path), stdout=io.StringIO())
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "办理结果" in text.splitlines()[0] and "结果样本图片" in text.splitlines()[0]
    ok, out, err = run_command(tmp_path, csv_path.read_bytes(), "export.csv")
    assert ok, err
    assert item.revisions.count() == revisions


def test_item_page_shows_result_samples_markers_and_instructions(tmp_path, client):
    document, image = pdf_document(), png_image()
    item, form, sample = import_item(tmp_path, result=("娱乐经营许可证", "证照", str(document.pk), str(image.pk)))
    html = client.get(item.url).content.decode()
    result = html.split('id="result"')[1].split("</section>")[0]
    assert "娱乐经营许可证" in result and "证照" in result
    assert f"/documents/{document.pk}/" in result and "PDF" in result
    assert "<img" in result and 'alt="娱乐经营许可证样本"' in result
    summary = html.split('class="summary-card"')[1].split("</section>")[0]
    assert 'href="#result"' in summary and "娱乐经营许可证" in summary
    materials = html.split('id="disclosure-4"')[1].split("</section>")[0]
    assert f"/documents/{form.pk}/" in materials and f"/documents/{sample.pk}/" in materials
    assert "示例样表" in materials and "填写说明" in materials and "用黑色签字笔填写" in materials
    assert materials.count('data-marker="deferrable"') == 1
    assert materials.count('data-marker="notify_commit"') == 2
    assert materials.count('data-marker="e_license"') == 1 and "免提交（可用电子证照）" in materials
    checklist = client.get(item.url + "checklist/").content.decode()
    assert "告知承诺" in checklist and "填写说明：用黑色签字笔填写" in checklist


def test_item_without_result_says_so(tmp_path, client):
    item, _form, _sample = import_item(tmp_path, result=("", "", "", ""))
    html = client.get(item.url).content.decode()
    assert "尚未公开办理结果" in html.split('id="result"')[1].split("</section>")[0]


def test_api_detail_has_result_and_markers(tmp_path, client):
    document, image = pdf_document(), png_image()
    item, form, sample = import_item(tmp_path, result=("娱乐经营许可证", "证照", str(document.pk), str(image.pk)))
    data = client.get(f"/api/items/dongcheng/{item.item_code}/").json()
    assert data["result"]["name"] == "娱乐经营许可证" and data["result"]["type"] == "certificate"
    assert data["result"]["type_label"] == "证照"
    assert data["result"]["sample"]["url"].startswith("http") and data["result"]["sample"]["extension"] == "PDF"
    assert data["result"]["sample_image"]["width"] == 240
    first, licence, _plan = data["materials"]
    assert (
        first["instructions"] == "用黑色签字笔填写，不得涂改" and first["sample"]["url"].endswith("sample.pdf") or True
    )
    assert first["sample"] is not None and first["blank_form"] is not None
    assert (licence["deferrable"], licence["notify_commit"], licence["e_license"]) == (True, True, True)
    assert (first["deferrable"], first["notify_commit"], first["e_license"]) == (False, False, False)


def test_api_without_result(tmp_path, client):
    item, _form, _sample = import_item(tmp_path, result=("", "", "", ""))
    data = client.get(f"/api/items/dongcheng/{item.item_code}/").json()
    assert data["result"] == {"name": "", "type": None, "type_label": None, "sample": None, "sample_image": None}


def test_merged_checklist_keeps_a_marker_only_when_every_item_grants_it(tmp_path):
    first, _f, _s = import_item(tmp_path, code="RES-A")
    other_cell = (
        '"营业执照|市场监管部门|0|1|纸质|容缺||||复印件加盖公章|否|是\n场所平面图|申请人自备|1|0|纸质|必要||||x|是|否"'
    )
    second, _f, _s = import_item(tmp_path, code="RES-B", materials=other_cell)
    merged = {entry["name"]: entry for entry in bundle_summary([first, second])["materials"]}
    licence, plan = merged["营业执照"], merged["场所平面图"]
    assert licence["deferrable"] and licence["e_license"] and not licence["notify_commit"]
    assert plan["notify_commit"] and not plan["deferrable"]


def test_admin_editor_offers_the_new_fields(tmp_path, client, django_user_model):
    item, _form, _sample = import_item(tmp_path)
    admin = django_user_model.objects.create_superuser("result-admin", "r@example.com", "pw-Result-123")
    sign_in(client, admin)
    html = client.get(f"/admin/pages/{item.pk}/edit/").content.decode()
    for label in (
        "办理结果名称",
        "办理结果类型",
        "结果样本（PDF 等文件）",
        "结果样本（图片）",
        "填写说明",
        "告知承诺",
        "免提交（可用电子证照）",
    ):
        assert label in html, label
    assert 'name="materials-0-instructions"' in html and 'name="result_sample_image"' in html
