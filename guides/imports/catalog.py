"""Import a catalog of service items from CSV, XLSX or JSON (format: docs/catalog-format.md).

All or nothing: every row is read and checked first (format, references, the publishing rules
of guides/validation.py, duplicates, permissions); when anything is wrong, the problems are
returned as (row, column, reason in Chinese) and nothing is written. Otherwise items are created
or updated by (center, item_code) in one transaction, each change as a new Wagtail revision
(published unless `draft`), through the bulk writer in guides/bulk.py. An item whose content
is unchanged gets no new revision, so importing the same file twice changes nothing.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import COMMENTS_RELATION_NAME, Page

from core.dbstats import analyze
from core.registries import bulk_write
from core.tabular import (
    Problems,
    TabularError,
    read_table,
    text_problem,
)
from portal import codes
from portal.models import HomePage
from portal.site_required import missing_site_message

from .. import bulk, import_review
from ..catalog_format import (
    ALIASES,
    CHINESE,
    DEFAULTS,
    MEDIA_ID_FIELDS,
    REQUIRED_COLUMNS,
    page_record,
)
from ..choices import POWER_CODES, power_field
from ..handling_rules import RULE_CODES, rule_field
from ..models import GuideFee, GuideFolderPage, GuideIndexPage, GuidePage, GuideStep, LegalBasis, Material
from ..tree import ensure_index_pages
from ..validation import children_errors, scalar_errors
from .fees import fee_definitions_in_lookups, fee_scope, read_fee_items, save_fee_items
from .lookups import ANALYZE_AFTER_ROWS, CHILD_MODELS, IMPORT_LOG_ACTION, ImportResult, Lookups, Planned
from .rows import read_row


def _existing_pages(keys):
    """Existing pages for (center id, item_code) keys, with everything a record needs."""
    pages = {}
    by_center = {}
    for center_id, code in keys:
        by_center.setdefault(center_id, []).append(code)
    for center_id, item_codes in by_center.items():
        keys = sorted({codes.item_key(code) for code in item_codes})
        for start in range(0, len(keys), 900):
            queryset = (
                GuidePage.objects.annotate(code_key=Upper("item_code"))
                .filter(center_id=center_id, code_key__in=keys[start : start + 900])
                .select_related("center", "department", "locked_by")
                .prefetch_related(
                    "steps",
                    "legal_basis",
                    "materials",
                    "themes",
                    COMMENTS_RELATION_NAME,
                    Prefetch("fees", queryset=GuideFee.objects.select_related("fee_item")),
                )
            )
            for page in queryset:
                pages[(page.center_id, codes.item_key(page.item_code))] = page
    return pages


def current_record(page):
    """The item's latest content: its draft when it has unpublished changes, else the live row."""
    if page.has_unpublished_changes and page.latest_revision_id:
        draft = page.get_latest_revision_as_object()
        return page_record(draft)
    return page_record(page)


def apply_record(page, record, lookups, center, department):
    """Set a page's fields and (in memory) its children from a record."""
    page.title = record["name"]
    page.item_code = record["item_code"]
    page.center = center
    page.department = department
    for name in (
        "short_name",
        "everyday_terms",
        "item_type",
        "audience",
        "acceptance_conditions",
        "handling_type",
        "visits_required",
        "online_url",
        "statutory_days",
        "promised_days",
        "charges",
        "should_enter",
        "entered",
        "place",
        "hours",
        "consult_phone",
        "complaint_phone",
        "notes",
        "last_reviewed",
        "result_name",
        "result_type",
    ):
        setattr(page, name, record[name])
    page.result_sample_id = record["result_sample"]
    page.result_sample_image_id = record["result_sample_image"]
    if hasattr(page, "featured"):
        page.featured = record["featured"]
    page.search_description = record["keywords"]
    for code in POWER_CODES:
        setattr(page, power_field(code), code in record["window_authority"])
    for code in RULE_CODES:
        setattr(page, rule_field(code), code in record["handling_rules"])
    page.themes = [lookups.themes[slug] for slug in record["themes"]]
    page.steps = [GuideStep(sort_order=i, **entry) for i, entry in enumerate(record["steps"])]
    page.legal_basis = [LegalBasis(sort_order=i, **entry) for i, entry in enumerate(record["legal_basis"])]
    page.materials = [
        Material(
            sort_order=i,
            blank_form_id=entry["blank_form"],
            sample_id=entry["sample"],
            **{k: v for k, v in entry.items() if k not in ("blank_form", "sample")},
        )
        for i, entry in enumerate(record["materials"])
    ]
    page.fees = [
        GuideFee(sort_order=i, fee_item=lookups.fees[(center.pk, code)]) for i, code in enumerate(record["fees"])
    ]
    return page


def _validate_record(row, record, center, lookups, label, problems):
    errors = scalar_errors(
        center_id=None,  # duplicates are checked across the file and by (center, item_code) matching
        item_code=record["item_code"],
        statutory_days=record["statutory_days"],
        promised_days=record["promised_days"],
    )
    fees = []
    for code in record["fees"]:
        fee = lookups.fees.get((center.pk, code))
        if fee is None:
            problems.add(
                row,
                label("fees"),
                _("收费项目编码 %(code)s 在中心 %(center)s 不存在") % {"code": code, "center": center.code},
            )
        else:
            fees.append(fee)
    if not [code for code in record["fees"] if (center.pk, code) not in lookups.fees]:
        for key, messages in children_errors(
            charges=record["charges"], fee_items=fees, materials=record["materials"]
        ).items():
            errors.setdefault(key, []).extend(messages)
    for key, messages in errors.items():
        column = {"charges": "charges"}.get(key, key)
        for message in messages:
            problems.add(row, label(column), message)
    for position, material in enumerate(record["materials"], start=1):
        for key in ("blank_form", "sample"):
            if material[key] is not None and not lookups.document_exists(material[key]):
                problems.add(
                    row,
                    label("materials"),
                    _("第 %(n)s 项材料的文档 %(id)s 不存在") % {"n": position, "id": material[key]},
                )
    for name, kind in MEDIA_ID_FIELDS.items():
        pk = record[name]
        exists = lookups.document_exists if kind == "document" else lookups.image_exists
        if pk is not None and not exists(pk):
            message = (
                _("文档 %(id)s 不存在（请先在“文档”中上传）")
                if kind == "document"
                else _("图片 %(id)s 不存在（请先在“图片”中上传）")
            )
            problems.add(row, label(name), message % {"id": pk})


def plan(table, lookups, problems):
    """Check every row; returns the planned items (nothing written)."""

    def label(name):
        return table.labels.get(name) or CHINESE.get(name, name)

    rows, seen = [], {}
    for row, values in table.rows:
        count = len(problems)
        unstorable = [(name, reason) for name, value in values.items() if (reason := text_problem(value))]
        for name, reason in unstorable:
            problems.add(row, label(name), reason)
        if unstorable:
            continue
        partial = read_row(values, row, label, problems, lookups)
        center = lookups.centers.get(partial.get("center", ""))
        if center is None:
            reason = (
                _("中心 %(code)s 不存在") % {"code": partial.get("center")} if partial.get("center") else _("不能为空")
            )
            problems.add(row, label("center"), reason)
            continue
        code = partial.get("item_code", "")
        if not code:
            problems.add(row, label("item_code"), _("不能为空"))
            continue
        error = codes.item_code_error(code)
        if error:
            problems.add(row, label("item_code"), error)
            continue
        key = (center.pk, codes.item_key(code))  # SCJG-001 and scjg-001 are one item
        if key in seen:
            problems.add(
                row,
                label("item_code"),
                _("事项编码 %(code)s 在本中心重复：文件第 %(other)s 行已有该编码") % {"code": code, "other": seen[key]},
            )
            continue
        seen[key] = row
        rows.append((row, partial, center, count == len(problems)))
    existing = _existing_pages([(center.pk, partial["item_code"]) for _row, partial, center, _ok in rows])
    planned = []
    for row, partial, center, clean in rows:
        page = existing.get((center.pk, codes.item_key(partial["item_code"])))
        if page is not None:  # the item keeps the code as first imported, whatever case the file uses
            partial = {**partial, "item_code": page.item_code}
        base = current_record(page) if page is not None else {**DEFAULTS, "center": center.code}
        record = {**base, **partial}
        department_text = record.get("department") or ""
        department = lookups.departments.get(
            (center.pk, codes.org_code(department_text))
        ) or lookups.department_names.get((center.pk, department_text))
        if department is None:
            reason = (
                _("部门 %(code)s 不属于中心 %(center)s") % {"code": department_text, "center": center.code}
                if department_text
                else _("新事项必须填写实施主体（部门编码）")
            )
            problems.add(row, label("department"), reason)
            continue
        record["department"] = department.code
        if not record["name"]:
            problems.add(row, label("name"), _("事项名称不能为空"))
            continue
        if not clean:
            continue
        _validate_record(row, record, center, lookups, label, problems)
        if page is not None and page.locked:
            problems.add(row, label("item_code"), _("该事项已被锁定（正在编辑），请解锁后再导入"))
        changed = page is None or record != base
        changed_fields = [key for key in record if page is not None and record.get(key) != base.get(key)]
        planned.append(
            Planned(
                row=row,
                record=record,
                center=center,
                department=department,
                page=page,
                changed=changed,
                changed_fields=changed_fields,
            )
        )
    return planned


# --- the import ---


def _preview_row(item, label):
    """One row of the import preview: new, which fields change, or unchanged."""
    if item.page is None:
        status = "new"
    elif item.changed:
        status = "changed"
    else:
        status = "unchanged"
    return {
        "row": item.row,
        "center": item.center.code,
        "item_code": item.record.get("item_code", ""),
        "name": item.record.get("name", ""),
        "status": status,
        "fields": [str(label(key)) for key in item.changed_fields],
    }


def import_catalog(source, *, filename, user=None, dry_run=False, draft=False, log=True):
    """Read, check and (unless dry_run or any problem) write a catalog file; see module docstring."""
    result = ImportResult(filename=filename, dry_run=dry_run, draft=draft)
    try:
        table = read_table(
            source,
            filename=filename,
            aliases=ALIASES,
            required=REQUIRED_COLUMNS,
            max_rows=getattr(settings, "CATALOG_IMPORT_MAX_ROWS", 20_000),
        )
    except TabularError as exc:
        result.problems = exc.problems
        return result
    result.rows = len(table.rows)
    problems = Problems()
    if GuideIndexPage.objects.first() is None and (reason := missing_site_message()):
        problems.add(0, "", reason)
        result.problems = list(problems)
        return result
    lookups = Lookups()
    unknown = set(table.document) - {"fee_items", "format", "version"}
    for key in sorted(unknown):
        problems.add(0, key, _("未知的字段"))
    if reason := text_problem(table.document.get("fee_items")):
        problems.add(0, "fee_items", reason)
    may_edit_fees = (
        user is None
        or user.is_superuser
        or (user.has_perm("guides.add_feeitem") and user.has_perm("guides.change_feeitem"))
    )
    definitions = read_fee_items(
        table.document.get("fee_items"), lookups, problems, may_edit=fee_scope(user) if may_edit_fees else None
    )
    if definitions and not may_edit_fees:
        problems.add(0, "fee_items", _("您没有维护收费项目的权限"))
    elif definitions and not (user is None or user.is_superuser or user.has_perm("guides.publish_feeitem")):
        # fee items go through review like items: a file cannot publish them for this user
        problems.add(0, "fee_items", _("收费项目须经审核：请在后台“收费项目”中保存并提交审核，不能通过导入直接发布"))
    fee_definitions_in_lookups(definitions, lookups)
    planned = plan(table, lookups, problems)

    def label(name):
        return table.labels.get(name) or CHINESE.get(name, name)

    import_review.check_permissions(user, planned, label, problems)
    in_workflow = _pages_in_workflow([item.page.pk for item in planned if item.page is not None and item.changed])
    import_review.check_workflows(planned, in_workflow, label, problems)
    if problems:
        result.problems = list(problems)
        return result
    result.centers = sorted({item.center.code for item in planned})
    result.created = sum(1 for item in planned if item.page is None)
    result.updated = sum(1 for item in planned if item.page is not None and item.changed)
    result.unchanged = sum(1 for item in planned if not item.changed)
    result.preview = [_preview_row(item, label) for item in planned]
    if dry_run:
        return result
    # One transaction; the search index (registered by search) is refreshed in one batch after it commits.
    with transaction.atomic(), bulk_write():
        result.fee_items = save_fee_items(definitions)
        if definitions:
            lookups = Lookups()  # link items to the saved fee rows
        publishable, review = import_review.split_by_publish_right(user, planned)
        write(publishable, lookups, user=user, publish=not draft)
        written = write(review, lookups, user=user, publish=False)
        if not draft:
            result.submitted = import_review.submit_for_review(written, user)
        if log:
            log_import(result, user)
    if result.created + result.updated >= ANALYZE_AFTER_ROWS:
        analyze(Page._meta.db_table, GuidePage._meta.db_table, GuidePage.themes.through._meta.db_table)
    return result


def write(planned, lookups, *, user=None, publish=True):
    """Create new pages and update changed ones (fast path; the normal API for special states);
    returns the ids of the pages written."""
    if not planned:
        return []
    index = GuideIndexPage.objects.first()
    if index is None:
        index, _events = ensure_index_pages(HomePage.objects.first())
    wanted = {
        (item.center, item.department)
        for item in planned
        if item.page is None or (item.changed and item.page.department_id != item.department.pk)
    }
    folders = ensure_folders(index, wanted)

    def folder(center, department):
        return folders[(center.pk, department.pk)]

    in_workflow = _pages_in_workflow([item.page.pk for item in planned if item.page is not None and item.changed])
    new = []
    changes, slow = [], []
    for item in planned:
        if item.page is None:
            page = GuidePage(slug=slugify(item.record["item_code"], allow_unicode=True))
            apply_record(page, item.record, lookups, item.center, item.department)
            new.append((folder(item.center, item.department), page))
            continue
        if not item.changed:
            continue
        page = item.page
        if page.department_id != item.department.pk or _needs_normal_path(page, in_workflow):
            slow.append((page, item))
            continue
        old = {name: sorted(getattr(page, name).all(), key=lambda c: c.sort_order or 0) for name in CHILD_MODELS}
        old["fees"] = sorted(page.fees.all(), key=lambda c: c.sort_order or 0)
        apply_record(page, item.record, lookups, item.center, item.department)
        changes.append((page, old))
    created = bulk.create_pages(new, user=user, publish=publish)
    bulk.update_pages(changes, user=user, publish=publish)
    for page, item in slow:
        target = folder(item.center, item.department)
        if page.department_id != item.department.pk:
            page.move(target, pos="last-child")
            page = GuidePage.objects.get(pk=page.pk)
        apply_record(page, item.record, lookups, item.center, item.department)
        revision = page.save_revision(user=user, log_action=True)
        if publish:  # the caller checked the user's publish permission (guides/import_review.py)
            revision.publish(user=user, log_action=True, skip_permission_checks=True)
    return [page.pk for page in created] + [page.pk for page, _old in changes] + [page.pk for page, _item in slow]


def ensure_folders(index, pairs):
    """{(center id, department id): folder} for the (center, department) pairs, creating the
    missing center and department folders in bulk (two batches, not one add_child each)."""
    folders = {}
    for existing in GuideFolderPage.objects.order_by("path"):
        folders.setdefault((existing.center_id, existing.department_id), existing)
    centers = {center.pk: center for center, _department in pairs}
    missing = [
        (index, GuideFolderPage(title=center.name, slug=center.code, center=center, department=None))
        for center in centers.values()
        if (center.pk, None) not in folders
    ]
    for page in bulk.create_pages(missing, log=False, send_signals=False):
        folders[(page.center_id, None)] = page
    missing = [
        (
            folders[(center.pk, None)],
            GuideFolderPage(title=department.name, slug=department.code, center=center, department=department),
        )
        for center, department in sorted(pairs, key=lambda pair: (pair[0].pk, pair[1].pk))
        if (center.pk, department.pk) not in folders
    ]
    for page in bulk.create_pages(missing, log=False, send_signals=False):
        folders[(page.center_id, page.department_id)] = page
    return folders


def _needs_normal_path(page, in_workflow):
    """Scheduled publishing or a moderation workflow: let Wagtail's own code handle them."""
    if page.go_live_at and page.go_live_at > timezone.now():
        return True
    return page.pk in in_workflow


def _pages_in_workflow(ids):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, WorkflowState

    if not ids:
        return set()
    states = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS, base_content_type=ContentType.objects.get_for_model(Page)
    ).values_list("object_id", flat=True)
    wanted = {str(pk) for pk in ids}
    return {int(object_id) for object_id in states if object_id in wanted}


def log_import(result, user):
    """One entry in Wagtail's audit log per import: who, which file, what it did."""
    from wagtail.log_actions import log

    index = GuideIndexPage.objects.first()
    if index is None:
        return
    log(
        instance=index,
        action=IMPORT_LOG_ACTION,
        user=user,
        data={
            "filename": result.filename,
            "draft": result.draft,
            "centers": result.centers,
            **result.counts(),
        },
    )
