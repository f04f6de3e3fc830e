"""The catalog import in the admin, in Chromium: upload a file, see what it would do (new / changed
fields / unchanged) before anything is written, confirm by uploading again without the preview,
see it applied; a bad file gets a precise Chinese message by row and column and writes nothing."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.english_scan import english_strings
from tests.guides.test_import_catalog import counts, csv_bytes, row

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "E2e-import-pw-3"
WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def import_site(demo_site):
    from django.contrib.auth import get_user_model

    from guides.imports import import_catalog
    from guides.models import GuideIndexPage, Theme

    Theme.objects.get_or_create(slug="ids", defaults={"name": "证件办理", "audience": "person"})  # the rows' theme
    if not GuideIndexPage.objects.exists():
        demo_site.add_child(instance=GuideIndexPage(title="办事指南", slug="guides"))
    # Two items already in the catalog.
    existing = csv_bytes(row(code="E2E-IMP-1"), row(code="E2E-IMP-2", name="第二个事项"))
    result = import_catalog(__import__("io").BytesIO(existing), filename="catalog.csv")
    assert not result.problems, result.problems
    get_user_model().objects.create_superuser("e2e_importer", "importer@example.org", PASSWORD)


def assert_chinese(page):
    """No English interface text; the center code in the file (dongcheng) is data."""
    page.wait_for_load_state("networkidle")
    assert english_strings(page, allowed=["dongcheng", "nowhere"]) == []


def upload(page, tmp_path, name, data, preview):
    path = tmp_path / name
    path.write_bytes(data)
    page.set_input_files("#id_file", str(path))
    if page.is_checked("#id_dry_run") != preview:
        page.click("#id_dry_run")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_import_preview_then_apply_and_a_bad_file(live_server, browser, import_site, tmp_path):
    from guides.models import GuidePage

    context = browser.new_context(locale="zh-CN", viewport=WIDE)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "e2e_importer")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    page.goto(live_server.url + "/admin/guides/import/")
    assert_chinese(page)
    assert page.is_checked("#id_dry_run")  # preview first, by default

    data = csv_bytes(
        row(code="E2E-IMP-1"),
        row(code="E2E-IMP-2", name="第二个事项", promised="5"),
        row(code="E2E-IMP-3", name="新增的事项"),
    )
    before = counts()
    upload(page, tmp_path, "catalog.csv", data, preview=True)
    preview = page.locator("[data-testid=import-preview]")
    assert "预览：导入将做的更改" in preview.inner_text()
    rows = {
        cells[2]: cells[4] for cells in (r.locator("td").all_inner_texts() for r in preview.locator("tbody tr").all())
    }
    assert rows == {"E2E-IMP-1": "不变", "E2E-IMP-2": "修改：承诺办结时限", "E2E-IMP-3": "新增"}, rows
    assert "检查通过（试运行，未写入）" in page.inner_text("main")
    assert counts() == before and not GuidePage.objects.filter(item_code="E2E-IMP-3").exists()
    assert_chinese(page)
    screenshot(page, "import-preview")

    # Confirmed: the same file without the preview is written.
    upload(page, tmp_path, "catalog.csv", data, preview=False)
    assert "导入完成" in page.inner_text("main")
    assert "本次导入的更改" in page.inner_text("[data-testid=import-preview]")
    assert GuidePage.objects.get(item_code="E2E-IMP-2").promised_days == 5
    assert GuidePage.objects.filter(item_code="E2E-IMP-3").exists()
    assert_chinese(page)
    screenshot(page, "import-applied")

    # A bad file: a promised time longer than the statutory one, and an unknown center.
    before = counts()
    bad = csv_bytes(row(code="E2E-IMP-4", promised="30"), row(code="E2E-IMP-5").replace("dongcheng", "nowhere", 1))
    upload(page, tmp_path, "bad.csv", bad, preview=False)
    report = page.inner_text(".catalog-import-report")
    assert "导入失败：发现 2 个问题，未写入任何数据" in report, report
    problems = page.locator(".catalog-import-report tbody tr").all()
    assert [p.locator("td").first.inner_text() for p in problems] == ["2", "3"]
    assert counts() == before
    assert not GuidePage.objects.filter(item_code__in=["E2E-IMP-4", "E2E-IMP-5"]).exists()
    assert_chinese(page)
    screenshot(page, "import-refused")
    context.close()
