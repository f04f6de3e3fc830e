"""Editorial journeys in Chromium: window staff edit and submit, the department reviewer approves, the
center admin approves and the item is published with its change-history entry; a window clerk
publishes a notice titled only in Chinese through review without touching its slug; every step
says where the page stands; no admin page on the way shows English UI text; an editor of one
department is refused another department's item."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.english_scan import english_strings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "E2e-editorial-pw-7"


@pytest.fixture
def editorial_site(demo_site):
    """A flushed database: the organisation, the catalog folders, two items, roles and three editors."""
    from django.contrib.auth import get_user_model

    from guides.models import GuideFolderPage, GuideIndexPage, GuidePage, GuideStep, LegalBasis, Material
    from portal.models import Department, EditorialRole, ServiceCenter
    from portal.roles import role_group, setup_roles

    home = demo_site
    if not GuideIndexPage.objects.exists():
        home.add_child(instance=GuideIndexPage(title="办事指南", slug="guides"))
    setup_roles(["city"])
    city = ServiceCenter.objects.get(code="city")
    items = {}
    for code, name, item_code in (
        ("scjg", "食品经营许可（e2e）", "SCJG-E2E-01"),
        ("gaj", "居民身份证换领（e2e）", "GAJ-E2E-01"),
    ):
        department = Department.objects.get(center=city, code=code)
        folder = GuideFolderPage.objects.get(center=city, department=department)
        item = GuidePage(
            title=name,
            slug=item_code.lower(),
            item_code=item_code,
            center=city,
            department=department,
            statutory_days=20,
            promised_days=10,
            power_accept=True,
            acceptance_conditions="申请人符合法定条件。",
        )
        item.steps = [GuideStep(name="受理", description="窗口受理", sort_order=0)]
        item.legal_basis = [LegalBasis(title="中华人民共和国行政许可法", sort_order=0)]
        item.materials = [Material(name="申请书", sort_order=0)]
        folder.add_child(instance=item)
        item.save_revision().publish()
        items[code] = item
    User = get_user_model()
    users = {}
    for username, role, department_code in (
        ("e2e_window", EditorialRole.WINDOW, "scjg"),
        ("e2e_reviewer", EditorialRole.REVIEWER, "scjg"),
        ("e2e_admin", EditorialRole.CENTER_ADMIN, None),
    ):
        department = Department.objects.get(center=city, code=department_code) if department_code else None
        user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
        user.groups.add(role_group(role, city, department))
        users[username] = user
    return items, users


def sign_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    return context, page


def click_hidden(page, selector):
    """Footer actions sit in a dropdown; click the real button as the dropdown would.

    Wagtail's admin JavaScript must have started first: a workflow button only names its action
    (approve, reject) through it, and without it the click is a plain save.
    """
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(selector, state="attached")
    with page.expect_navigation():
        page.eval_on_selector(selector, "button => button.click()")
    page.wait_for_load_state()
    assert_chinese(page)
    # A refused action comes back as the edit form with its messages: say which, not just "not approved".
    errors = page.locator(".messages .error, .w-field__errors, .error-message").all_inner_texts()
    if errors:
        screenshot(page, "editor-refused-action")
    assert not [text for text in errors if text.strip()], f"{selector} was refused: {errors}"


def assert_chinese(page):
    """The admin page as it is now has no English interface text (zh-hans)."""
    page.wait_for_load_state("networkidle")
    found = english_strings(page)
    assert found == [], f"English UI text on {page.url}: {found}"


def message(page):
    return " ".join(page.locator(".messages").all_inner_texts())


def test_edit_submit_review_approve_publish(live_server, browser, editorial_site):
    from wagtail.models import WorkflowState

    from guides.models import GuidePage

    items, _users = editorial_site
    item = items["scjg"]
    edit_path = f"/admin/pages/{item.pk}/edit/"

    # Window staff: change the promised days and submit for review.
    context, page = sign_in(browser, live_server, "e2e_window")
    page.goto(live_server.url + edit_path)
    assert_chinese(page)
    page.fill("#id_promised_days", "7")
    click_hidden(page, "button[name='action-submit']")
    assert "已提交审核，进入部门审核（第 1 步，共 2 步）" in message(page)
    context.close()
    state = WorkflowState.objects.get(object_id=str(item.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.current_task_state.task.name.endswith("部门审核")
    assert GuidePage.objects.get(pk=item.pk).promised_days == 10

    # Department reviewer approves.
    context, page = sign_in(browser, live_server, "e2e_reviewer")
    page.goto(live_server.url + "/admin/")
    assert item.title in page.content()  # on the dashboard: awaiting review
    assert_chinese(page)
    page.goto(live_server.url + edit_path)
    assert_chinese(page)
    click_hidden(page, "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    assert "已批准，进入中心审批（第 2 步，共 2 步）" in message(page)
    context.close()
    state.refresh_from_db()
    assert state.current_task_state.task.name.endswith("中心审批")

    # Center admin approves: the item is published.
    context, page = sign_in(browser, live_server, "e2e_admin")
    page.goto(live_server.url + edit_path)
    # Editing here would restart review: the center admin is told before, and offered 修改并批准.
    assert "审核将从第 1 步重新开始" in message(page)
    assert page.locator("button[name='action-edit-approve']").count() == 1
    assert_chinese(page)
    screenshot(page, "editor-last-step-warning")
    click_hidden(page, "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    assert "已批准，已发布" in message(page)
    context.close()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert GuidePage.objects.get(pk=item.pk).promised_days == 7

    # The public page shows the new time limit and the change in its history.
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + GuidePage.objects.get(pk=item.pk).url)
    history = page.locator("#change-history")
    assert "7 个工作日" in page.content()
    assert "承诺办结时限" in history.inner_text()
    assert "10 → 7" in history.inner_text()
    screenshot(page, "editor")  # the editor journey's last page
    context.close()


def test_window_clerk_publishes_a_chinese_notice_through_review(live_server, browser, editorial_site):
    """A notice titled only in Chinese: the slug fills itself in (pinyin), nobody touches it."""
    from portal.models import NoticeIndexPage, NoticePage

    index = NoticeIndexPage.objects.get(center__code="city")
    title = "关于调整春节期间窗口办公时间的通知"
    context, page = sign_in(browser, live_server, "e2e_window")
    page.goto(live_server.url + f"/admin/pages/add/portal/noticepage/{index.pk}/")
    assert_chinese(page)
    page.locator("#id_title").press_sequentially(title, delay=10)
    page.wait_for_function("document.getElementById('id_slug').value.startsWith('guan-yu')")
    assert (
        page.eval_on_selector("#id_slug", "e => e.value")
        == "guan-yu-tiao-zheng-chun-jie-qi-jian-chuang-kou-ban-gong-shi"  # trimmed at a syllable, 60 at most
    )
    screenshot(page, "editor-notice-slug")
    click_hidden(page, "button[name='action-submit']")
    assert "已提交审核，进入中心审批（第 1 步，共 1 步）" in message(page)
    context.close()
    notice = NoticePage.objects.get(title=title)
    assert notice.slug.startswith("guan-yu-tiao-zheng") and not notice.live

    context, page = sign_in(browser, live_server, "e2e_admin")
    page.goto(live_server.url + "/admin/")
    assert title in page.content()  # waiting for the center admin
    assert_chinese(page)
    page.goto(live_server.url + f"/admin/pages/{notice.pk}/edit/")
    assert_chinese(page)
    click_hidden(page, "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    assert "已批准，已发布" in message(page)
    screenshot(page, "editor-notice-published")
    context.close()
    notice.refresh_from_db()
    assert notice.live
    public = browser.new_context(locale="zh-CN").new_page()
    response = public.goto(live_server.url + notice.url)
    assert response.status == 200 and title in public.content()
    public.context.close()


def test_validation_errors_name_the_tab_and_field(live_server, browser, editorial_site):
    from portal.models import NoticeIndexPage, NoticePage

    index = NoticeIndexPage.objects.get(center__code="city")
    index.add_child(instance=NoticePage(title="已有的通知", slug="yi-you-de-tong-zhi"))
    context, page = sign_in(browser, live_server, "e2e_window")
    page.goto(live_server.url + f"/admin/pages/add/portal/noticepage/{index.pk}/")
    page.fill("#id_title", "已有的通知")
    page.evaluate("document.getElementById('id_slug').value = 'yi-you-de-tong-zhi'")
    page.wait_for_load_state("networkidle")
    page.evaluate("document.getElementById('id_slug').value = 'yi-you-de-tong-zhi'")
    page.wait_for_selector("button[name='action-submit']", state="attached")
    with page.expect_navigation():
        page.eval_on_selector("button[name='action-submit']", "button => button.click()")
    text = message(page)
    assert "页面未能创建" in text
    assert "请修改：「推荐」标签页的「缩略名」" in text, text
    assert_chinese(page)
    screenshot(page, "editor-validation-summary")
    context.close()


def test_bulk_submit_for_review_in_the_browser(live_server, browser, editorial_site):
    """Several items at once through Wagtail's bulk actions; another department's is refused."""
    from wagtail.models import WorkflowState

    items, _users = editorial_site
    mine, theirs = items["scjg"], items["gaj"]
    context, page = sign_in(browser, live_server, "e2e_window")
    page.goto(
        live_server.url
        + f"/admin/bulk/wagtailcore/page/gongkai_submit_for_review/?id={mine.pk}&id={theirs.pk}&next=/admin/"
    )
    assert_chinese(page)
    assert "您无权提交以下页面" in page.content()
    screenshot(page, "editor-bulk-submit")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "已提交审核 1 个事项" in message(page)
    context.close()
    assert WorkflowState.objects.filter(object_id=str(mine.pk), status=WorkflowState.STATUS_IN_PROGRESS).exists()
    assert not WorkflowState.objects.filter(object_id=str(theirs.pk)).exists()


def test_editor_of_one_department_is_refused_another_departments_item(live_server, browser, editorial_site):
    items, _users = editorial_site
    other = items["gaj"]
    context, page = sign_in(browser, live_server, "e2e_window")
    page.goto(live_server.url + f"/admin/pages/{other.pk}/edit/")
    assert f"/admin/pages/{other.pk}/edit/" not in page.url or page.locator("#id_promised_days").count() == 0
    assert page.locator("#id_promised_days").count() == 0
    body = page.content()
    assert "权限" in body  # Wagtail's Chinese "no permission" message
    screenshot(page, "editorial-refused-other-department")
    # Their own explorer does not list the other department's item.
    page.goto(live_server.url + "/admin/pages/")
    assert other.title not in page.content()
    context.close()
