"""Demo catalog for `manage.py seed_demo`: themes, fee items with history, items in every center,
life-event bundles. Idempotent: items are found by (center, item_code) and left alone if present.
"""

import datetime
import io
import random
from decimal import Decimal

import openpyxl
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model

from portal.models import Department, HomePage, ServiceCenter

from .choices import power_field
from .demo_catalog import CATALOG, FEES, LIFE_EVENTS, THEMES
from .models import (
    FeeBasis,
    FeeItem,
    GuideFee,
    GuideFolderPage,
    GuidePage,
    GuideStep,
    LegalBasis,
    LifeEventItem,
    LifeEventPage,
    Material,
    Theme,
)
from .tree import ensure_index_pages

TODAY = datetime.date(2026, 11, 1)
SMALL_CENTERS = ["city", "dongcheng"]


def item_code(department_code, template_index, variant_index):
    return f"{department_code.upper()}-{template_index:03d}-{variant_index:02d}"


def expand_catalog():
    """Yield (template_index, variant_index, template, full name, days factor) for every item."""
    for template_index, template in enumerate(CATALOG, start=1):
        for variant_index, (suffix, factor) in enumerate(template.get("variants") or [("", 1.0)], start=1):
            yield template_index, variant_index, template, template["name"] + suffix, factor


def seed_themes():
    themes = {}
    for order, (slug, name, audience) in enumerate(THEMES):
        themes[slug], _ = Theme.objects.update_or_create(
            slug=slug, defaults={"name": name, "audience": audience, "sort_order": order}
        )
    return themes


def seed_fees(center):
    """Every fee version for one center's departments; returns {code: current FeeItem}."""
    current = {}
    for code, name, department_code, versions in FEES:
        department = Department.objects.filter(center=center, code=department_code).first()
        if department is None:
            continue
        for amount, unit, start, end, title, number, issuer in versions:
            fee, created = FeeItem.objects.get_or_create(
                department=department,
                code=code,
                effective_from=datetime.date.fromisoformat(start),
                defaults={
                    "name": name,
                    "amount": Decimal(amount),
                    "unit": unit,
                    "effective_to": datetime.date.fromisoformat(end) if end else None,
                },
            )
            if created:
                FeeBasis.objects.create(fee_item=fee, title=title, document_number=number, issuer=issuer, sort_order=0)
            if end is None:
                current[code] = fee
    return current


def folder_for(guides_index, center, department=None):
    """The center's (or its department's) folder under the catalog, created on first use."""
    folder = GuideFolderPage.objects.filter(center=center, department=department).first()
    if folder is None:
        parent = guides_index if department is None else folder_for(guides_index, center)
        title = center.name if department is None else department.name
        slug = center.code if department is None else department.code
        folder = parent.add_child(
            instance=GuideFolderPage(title=title, slug=slug, center=center, department=department)
        )
    return folder


def steps_for(handling, promised_days):
    if handling == "immediate":
        return [
            ("受理", "窗口收取材料并当场审查", "窗口工作人员", "即时"),
            ("办结", "符合条件的当场办结并出具结果", "窗口工作人员", "即时"),
        ]
    review = max(1, promised_days - 2)
    return [
        ("受理", "窗口收取并审查申请材料，材料齐全、符合法定形式的予以受理", "窗口工作人员", "1 个工作日"),
        ("审查", "对申请材料进行审查，需要现场核查的组织核查", "审核人员", f"{review} 个工作日"),
        ("决定", "作出准予或不予许可的决定", "审批人员", "1 个工作日"),
        ("送达", "通过窗口领取或邮寄送达办理结果", "窗口工作人员", "即时"),
    ]


FORM_SUFFIXES = ("申请书", "申请表")


def blank_form_bytes(material_name):
    """A small fillable XLSX: the form's title and the fields every application asks for."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "申请表"
    sheet.append([material_name])
    for label, other in [
        ("申请人（单位）名称", "统一社会信用代码/身份证号"),
        ("联系人", "联系电话"),
        ("通讯地址", "申请日期"),
    ]:
        sheet.append([label, "", other, ""])
    sheet.append(["申请事项及理由", ""])
    sheet.append(["申请人签字（盖章）", "", "日期", ""])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["C"].width = 26
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def blank_form(material_name, forms):
    """The demo's blank form (空白表格) for an application material, created once by title.

    `forms` caches the documents of one seeding run by title.
    """
    if not material_name.endswith(FORM_SUFFIXES):
        return None
    title = f"{material_name}（空白表格）"
    if title not in forms:
        Document = get_document_model()
        document = Document.objects.filter(title=title).first()
        if document is None:
            content = blank_form_bytes(material_name)
            document = Document(title=title)
            document.file.save(f"{material_name}.xlsx", ContentFile(content), save=False)
            document.file_size = len(content)
            document.save()
        forms[title] = document
    return forms[title]


def build_item(template, name, code, center, department, themes, fees, factor, rng, forms):
    statutory, promised = template["days"]
    promised = max(1, min(statutory, round(promised * factor))) if promised > 1 else promised
    handling = template.get("handling", "promised")
    charges = bool(template.get("fees"))
    powers = set(template["powers"])
    if center.level != ServiceCenter.LEVEL_CITY and "approve" in powers and rng.random() < 0.25:
        powers.discard("approve")  # some county windows only accept and forward
    entered = rng.random() > (0.04 if center.level == ServiceCenter.LEVEL_CITY else 0.1)
    page = GuidePage(
        title=name,
        slug=code.lower(),
        item_code=code,
        item_type=template["type"],
        center=center,
        department=department,
        audience=template["audience"],
        acceptance_conditions=f"申请人符合《{template['basis'][0][0]}》规定的条件，申请材料齐全、符合法定形式。",
        handling_type=handling,
        visits_required=0 if handling == "immediate" and rng.random() < 0.3 else 1,
        online_url=f"https://zwfw.example.gov.cn/{center.code}/{code.lower()}",
        statutory_days=statutory,
        promised_days=promised,
        charges=charges,
        should_enter=True,
        entered=entered,
        place=f"{center.name}{rng.randint(1, 3)}楼{department.name}窗口",
        hours=center.hours,
        consult_phone=center.phone,
        complaint_phone="12345",
        last_reviewed=TODAY - datetime.timedelta(days=rng.randint(20, 540)),
        search_description=template.get("keywords", ""),
        **{
            power_field(code_): code_ in powers
            for code_ in ["accept", "review", "coordinate", "deliver", "litigate", "certify", "approve"]
        },
        # 六制: every item is declared and clearly answered; the rest follow the item.
        rule_direct=handling == "immediate",
        rule_deemed_consent=handling == "promised" and template.get("type", "licensing") == "licensing",
        rule_declared=True,
        rule_clear_reply=True,
        rule_central_fees=charges,
    )
    page.themes = [themes[slug] for slug in template["themes"]]
    page.steps = [
        GuideStep(name=a, description=b, who=c, time_limit=d, sort_order=i)
        for i, (a, b, c, d) in enumerate(steps_for(handling, promised))
    ]
    page.legal_basis = [
        LegalBasis(title=t, issuer=issuer, article=article, sort_order=i)
        for i, (t, issuer, article) in enumerate(template["basis"])
    ]
    materials = []
    for i, material in enumerate(template["materials"]):
        mname, source, originals, copies, *rest = material
        materials.append(
            Material(
                name=mname,
                source=source,
                originals=originals,
                copies=copies,
                requirement=rest[0] if rest else "required",
                format="paper",
                blank_form=blank_form(mname, forms),
                sort_order=i,
            )
        )
    page.materials = materials
    page.fees = [
        GuideFee(fee_item=fees[fee_code], sort_order=i)
        for i, fee_code in enumerate(template.get("fees", []))
        if fee_code in fees
    ]
    return page


@transaction.atomic
def seed_items(guides_index, themes, centers):
    """Create the missing demo items, each center's in one bulk write (guides/bulk.py)."""
    from .bulk import create_pages

    existing = set(GuidePage.objects.values_list("center_id", "item_code"))
    created = 0
    forms = {}
    for center in centers:
        fees = seed_fees(center)
        departments = {d.code: d for d in Department.objects.filter(center=center)}
        folders = {}
        batch = []
        for template_index, variant_index, template, name, factor in expand_catalog():
            department = departments.get(template["dept"])
            if department is None:
                continue
            code = item_code(template["dept"], template_index, variant_index)
            if (center.pk, code) in existing:
                continue
            rng = random.Random(f"{center.code}/{code}")
            page = build_item(template, name, code, center, department, themes, fees, factor, rng, forms)
            if department.pk not in folders:
                folders[department.pk] = folder_for(guides_index, center, department)
            batch.append((folders[department.pk], page))
        create_pages(batch, publish=True, log=False, send_signals=False)
        created += len(batch)
    return created


@transaction.atomic
def seed_life_events(events_index, center):
    for slug, title, intro, parts in LIFE_EVENTS:
        if LifeEventPage.objects.filter(slug=slug).exists():
            continue
        items = []
        for department_code, base, suffix in parts:
            item = GuidePage.objects.filter(
                center=center, department__code=department_code, title=base + suffix
            ).first()
            if item:
                items.append(item)
        event = LifeEventPage(title=title, slug=slug, intro=intro, parallel=True)
        event.bundle_items = [LifeEventItem(item=item, sort_order=i) for i, item in enumerate(items)]
        events_index.add_child(instance=event)
        event.save_revision(log_action=False).publish(log_action=False, skip_permission_checks=True)


def seed(stdout=None, small=False):
    from wagtail.models import Collection

    if not Collection.objects.exists():  # a flushed database (tests) has no root collection
        Collection.add_root(name="Root")
    home = HomePage.objects.first()
    themes = seed_themes()
    guides_index, events_index = ensure_index_pages(home)
    centers = ServiceCenter.objects.order_by("sort_order")
    if small:
        centers = centers.filter(code__in=SMALL_CENTERS)
    created = seed_items(guides_index, themes, list(centers))
    seed_life_events(events_index, ServiceCenter.objects.get(code="city"))
    if stdout:
        stdout.write(
            f"guides: {created} items created, {GuidePage.objects.count()} in all, {FeeItem.objects.count()} fee versions"
        )
    return guides_index
