"""Import the organisation (service centers and departments) from CSV/XLSX/JSON.

Columns (DESIGN.md): `kind` center|department, `code`, `name`, `parent` (a center's parent
center, a department's center), `level` (centers only: city|county|district). Idempotent:
rows are matched by code (a department by center and code) and updated in place. Codes are
read by portal/codes.py (stored in lower case: C00 and c00 are one center). All or
nothing: every row is checked first, and nothing is written when any row is wrong.

Optional center columns `address` 地址, `hours` 办公时间, `phone` 咨询电话 and `sort_order` 排序
(what `export_org` writes, so that an export restores the organisation exactly) are applied
only when the row has them; departments leave them empty.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.tabular import Problems, TabularError, as_text, parse_choice, parse_int, read_table

from . import codes
from .models import Department, ServiceCenter

ORG_COLUMNS = {
    "kind": ["类型", "类别"],
    "code": ["编码", "代码"],
    "name": ["名称"],
    "parent": ["上级", "上级编码", "所属中心"],
    "level": ["层级", "级别"],
    "address": ["地址"],
    "hours": ["办公时间"],
    "phone": ["咨询电话", "电话"],
    "sort_order": ["排序"],
}
CENTER_TEXT_COLUMNS = ("address", "hours", "phone")
KIND_CHOICES = [("center", "中心"), ("department", "部门")]


@dataclass
class OrgResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def _check_code(code, row, label, problems):
    error = codes.org_code_error(code)
    if error:
        problems.add(row, label, error)
    return error is None


def _center_extras(values, row, label, problems):
    """The optional center columns present in the row, checked: {field: value}."""
    extras = {}
    for name in CENTER_TEXT_COLUMNS:
        if name in values:
            text = as_text(values.get(name))
            limit = ServiceCenter._meta.get_field(name).max_length
            if len(text) > limit:
                problems.add(row, label(name), _("最长 %(n)s 个字") % {"n": limit})
            extras[name] = text
    number, error = parse_int(values.get("sort_order"), minimum=0, maximum=2_147_483_647)
    if error:
        problems.add(row, label("sort_order"), error)
    elif number is not None:
        extras["sort_order"] = number
    return extras


def _plan(table):
    """Validate every row; returns (centers, departments, problems) as plain dicts."""
    problems = Problems()
    label = table.label
    centers, departments = {}, {}
    existing_centers = set(ServiceCenter.objects.values_list("code", flat=True))
    for row, values in table.rows:
        kind, error = parse_choice(values.get("kind"), KIND_CHOICES)
        if error or kind is None:
            problems.add(row, label("kind"), error or _("不能为空（填 center 或 department）"))
            continue
        # Codes in their one stored form (portal/codes.py): C00 and c00 are the same center.
        code = codes.org_code(values.get("code"))
        name = as_text(values.get("name"))
        parent = codes.org_code(values.get("parent"))
        ok = _check_code(code, row, label("code"), problems)
        if not name:
            problems.add(row, label("name"), _("不能为空"))
        elif len(name) > codes.NAME_MAX_LENGTH:
            problems.add(row, label("name"), _("名称最长 100 个字"))
        if kind == "center":
            level, error = parse_choice(values.get("level"), ServiceCenter.LEVEL_CHOICES)
            if error:
                problems.add(row, label("level"), error)
            if ok and code in centers:
                problems.add(row, label("code"), _("中心编码 %(code)s 在文件中重复出现") % {"code": code})
                continue
            extras = _center_extras(values, row, label, problems)
            if ok:
                centers[code] = {"row": row, "name": name, "level": level, "parent": parent or None, "extras": extras}
        else:
            if as_text(values.get("level")):
                problems.add(row, label("level"), _("部门不填写层级"))
            for column in (*CENTER_TEXT_COLUMNS, "sort_order"):
                if as_text(values.get(column)):
                    problems.add(row, label(column), _("部门不填写此项（只用于中心）"))
            if not parent:
                problems.add(row, label("parent"), _("部门必须填写所属中心编码"))
                continue
            key = (parent, code)
            if ok and key in departments:
                problems.add(row, label("code"), _("部门编码 %(code)s 在该中心中重复出现") % {"code": code})
                continue
            if ok:
                departments[key] = {"row": row, "name": name}
    known = existing_centers | set(centers)
    for code, center in centers.items():
        parent = center["parent"]
        if parent and parent not in known:
            problems.add(center["row"], label("parent"), _("上级中心 %(code)s 不存在") % {"code": parent})
        elif parent == code:
            problems.add(center["row"], label("parent"), _("中心不能以自己为上级"))
    for (parent, _code), department in departments.items():
        if parent not in known:
            problems.add(department["row"], label("parent"), _("所属中心 %(code)s 不存在") % {"code": parent})
    _check_cycles(centers, problems, label("parent"))
    return centers, departments, problems


def _check_cycles(centers, problems, column):
    parents = dict(ServiceCenter.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parents.update({code: center["parent"] for code, center in centers.items()})
    for code, center in centers.items():
        seen, current = {code}, parents.get(code)
        while current:
            if current in seen:
                problems.add(center["row"], column, _("上级中心形成循环"))
                break
            seen.add(current)
            current = parents.get(current)


def _apply(centers, departments, result):
    saved = {center.code: center for center in ServiceCenter.objects.all()}
    # Parents first: order the file's centers so that each comes after its parent.
    pending = dict(centers)
    while pending:
        ready = [code for code, c in pending.items() if not c["parent"] or c["parent"] not in pending]
        for code in ready:
            data = pending.pop(code)
            parent = saved.get(data["parent"]) if data["parent"] else None
            center = saved.get(code)
            if center is None:
                center = ServiceCenter(
                    code=code, name=data["name"], level=data["level"] or ServiceCenter.LEVEL_COUNTY, **data["extras"]
                )
                center.parent = parent
                center.save()
                saved[code] = center
                result.created += 1
                continue
            new = {"name": data["name"], "parent_id": parent.pk if parent else None}
            if data["level"]:
                new["level"] = data["level"]
            new.update(data["extras"])
            if all(getattr(center, key) == value for key, value in new.items()):
                result.unchanged += 1
                continue
            for key, value in new.items():
                setattr(center, key, value)
            center.save()
            result.updated += 1
    existing = {(d.center.code, d.code): d for d in Department.objects.select_related("center")}
    for (center_code, code), data in departments.items():
        department = existing.get((center_code, code))
        if department is None:
            Department.objects.create(center=saved[center_code], code=code, name=data["name"])
            result.created += 1
        elif department.name != data["name"]:
            department.name = data["name"]
            department.save(update_fields=["name"])
            result.updated += 1
        else:
            result.unchanged += 1


def import_org(source, *, filename, dry_run=False):
    """Read and apply an organisation file; problems (row, column, reason) are in the result."""
    result = OrgResult(dry_run=dry_run)
    try:
        table = read_table(source, filename=filename, aliases=ORG_COLUMNS, required=["kind", "code", "name"])
    except TabularError as exc:
        result.problems = exc.problems
        return result
    centers, departments, problems = _plan(table)
    if problems:
        result.problems = list(problems)
        return result
    with transaction.atomic():
        _apply(centers, departments, result)
        if dry_run:
            transaction.set_rollback(True)
    return result
