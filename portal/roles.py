"""Editorial roles per center and department, built on Wagtail's own permissions and workflows.

`setup_roles()` (run by `manage.py setup_roles` and by seed_demo) creates, idempotently:

- for every department: 窗口人员 (add/edit/lock items of the department, no publishing) and
  部门审核 (reviews the department's items in the workflow) groups, with page permissions on
  the department's catalog folder (/guides/<center>/<department>/);
- for every center: 中心管理员 (publishes the center's items and notices) with page permissions
  on the center's catalog folder and notice index (/notices/<center>/), and a document/image
  collection for the center;
- one 系统管理员 group with every permission;
- workflows: items go through 部门审核 then 中心审批 (assigned to each department folder);
  notices through 中心审批 (assigned to each center's notice index).

`scope_for(user)` says which centers and departments a user works for; dashboards, digests and
the fee-item checks use it.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import Department, EditorialRole, HomePage, NoticeIndexPage, ServiceCenter

ROLE_LABELS = dict(EditorialRole.ROLE_CHOICES)
ROLE_SUFFIX = {
    EditorialRole.WINDOW: "窗口人员",
    EditorialRole.REVIEWER: "部门审核",
    EditorialRole.CENTER_ADMIN: "中心管理员",
    EditorialRole.SYSADMIN: "系统管理员",
}

# Page permissions (Wagtail codenames) per role, on the department folder or the center's pages.
DEPARTMENT_PAGE_PERMS = {
    EditorialRole.WINDOW: ["add_page", "change_page", "lock_page"],
    EditorialRole.REVIEWER: ["change_page", "lock_page"],
}
CENTER_PAGE_PERMS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
REVIEWER_NOTICE_PERMS = ["add_page", "change_page"]
WINDOW_NOTICE_PERMS = ["add_page"]  # draft notices and edit their own drafts; the center admin publishes
ALL_PAGE_PERMS = ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]

# Model permissions per role ("app_label.codename"); fee items are further limited per department.
COMMON_PERMS = ["wagtailadmin.access_admin"]
MODEL_PERMS = {
    EditorialRole.WINDOW: ["guides.add_feeitem", "guides.change_feeitem", "guides.view_feeitem"],
    EditorialRole.REVIEWER: ["guides.add_feeitem", "guides.change_feeitem", "guides.view_feeitem"],
    EditorialRole.CENTER_ADMIN: [
        "guides.add_feeitem",
        "guides.change_feeitem",
        "guides.delete_feeitem",
        "guides.publish_feeitem",
        "guides.view_feeitem",
    ],
}
FEE_WORKFLOW = "收费项目审核"  # fee items (snippets): every center's admins approve (scope: wagtail_hooks)
COLLECTION_PERMS = {
    EditorialRole.WINDOW: ["wagtaildocs.add_document", "wagtaildocs.choose_document", "wagtailimages.choose_image"],
    EditorialRole.REVIEWER: ["wagtaildocs.add_document", "wagtaildocs.choose_document", "wagtailimages.choose_image"],
    EditorialRole.CENTER_ADMIN: [
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.delete_document",
        "wagtaildocs.choose_document",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
    ],
}


def group_name(role, center=None, department=None):
    parts = [center.name] if center is not None else []
    if department is not None:
        parts.append(department.name)
    parts.append(ROLE_SUFFIX[role])
    return " · ".join(parts)


_PERMISSIONS = {}  # "app_label.codename" -> Permission, loaded once per setup_roles() run


def _load_permissions():
    _PERMISSIONS.clear()
    for permission in Permission.objects.select_related("content_type"):
        _PERMISSIONS.setdefault(f"{permission.content_type.app_label}.{permission.codename}", permission)


def _permissions(names):
    if not _PERMISSIONS:
        _load_permissions()
    # An app that is not installed contributes nothing.
    return [_PERMISSIONS[name] for name in names if name in _PERMISSIONS]


def _page_permissions(codenames):
    return _permissions([f"wagtailcore.{codename}" for codename in codenames])


def _role_group(role, center=None, department=None):
    record = EditorialRole.objects.filter(role=role, center=center, department=department).select_related("group")
    record = record.first()
    name = group_name(role, center, department)
    if record is None:
        group, _ = Group.objects.get_or_create(name=name)
        EditorialRole.objects.create(group=group, role=role, center=center, department=department)
        return group
    group = record.group
    if group.name != name:  # the center or department was renamed
        group.name = name
        group.save(update_fields=["name"])
    return group


def _grant_pages(group, page, codenames):
    for permission in _page_permissions(codenames):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def _grant_collection(group, collection, names):
    for permission in _permissions(names):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)


def _center_collection(center):
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    existing = root.get_children().filter(name=center.name).first()
    return existing or root.add_child(name=center.name)


def _guide_folders(center, departments):
    """The center's catalog folder and its department folders, created when missing."""
    from guides.models import GuideFolderPage, GuideIndexPage

    index = GuideIndexPage.objects.first()
    if index is None:
        return None, {}
    center_folder = GuideFolderPage.objects.filter(center=center, department__isnull=True).first()
    if center_folder is None:
        center_folder = index.add_child(
            instance=GuideFolderPage(title=center.name, slug=center.code, center=center, department=None)
        )
    folders = {f.department_id: f for f in GuideFolderPage.objects.filter(center=center, department__in=departments)}
    for department in departments:
        if department.pk not in folders:
            folders[department.pk] = center_folder.add_child(
                instance=GuideFolderPage(
                    title=department.name, slug=department.code, center=center, department=department
                )
            )
    return center_folder, folders


def notice_index(create=True):
    """The site-wide notice index (/notices/), created under the home page when missing."""
    index = NoticeIndexPage.objects.filter(center__isnull=True).first()
    if index is None and create:
        home = HomePage.objects.first()
        if home is None:
            return None
        index = home.add_child(
            instance=NoticeIndexPage(
                title="通知公告", slug="notices", intro="本中心及各县区中心发布的通知、公告、公示和政策解读。"
            )
        )
    return index


def center_notice_index(center, create=True):
    index = NoticeIndexPage.objects.filter(center=center).first()
    if index is None and create:
        parent = notice_index()
        if parent is None:
            return None
        index = parent.add_child(instance=NoticeIndexPage(title=center.name, slug=center.code, center=center))
    return index


def _task(name, group):
    task = GroupApprovalTask.objects.filter(name=name).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=name)
    if list(task.groups.all()) != [group]:
        task.groups.set([group])
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
    return task


def _workflow(name, tasks, pages):
    workflow = Workflow.objects.filter(name=name).first() or Workflow.objects.create(name=name, active=True)
    current = list(
        WorkflowTask.objects.filter(workflow=workflow).order_by("sort_order").values_list("task_id", flat=True)
    )
    if current != [task.pk for task in tasks]:
        WorkflowTask.objects.filter(workflow=workflow).delete()
        for order, task in enumerate(tasks):
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    for page in pages:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def center_task_name(center):
    return f"{center.name} · 中心审批"


def department_task_name(department):
    return f"{department.center.name} · {department.name} · 部门审核"


@transaction.atomic
def setup_roles(center_codes=None):
    """Create or update every role group, permission and workflow. Returns a summary dict."""
    centers = ServiceCenter.objects.order_by("sort_order", "code")
    if center_codes:
        centers = centers.filter(code__in=center_codes)
    summary = {"centers": 0, "departments": 0, "groups": 0, "workflows": 0}
    _load_permissions()
    sysadmin = _setup_sysadmin()
    summary["groups"] += 1
    access = _permissions(COMMON_PERMS)
    bulletin_index = _bulletin_index()
    for center in centers:
        departments = list(Department.objects.filter(center=center).select_related("center").order_by("code"))
        center_folder, folders = _guide_folders(center, departments)
        notices = center_notice_index(center)
        collection = _center_collection(center)

        admin_group = _role_group(EditorialRole.CENTER_ADMIN, center)
        admin_group.permissions.add(*access, *_permissions(MODEL_PERMS[EditorialRole.CENTER_ADMIN]))
        for page in (center_folder, notices):
            if page is not None:
                _grant_pages(admin_group, page, CENTER_PAGE_PERMS)
        if bulletin_index is not None and center.parent_id is None:
            # Bulletins share one archive, so only the top-level center's admins publish them.
            _grant_pages(admin_group, bulletin_index, CENTER_PAGE_PERMS)
        _grant_collection(admin_group, collection, COLLECTION_PERMS[EditorialRole.CENTER_ADMIN])
        center_task = _task(center_task_name(center), admin_group)
        if notices is not None:
            _workflow(f"{center.name} · 通知公告审核", [center_task], [notices])
            summary["workflows"] += 1
        summary["groups"] += 1

        for department in departments:
            groups = {}
            for role in (EditorialRole.WINDOW, EditorialRole.REVIEWER):
                group = groups[role] = _role_group(role, center, department)
                group.permissions.add(*access, *_permissions(MODEL_PERMS[role]))
                folder = folders.get(department.pk)
                if folder is not None:
                    _grant_pages(group, folder, DEPARTMENT_PAGE_PERMS[role])
                _grant_collection(group, collection, COLLECTION_PERMS[role])
                summary["groups"] += 1
            if notices is not None:
                _grant_pages(groups[EditorialRole.REVIEWER], notices, REVIEWER_NOTICE_PERMS)
                _grant_pages(groups[EditorialRole.WINDOW], notices, WINDOW_NOTICE_PERMS)
            review_task = _task(department_task_name(department), groups[EditorialRole.REVIEWER])
            folder = folders.get(department.pk)
            _workflow(
                f"{center.name} · {department.name} · 事项审核",
                [review_task, center_task],
                [folder] if folder is not None else [],
            )
            summary["workflows"] += 1
            summary["departments"] += 1
        summary["centers"] += 1
    sysadmin.permissions.add(*access)
    summary["workflows"] += _fee_workflow()
    return summary


def _fee_workflow():
    """Fee items follow review like items: one workflow for the FeeItem snippet whose task the
    center admins approve; guides/fee_admin.py keeps each admin to their own center's."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import WorkflowContentType

    try:
        from guides.models import FeeApprovalTask, FeeItem
    except ImportError:
        return 0
    groups = [
        role.group for role in EditorialRole.objects.filter(role=EditorialRole.CENTER_ADMIN).select_related("group")
    ]
    task = FeeApprovalTask.objects.filter(name="收费项目 · 中心审批").first()
    if task is None:
        task = FeeApprovalTask.objects.create(name="收费项目 · 中心审批")
    task.groups.set(groups)
    workflow = _workflow(FEE_WORKFLOW, [task], [])
    WorkflowContentType.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(FeeItem), defaults={"workflow": workflow}
    )
    return 1


def _bulletin_index():
    try:
        from disclosures.models import BulletinIndexPage
    except ImportError:
        return None
    return BulletinIndexPage.objects.first()


def _setup_sysadmin():
    group = _role_group(EditorialRole.SYSADMIN)
    group.permissions.set(Permission.objects.all())
    root = Page.get_first_root_node()
    if root is not None:
        _grant_pages(group, root, ALL_PAGE_PERMS)
    collection = Collection.get_first_root_node()
    if collection is not None:
        collection_perms = Permission.objects.filter(
            content_type__app_label__in=["wagtaildocs", "wagtailimages"],
            codename__regex=r"^(add|change|delete|choose)_(document|image)$",
        )
        for permission in collection_perms:
            GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    return group


@dataclass(frozen=True)
class EditorialScope:
    """The centers and departments a user works for."""

    everything: bool = False
    center_ids: frozenset = field(default_factory=frozenset)  # as center admin
    department_ids: frozenset = field(default_factory=frozenset)  # as window staff or reviewer
    reviewer_department_ids: frozenset = field(default_factory=frozenset)

    @property
    def empty(self):
        return not (self.everything or self.center_ids or self.department_ids)

    def item_q(self, department_field="department", center_field="center"):
        """A filter for rows (items, fee items) inside this scope."""
        if self.everything:
            return Q()
        return Q(**{f"{department_field}_id__in": self.department_ids}) | Q(
            **{f"{center_field}_id__in": self.center_ids}
        )

    def covers_department(self, department):
        if self.everything:
            return True
        if department is None:
            return False
        return department.pk in self.department_ids or department.center_id in self.center_ids


def scope_for(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EditorialScope()
    cached = getattr(user, "_editorial_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = EditorialScope(everything=True)
    else:
        roles = list(EditorialRole.objects.filter(group__user=user).values_list("role", "center_id", "department_id"))
        scope = EditorialScope(
            everything=any(role == EditorialRole.SYSADMIN for role, _c, _d in roles),
            center_ids=frozenset(c for role, c, _d in roles if role == EditorialRole.CENTER_ADMIN and c),
            department_ids=frozenset(
                d for role, _c, d in roles if role in (EditorialRole.WINDOW, EditorialRole.REVIEWER) and d
            ),
            reviewer_department_ids=frozenset(d for role, _c, d in roles if role == EditorialRole.REVIEWER and d),
        )
    user._editorial_scope = scope
    return scope


def role_group(role, center=None, department=None):
    """The group of a role (None when setup_roles has not created it)."""
    record = EditorialRole.objects.filter(role=role, center=center, department=department).select_related("group")
    record = record.first()
    return record.group if record else None
