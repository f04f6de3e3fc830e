"""The rules an item must meet to be published, shared by the admin form and the importer.

Messages are in Chinese for editors; each is keyed by the field (or part) it concerns.
"""

from django.utils.translation import gettext as _


def scalar_errors(*, center_id, item_code, statutory_days, promised_days, exclude_pk=None, items=None):
    """`items`: the items a code must be unique among (GuidePage.objects); None skips that check."""
    errors = {}
    if promised_days is not None and statutory_days is not None and promised_days > statutory_days:
        errors["promised_days"] = [
            _("承诺办结时限（%(promised)s 个工作日）不能超过法定办结时限（%(statutory)s 个工作日）")
            % {"promised": promised_days, "statutory": statutory_days}
        ]
    if center_id and item_code and items is not None:
        duplicates = items.filter(center_id=center_id, item_code=item_code)
        if exclude_pk:
            duplicates = duplicates.exclude(pk=exclude_pk)
        if duplicates.exists():
            errors["item_code"] = [_("事项编码 %(code)s 在本中心已被使用") % {"code": item_code}]
    return errors


def children_errors(*, charges, fee_items, materials):
    """fee_items: FeeItem objects; materials: dicts with at least `name` and `requirement`."""
    errors = {}
    if charges and not fee_items:
        errors["charges"] = [_("事项标记为收费，但没有关联收费项目")]
    for fee in fee_items:
        if not fee_has_basis(fee):
            errors.setdefault("fees", []).append(_("收费项目“%(name)s”没有收费依据") % {"name": fee.name})
    for position, material in enumerate(materials, start=1):
        if material.get("requirement", "required") == "required" and not (material.get("name") or "").strip():
            errors.setdefault("materials", []).append(_("第 %(n)s 项必要材料没有填写材料名称") % {"n": position})
    return errors


def fee_has_basis(fee):
    basis = getattr(fee, "_prefetched_objects_cache", {}).get("basis")
    if basis is not None:
        return bool(basis)
    return fee.basis.exists() if fee.pk else bool(fee.basis.all())


def item_errors(
    *, center_id, item_code, statutory_days, promised_days, charges, fee_items, materials, exclude_pk=None, items=None
):
    errors = scalar_errors(
        center_id=center_id,
        item_code=item_code,
        statutory_days=statutory_days,
        promised_days=promised_days,
        exclude_pk=exclude_pk,
        items=items,
    )
    for key, messages in children_errors(charges=charges, fee_items=fee_items, materials=materials).items():
        errors.setdefault(key, []).extend(messages)
    return errors


def page_errors(page):
    """All rules checked on a page whose children are in memory (e.g. before publishing)."""
    return item_errors(
        center_id=page.center_id,
        item_code=page.item_code,
        statutory_days=page.statutory_days,
        promised_days=page.promised_days,
        charges=page.charges,
        fee_items=[link.fee_item for link in page.fees.all()],
        materials=[{"name": m.name, "requirement": m.requirement} for m in page.materials.all()],
        exclude_pk=page.pk,
        items=type(page).objects,
    )
