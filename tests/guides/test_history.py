"""Public change history derived from published revisions."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(promised_days__gte=3).order_by("pk").first()


def publish(page, user=None):
    revision = page.save_revision(user=user)
    revision.publish(user=user)
    return revision


def test_seeded_item_has_only_its_first_publication(item):
    from guides.history import compute_history

    entries = compute_history(item)
    assert len(entries) == 1
    assert entries[0]["first"] is True


def test_promised_days_and_materials_changes_are_listed_exactly(item, client):
    from guides.history import compute_history
    from guides.models import GuidePage, Material

    old_days = item.promised_days
    draft = item.get_latest_revision_as_object()
    draft.promised_days = old_days - 1
    publish(draft)

    draft = GuidePage.objects.get(pk=item.pk).get_latest_revision_as_object()
    materials = list(draft.materials.all())
    old_name = materials[0].name
    materials[0].name = old_name + "（新版）"
    materials.append(Material(name="申请人承诺书", originals=1, copies=0, requirement="required"))
    draft.materials = materials
    publish(draft)

    page = GuidePage.objects.get(pk=item.pk)
    entries = compute_history(page)
    assert [entry["first"] for entry in entries] == [False, False, True]
    newest, middle = entries[0], entries[1]
    assert [change["text"] for change in middle["changes"]] == [f"承诺办结时限 {old_days} → {old_days - 1} 个工作日"]
    assert sorted(change["text"] for change in newest["changes"]) == sorted(
        [f"材料“{old_name}”更名为“{old_name}（新版）”", "新增材料“申请人承诺书”"]
    )

    # The item page shows them.
    html = client.get(page.url).content.decode()
    assert "变更记录" in html
    assert f"承诺办结时限 {old_days} → {old_days - 1} 个工作日" in html
    assert "新增材料“申请人承诺书”" in html


def test_fee_powers_and_basis_changes(item):
    import datetime

    from guides.history import compute_history
    from guides.models import FeeBasis, FeeItem, GuideFee, GuidePage, LegalBasis

    fee = FeeItem.objects.create(
        code="HIST-FEE",
        name="测试工本费",
        department=item.department,
        amount=10,
        effective_from=datetime.date(2020, 1, 1),
    )
    FeeBasis.objects.create(fee_item=fee, title="测试收费文件")
    draft = item.get_latest_revision_as_object()
    approved_before = draft.power_approve
    charged_before = draft.charges
    draft.charges = True
    draft.fees = list(draft.fees.all()) + [GuideFee(fee_item=fee)]
    draft.power_approve = not approved_before
    draft.legal_basis = list(draft.legal_basis.all()) + [LegalBasis(title="测试条例", article="第一条")]
    publish(draft)
    changes = [c["text"] for c in compute_history(GuidePage.objects.get(pk=item.pk))[0]["changes"]]
    assert "新增收费项目“测试工本费”（10 元/件）" in changes
    assert "新增设立依据 《测试条例》第一条" in changes
    assert ("窗口权限：收回审批权" if approved_before else "窗口权限：授予审批权") in changes
    if not charged_before:
        assert "是否收费 不收费 → 收费" in changes


def test_history_costs_two_queries_and_is_cached_per_live_revision(item, django_assert_max_num_queries):
    from django.core.cache import cache

    from guides.history import cache_key, compute_history, item_history

    with django_assert_max_num_queries(2):
        compute_history(item)
    cache.delete(cache_key(item))
    first = item_history(item)
    with django_assert_max_num_queries(0):
        assert item_history(item) == first


def test_history_does_not_depend_on_timestamps_matching(item):
    """The item went live a few microseconds before its first revision was saved (no revision
    existed at first_published_at): an edit published later is still a change, not the first."""
    from datetime import timedelta

    from wagtail.models import Page, PageLogEntry, Revision

    from guides.history import compute_history
    from guides.models import GuidePage

    first = Revision.page_revisions.filter(object_id=str(item.pk)).order_by("created_at", "pk").first()
    Page.objects.filter(pk=item.pk).update(first_published_at=first.created_at - timedelta(microseconds=7))
    Revision.objects.filter(object_id=str(item.pk)).exclude(pk=first.pk).delete()
    PageLogEntry.objects.filter(page_id=item.pk).delete()  # created live: no publish was logged
    item = GuidePage.objects.get(pk=item.pk)
    old_days = item.promised_days
    draft = item.get_latest_revision_as_object()
    draft.promised_days = old_days - 1
    publish(draft)

    entries = compute_history(GuidePage.objects.get(pk=item.pk))
    assert [entry["first"] for entry in entries] == [False, True]
    assert [change["text"] for change in entries[0]["changes"]] == [
        f"承诺办结时限 {old_days} → {old_days - 1} 个工作日"
    ]
