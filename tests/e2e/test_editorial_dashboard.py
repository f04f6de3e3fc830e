"""Editorial work from the dashboard and admin reports in Chromium (issue 17):

- approvals and rejections from the dashboard's *等待我审核* panel (Wagtail's workflow-action
  buttons and pop-up) say what happened and where the page is, as the editor does;
- the dashboard's images (avatars) come from the site itself and load;
- saved filters on the item report: save, open, delete;
and no admin page on the way shows English interface text. Screenshots at 1366 px."""

import pytest

from tests.e2e import test_editorial
from tests.e2e.conftest import screenshot
from tests.e2e.test_editorial import assert_chinese, message, sign_in

editorial_site = test_editorial.editorial_site  # the editorial journeys' fixture: roles, editors, two items

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}

# Every <img> on the page: its URL and whether it loaded (an avatar from a blocked or missing
# service shows as a broken image: complete but naturalWidth 0).
IMAGES = """() => Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0}))"""


def submit(item, username):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    item.get_workflow().start(item, user)


def dashboard_button(page, title, label=None, modal=True):
    """An action button in the row of `title` in Wagtail's awaiting-review panel, its dropdown
    opened: the pop-up one named `label`, or (modal=False) the plain “批准”."""
    row = page.locator("tr", has_text=title).filter(has=page.locator("[data-workflow-action-url]")).first
    row.locator("[aria-label='操作'], button[aria-haspopup], .w-dropdown__toggle").first.click()
    if not modal:
        return row.locator("button[data-workflow-action-url]:not([data-launch-modal])").first
    return row.locator("button[data-workflow-action-url][data-launch-modal]", has_text=label).first


def assert_local_images(page, live_server):
    images = page.evaluate(IMAGES)
    assert images, "the dashboard shows the user's avatar"
    for image in images:
        assert image["src"].startswith(live_server.url) or image["src"].startswith("data:"), image
        assert image["loaded"], image


def test_dashboard_approvals_and_rejections_say_where_the_page_is(live_server, browser, editorial_site):
    from wagtail.models import WorkflowState

    from guides.models import GuidePage

    items, _users = editorial_site
    item = items["scjg"]
    submit(item, "e2e_window")

    # The department reviewer approves from the dashboard (a plain POST, no pop-up).
    context, page = sign_in(browser, live_server, "e2e_reviewer")
    page.set_viewport_size(WIDE)
    page.goto(live_server.url + "/admin/")
    page.wait_for_load_state("networkidle")
    assert_chinese(page)
    assert_local_images(page, live_server)
    button = dashboard_button(page, item.title, modal=False)
    assert button.inner_text().strip() == "批准"
    with page.expect_navigation():
        button.click()
    assert page.url.rstrip("/").endswith("/admin")
    assert f"“{item.title}”：已批准，进入中心审批（第 2 步，共 2 步）" in message(page)
    assert_chinese(page)
    screenshot(page, "dashboard-approved")
    context.close()

    # The center admin approves with a comment in the pop-up: the item is published.
    context, page = sign_in(browser, live_server, "e2e_admin")
    page.set_viewport_size(WIDE)
    page.goto(live_server.url + "/admin/")
    page.wait_for_load_state("networkidle")
    dashboard_button(page, item.title, "带评论批准").click()
    dialog = page.locator(".modal-dialog, [role=dialog]").filter(has=page.locator("textarea")).first
    dialog.locator("textarea").fill("同意发布。")
    assert_chinese(page)
    screenshot(page, "dashboard-approve-with-comment")
    with page.expect_navigation():
        dialog.locator("button[type=submit], input[type=submit]").first.click()
    assert f"“{item.title}”：已批准，已发布。" in message(page)
    assert_chinese(page)
    screenshot(page, "dashboard-published")
    context.close()
    state = WorkflowState.objects.filter(object_id=str(item.pk)).order_by("-pk").first()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert GuidePage.objects.get(pk=item.pk).live

    # Sent again; the reviewer asks for changes in the pop-up.
    submit(GuidePage.objects.get(pk=item.pk), "e2e_window")
    context, page = sign_in(browser, live_server, "e2e_reviewer")
    page.set_viewport_size(WIDE)
    page.goto(live_server.url + "/admin/")
    page.wait_for_load_state("networkidle")
    dashboard_button(page, item.title, "请求修改").click()
    dialog = page.locator(".modal-dialog, [role=dialog]").filter(has=page.locator("textarea")).first
    dialog.locator("textarea").fill("请补充受理条件。")
    with page.expect_navigation():
        dialog.locator("button[type=submit], input[type=submit]").first.click()
    said = message(page)
    assert f"“{item.title}”：已退回修改" in said and "原在部门审核（第 1 步，共 2 步）" in said, said
    assert_chinese(page)
    screenshot(page, "dashboard-rejected")
    context.close()
    state = WorkflowState.objects.filter(object_id=str(item.pk)).order_by("-pk").first()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_saved_filters_on_the_item_report(live_server, browser, editorial_site):
    from portal.models import SavedReportFilter

    items, _users = editorial_site
    context, page = sign_in(browser, live_server, "e2e_window")
    page.set_viewport_size(WIDE)
    page.goto(live_server.url + "/admin/reports/guide-completeness/")
    assert_chinese(page)
    assert "还没有保存的筛选" in page.inner_text(".saved-filters")
    # Another department's item is not in the report, whatever the filters say.
    assert items["gaj"].title not in page.content() and items["scjg"].title in page.content()
    # The report's filters (Wagtail's filter drawer) put themselves in the URL, as here.
    page.goto(live_server.url + "/admin/reports/guide-completeness/?missing=fee_basis")
    page.fill("#saved-filter-name", "缺收费依据")
    with page.expect_navigation():
        page.locator(".saved-filters__save button[type=submit]").click()
    assert "已保存筛选“缺收费依据”" in message(page)
    assert_chinese(page)
    screenshot(page, "report-saved-filter")
    # From the unfiltered report, the saved filter's link brings the filters back.
    page.goto(live_server.url + "/admin/reports/guide-completeness/")
    with page.expect_navigation():
        page.locator(".saved-filters a", has_text="缺收费依据").click()
    assert "missing=fee_basis" in page.url
    assert page.eval_on_selector("#id_missing", "e => e.value") == "fee_basis"
    assert page.locator(".saved-filters a[aria-current=true]").inner_text() == "缺收费依据"
    with page.expect_navigation():
        page.locator(".saved-filters__delete button").click()
    assert "已删除筛选“缺收费依据”" in message(page)
    assert not SavedReportFilter.objects.exists()
    context.close()
