"""import_catalog: formats, headers, nested parts, every bad-input case, dry run, idempotency,
revisions, the admin upload form with its permission boundary, and the audit log."""

import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from wagtail.models import GroupPagePermission, PageLogEntry, Revision

from guides.imports import import_catalog
from guides.models import FeeItem, GuideFolderPage, GuidePage

HEADER = "所属中心,实施主体,事项编码,事项名称,事项类型,服务对象,主题,法定办结时限,承诺办结时限,是否收费,收费标准,申请材料,设定依据,办理流程,窗口权限,应进,实进,最近审核日期"
ROW = 'dongcheng,gaj,{code},{name},行政确认,个人,ids,{statutory},{promised},{charges},{fees},{materials},《居民身份证法》|全国人大常委会|第十一条,受理|窗口收件|窗口人员|即时,"accept,review",是,是,2026-10-01'
GOOD_MATERIALS = '"申请人居民身份证|公安机关|1|1\n近期免冠照片|申请人自备|2|0|纸质|必要"'


def row(
    code="IMP-001", name="测试事项", statutory="20", promised="10", charges="否", fees="", materials=GOOD_MATERIALS
):
    return ROW.format(
        code=code, name=name, statutory=statutory, promised=promised, charges=charges, fees=fees, materials=materials
    )


def csv_bytes(*rows, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def counts():
    return (GuidePage.objects.count(), Revision.objects.count(), FeeItem.objects.count())


def run_command(tmp_path, data, name="catalog.csv", *args):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_catalog", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def assert_refused(tmp_path, data, expected, name="catalog.csv"):
    before = counts()
    ok, _out, err = run_command(tmp_path, data, name)
    assert not ok
    for text in expected if isinstance(expected, list) else [expected]:
        assert text in err, err
    assert "未写入任何数据" in err
    assert counts() == before


@pytest.mark.django_db
def test_csv_import_creates_published_page_with_nested_parts(tmp_path):
    ok, out, err = run_command(tmp_path, csv_bytes(row(), row(code="IMP-002", name="另一事项")))
    assert ok, err
    assert "新增 2" in out
    page = GuidePage.objects.get(center__code="dongcheng", item_code="IMP-001")
    assert page.live and not page.has_unpublished_changes
    assert page.url_path.endswith("/dongcheng/gaj/imp-001/")
    assert page.get_parent().specific.department.code == "gaj"
    assert [m.name for m in page.materials.order_by("sort_order")] == ["申请人居民身份证", "近期免冠照片"]
    assert page.materials.order_by("sort_order")[1].originals == 2
    assert page.legal_basis.get().article == "第十一条"
    assert page.steps.get().time_limit == "即时"
    assert page.power_accept and page.power_review and not page.power_approve
    assert [t.slug for t in page.themes.all()] == ["ids"]
    assert page.item_type == "confirmation" and page.audience == "person"
    assert page.live_revision_id == page.latest_revision_id
    assert page.pinyin_initial == "C"
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()


@pytest.mark.django_db
def test_english_headers_xlsx_and_json(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["center", "department", "item_code", "name", "statutory_days", "promised_days", "charges"])
    sheet.append(["dongcheng", "mz", "IMP-X1", "婚姻登记测试", 20, 5, False])
    buffer = io.BytesIO()
    workbook.save(buffer)
    ok, _out, err = run_command(tmp_path, buffer.getvalue(), "c.xlsx")
    assert ok, err
    page = GuidePage.objects.get(item_code="IMP-X1")
    assert (page.statutory_days, page.promised_days) == (20, 5)
    document = {
        "items": [
            {
                "center": "dongcheng",
                "department": "mz",
                "item_code": "IMP-J1",
                "name": "JSON 事项",
                "materials": [{"name": "户口簿", "copies": 1}, {"材料名称": "身份证", "必要性": "容缺"}],
                "window_authority": {"accept": True, "approve": False},
            }
        ]
    }
    ok, _out, err = run_command(tmp_path, json.dumps(document, ensure_ascii=False).encode(), "c.json")
    assert ok, err
    page = GuidePage.objects.get(item_code="IMP-J1")
    assert [(m.name, m.requirement) for m in page.materials.order_by("sort_order")] == [
        ("户口簿", "required"),
        ("身份证", "deferrable"),
    ]
    assert page.power_accept and not page.power_approve


@pytest.mark.django_db
def test_gbk_csv_is_read(tmp_path):
    ok, _out, err = run_command(tmp_path, csv_bytes(row(code="IMP-GBK"), encoding="gbk"))
    assert ok, err
    assert GuidePage.objects.filter(item_code="IMP-GBK", title="测试事项").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (csv_bytes(row(), header=HEADER + ",颜色"), "第 1 行，“颜色”列：未知的列"),
        (csv_bytes(row(statutory="二十")), "第 2 行，“法定办结时限”列：“二十”不是整数"),
        (csv_bytes(row().replace("2026-10-01", "2026-13-01")), "第 2 行，“最近审核日期”列：“2026-13-01”不是有效日期"),
        (
            csv_bytes(row(promised="30")),
            "第 2 行，“承诺办结时限”列：承诺办结时限（30 个工作日）不能超过法定办结时限（20 个工作日）",
        ),
        (csv_bytes(row(charges="是")), "第 2 行，“是否收费”列：事项标记为收费，但没有关联收费项目"),
        (csv_bytes(row(charges="也许")), "第 2 行，“是否收费”列：“也许”不是有效的是/否值"),
        (
            csv_bytes(row(fees="NOPE-1", charges="是")),
            "第 2 行，“收费标准”列：收费项目编码 NOPE-1 在中心 dongcheng 不存在",
        ),
        (
            csv_bytes(row(), row(name="重复")),
            "第 3 行，“事项编码”列：事项编码 IMP-001 在本中心重复：文件第 2 行已有该编码",
        ),
        (csv_bytes(row(materials='"|申请人自备|1|0"')), "第 2 行，“申请材料”列：第 1 项必要材料没有填写材料名称"),
        (
            csv_bytes(row().replace("dongcheng,gaj", "dongcheng,nosuch")),
            "第 2 行，“实施主体”列：部门 nosuch 不属于中心 dongcheng",
        ),
        (csv_bytes(row().replace("dongcheng,gaj", "atlantis,gaj")), "第 2 行，“所属中心”列：中心 atlantis 不存在"),
        (csv_bytes(row().replace(",ids,", ",nosuchtheme,")), "第 2 行，“主题”列：主题“nosuchtheme”不存在"),
        (csv_bytes(row().replace('"accept,review"', "fly")), "第 2 行，“窗口权限”列：“fly”不是窗口权限代码"),
        (csv_bytes(row().replace("行政确认", "行政魔法")), "第 2 行，“事项类型”列：“行政魔法”不是允许的值"),
        (csv_bytes(row(materials='"身份证|公安|一份"')), "第 2 行，“申请材料”列：第 1 项的“原件份数”：“一份”不是整数"),
        (csv_bytes(row(), encoding="utf-16"), "无法识别文件编码：请将文件另存为 UTF-8 或 GBK 编码的 CSV"),
        (b"", "文件是空的"),
        (csv_bytes(), "文件中没有数据行"),
    ],
)
def test_bad_input_is_reported_by_row_and_column_and_nothing_is_written(tmp_path, data, expected):
    assert_refused(tmp_path, data, expected)


@pytest.mark.django_db
def test_fee_without_basis_is_refused(tmp_path):
    document = {
        "fee_items": [
            {
                "center": "dongcheng",
                "department": "gaj",
                "code": "NOBASIS-1",
                "name": "无依据收费",
                "amount": "10",
                "effective_from": "2026-01-01",
            }
        ],
        "items": [
            {
                "center": "dongcheng",
                "department": "gaj",
                "item_code": "IMP-FEE",
                "name": "收费事项",
                "charges": True,
                "fees": ["NOBASIS-1"],
            }
        ],
    }
    assert_refused(
        tmp_path,
        json.dumps(document, ensure_ascii=False).encode(),
        "第 1 行，“fees”列：收费项目“无依据收费”没有收费依据",
        name="c.json",
    )


@pytest.mark.django_db
def test_fee_items_defined_in_json_are_created_and_linked(tmp_path):
    document = {
        "fee_items": [
            {
                "center": "dongcheng",
                "department": "gaj",
                "code": "NEWFEE-1",
                "name": "新收费",
                "amount": "12.50",
                "unit": "件",
                "effective_from": "2026-01-01",
                "basis": [{"title": "某收费文件", "document_number": "价〔2026〕1号"}],
            }
        ],
        "items": [
            {
                "center": "dongcheng",
                "department": "gaj",
                "item_code": "IMP-FEE2",
                "name": "收费事项",
                "charges": True,
                "fees": ["NEWFEE-1"],
            }
        ],
    }
    ok, _out, err = run_command(tmp_path, json.dumps(document, ensure_ascii=False).encode(), "c.json")
    assert ok, err
    page = GuidePage.objects.get(item_code="IMP-FEE2")
    fee = page.fees.get().fee_item
    assert (fee.code, str(fee.amount), fee.basis.get().title) == ("NEWFEE-1", "12.50", "某收费文件")


@pytest.mark.django_db
def test_oversized_file_refused_before_parsing(tmp_path, settings):
    settings.MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.write(csv_bytes(row()))
        handle.truncate(50 * 1024 * 1024)
    before = counts()
    result = import_catalog(path, filename="huge.csv")
    assert [str(p) for p in result.problems] == ["文件过大（50.0 MB），上限为 20.0 MB"]
    assert counts() == before


@pytest.mark.django_db
def test_every_problem_is_listed_not_just_the_first(tmp_path):
    data = csv_bytes(row(statutory="x"), row(code="IMP-009", promised="99"), row(code="IMP-010").replace("ids", "zzz"))
    ok, _out, err = run_command(tmp_path, data)
    assert not ok
    assert "第 2 行" in err and "第 3 行" in err and "第 4 行" in err


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    before = counts()
    logs = PageLogEntry.objects.count()
    ok, out, _err = run_command(tmp_path, csv_bytes(row()), "catalog.csv", "--dry-run")
    assert ok and "试运行" in out and "新增 1" in out
    assert counts() == before and PageLogEntry.objects.count() == logs


@pytest.mark.django_db
def test_import_twice_is_idempotent_and_a_change_makes_one_new_revision(tmp_path):
    data = csv_bytes(row())
    assert run_command(tmp_path, data)[0]
    page = GuidePage.objects.get(item_code="IMP-001", center__code="dongcheng")
    revisions = page.revisions.count()
    ok, out, _err = run_command(tmp_path, data)
    assert ok and "未变 1" in out
    assert page.revisions.count() == revisions
    assert GuidePage.objects.filter(item_code="IMP-001", center__code="dongcheng").count() == 1
    ok, out, _err = run_command(tmp_path, csv_bytes(row(promised="5", name="改名事项")))
    assert ok and "更新 1" in out
    page.refresh_from_db()
    assert page.revisions.count() == revisions + 1
    assert (page.promised_days, page.title, page.live_revision_id) == (5, "改名事项", page.latest_revision_id)
    assert page.live_revision.as_object().promised_days == 5
    # materials kept their rows (updated in place), as an editor editing inline forms would
    assert page.materials.count() == 2


@pytest.mark.django_db
def test_draft_import_keeps_live_content(tmp_path):
    assert run_command(tmp_path, csv_bytes(row()))[0]
    ok, _out, err = run_command(tmp_path, csv_bytes(row(promised="3")), "catalog.csv", "--draft")
    assert ok, err
    page = GuidePage.objects.get(item_code="IMP-001", center__code="dongcheng")
    assert page.promised_days == 10 and page.has_unpublished_changes
    assert page.get_latest_revision_as_object().promised_days == 3
    # importing the same draft again changes nothing
    ok, out, _err = run_command(tmp_path, csv_bytes(row(promised="3")), "catalog.csv", "--draft")
    assert ok and "未变 1" in out


@pytest.mark.django_db
def test_partial_columns_keep_other_values(tmp_path):
    assert run_command(tmp_path, csv_bytes(row()))[0]
    ok, _out, err = run_command(tmp_path, "center,item_code,place\ndongcheng,IMP-001,二楼\n".encode())
    assert ok, err
    page = GuidePage.objects.get(item_code="IMP-001", center__code="dongcheng")
    assert page.place == "二楼" and page.promised_days == 10 and page.materials.count() == 2


@pytest.mark.django_db
def test_audit_log_entry_for_each_import(tmp_path):
    assert run_command(tmp_path, csv_bytes(row()), "mine.csv")[0]
    entry = PageLogEntry.objects.filter(action="gongkai.import").latest("timestamp")
    assert entry.data["filename"] == "mine.csv"
    assert entry.data["created"] == 1 and entry.data["rows"] == 1
    assert "mine.csv" in str(entry.formatter.format_message(entry))


# --- admin upload form ---


def _editor(django_user_model, folder):
    user = django_user_model.objects.create_user("editor_imp", password="x")
    group = Group.objects.create(name="导入测试编辑")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=folder,
            permission=Permission.objects.get(codename=codename, content_type__app_label="wagtailcore"),
        )
    user.groups.add(group)
    return user


def _upload(client, data, name="catalog.csv", **extra):
    return client.post("/admin/guides/import/", {"file": SimpleUploadedFile(name, data), **extra}, format="multipart")


@pytest.mark.django_db
def test_admin_upload_success_and_error_report(admin_client):
    response = admin_client.get("/admin/guides/import/")
    assert response.status_code == 200 and "导入事项" in response.content.decode()
    response = _upload(admin_client, csv_bytes(row(code="ADM-1")))
    assert response.status_code == 200
    assert "导入完成" in response.content.decode()
    assert GuidePage.objects.filter(item_code="ADM-1").exists()
    entry = PageLogEntry.objects.filter(action="gongkai.import").latest("timestamp")
    assert entry.user.is_superuser
    before = counts()
    response = _upload(admin_client, csv_bytes(row(code="ADM-2", promised="99")))
    body = response.content.decode()
    assert response.status_code == 200
    assert "导入失败" in body and "承诺办结时限" in body and "<td>2</td>" in body
    assert counts() == before


@pytest.mark.django_db
def test_admin_upload_refused_for_an_editor_of_another_department(client, django_user_model):
    folder = GuideFolderPage.objects.get(center__code="dongcheng", department__code="mz")
    client.force_login(_editor(django_user_model, folder))
    before = counts()
    response = _upload(client, csv_bytes(row(code="ADM-3")))  # into 公安局 (gaj), not 民政局
    body = response.content.decode()
    assert response.status_code == 200
    assert "您没有在" in body and "添加事项的权限" in body
    assert counts() == before
    # an existing item of another department cannot be updated either
    existing = GuidePage.objects.filter(center__code="dongcheng", department__code="gaj").first()
    data = f"center,item_code,place\ndongcheng,{existing.item_code},别处\n".encode()
    body = _upload(client, data).content.decode()
    assert "您没有编辑" in body
    # but the editor's own department works
    ok_row = row(code="ADM-4").replace("dongcheng,gaj", "dongcheng,mz")
    body = _upload(client, csv_bytes(ok_row)).content.decode()
    assert "导入完成" in body
    assert GuidePage.objects.get(item_code="ADM-4").owner.username == "editor_imp"


@pytest.mark.django_db
def test_conditional_materials_read_with_the_new_and_the_former_label(tmp_path, django_capture_on_commit_callbacks):
    """必要性 “视情形提交” (the label shown since it replaced the bare “情形”); files written with
    the former label still import; exports write the new one."""
    from guides.exports import nested_cell

    materials = (
        '"授权委托书|申请人自备|1|0|纸质|视情形提交\n户口簿|申请人自备|1|0|纸质|情形\n身份证|公安|1|0|纸质|conditional"'
    )
    with django_capture_on_commit_callbacks(execute=True):  # as after a real commit (item presentations)
        ok, _out, err = run_command(tmp_path, csv_bytes(row(code="IMP-C1", materials=materials)))
    assert ok, err
    page = GuidePage.objects.get(item_code="IMP-C1")
    assert [m.requirement for m in page.materials.order_by("sort_order")] == ["conditional"] * 3
    assert page.materials.first().get_requirement_display() == "视情形提交"
    cell = nested_cell("materials", [{"name": "授权委托书", "requirement": "conditional"}])
    assert "视情形提交" in cell and "|情形" not in cell
    assert_refused(
        tmp_path,
        csv_bytes(row(code="IMP-C2", materials='"户口簿|申请人自备|1|0|纸质|看情况"')),
        "“看情况”不是允许的值：必要（required）、容缺（deferrable）、视情形提交（conditional）",
    )
