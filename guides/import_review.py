"""The page editor's rules, applied to every catalog import (admin upload and command line).

An import may change the public site only as the importing editor could in the page editor:

- rows for existing items need edit permission on the item; new items need permission to add
  pages in the department's folder; an item whose department changes is moved only when the
  editor may move it into that folder (Wagtail's `can_move_to`);
- an item in a running moderation workflow is refused (its reviewers are reviewing a specific
  revision; the import never cancels or changes it): the editor waits for the review to end or
  withdraws it first;
- an editor who may not publish an item (window staff) gets a new draft revision and the
  item's workflow started (提交审核), exactly as 提交审核 in the editor does; the public page
  changes only when the last reviewer approves;
- the command line without `--user` is the site operator (server access, no page permissions
  to check); with `--user NAME` it runs under that editor's rules.
"""

from django.utils.translation import gettext as _

from .models import GuideFolderPage, GuideIndexPage


def _target_folder(folders, index, center, department):
    return folders.get((center.pk, department.pk)) or folders.get((center.pk, None)) or index


def check_permissions(user, planned, label, problems):
    """Add a problem for each row the user may not write (see module docstring)."""
    if user is None or user.is_superuser:
        return
    index = GuideIndexPage.objects.first()
    folders = {(f.center_id, f.department_id): f for f in GuideFolderPage.objects.all()}
    can_add = {}
    for item in planned:
        target = _target_folder(folders, index, item.center, item.department)
        if item.page is not None:
            tester = item.page.permissions_for_user(user)
            if not tester.can_edit():
                problems.add(item.row, label("department"), _("您没有编辑“%(name)s”的权限") % {"name": item.page.title})
            elif item.changed and item.page.department_id != item.department.pk and not tester.can_move_to(target):
                problems.add(
                    item.row,
                    label("department"),
                    _("您没有把“%(name)s”移到“%(center)s / %(department)s”的权限")
                    % {"name": item.page.title, "center": item.center.name, "department": item.department.name},
                )
            continue
        key = (item.center.pk, item.department.pk)
        if key not in can_add:
            can_add[key] = bool(target and target.permissions_for_user(user).can_add_subpage())
        if not can_add[key]:
            problems.add(
                item.row,
                label("department"),
                _("您没有在“%(center)s / %(department)s”下添加事项的权限")
                % {"center": item.center.name, "department": item.department.name},
            )


def check_workflows(planned, in_workflow, label, problems):
    """Refuse changes to items whose moderation workflow is in progress."""
    for item in planned:
        if item.page is not None and item.changed and item.page.pk in in_workflow:
            problems.add(
                item.row,
                label("item_code"),
                _("“%(name)s”正在审核流程中：请等审核结束或撤回提交后再导入") % {"name": item.page.title},
            )


def split_by_publish_right(user, planned):
    """(items the user may publish, items that must go through review)."""
    if user is None or user.is_superuser:
        return list(planned), []
    index = GuideIndexPage.objects.first()
    folders = {(f.center_id, f.department_id): f for f in GuideFolderPage.objects.all()}
    may, review = [], []
    for item in planned:
        if item.page is not None:
            allowed = item.page.permissions_for_user(user).can_publish()
        else:
            target = _target_folder(folders, index, item.center, item.department)
            allowed = bool(target and target.permissions_for_user(user).can_publish_subpage())
        (may if allowed else review).append(item)
    return may, review


def submit_for_review(page_ids, user):
    """Start each page's workflow on its latest revision (as 提交审核 does); returns how many
    were submitted (a page whose folder has no workflow stays a draft)."""
    from .models import GuidePage

    submitted = 0
    for page in GuidePage.objects.filter(pk__in=list(page_ids)).order_by("pk"):
        workflow = page.get_workflow()
        if workflow is None or page.workflow_in_progress:
            continue
        workflow.start(page, user)
        submitted += 1
    return submitted
