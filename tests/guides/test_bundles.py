"""Life-event bundles: merged, de-duplicated checklist; combined time limit; departments."""

import pytest

pytestmark = pytest.mark.django_db


def test_material_names_that_differ_only_in_punctuation_merge():
    from guides.bundles import material_key

    assert material_key("营业执照（副本）") == material_key("营业执照 (副本)")
    assert material_key("营业执照") != material_key("营业执照副本")


def test_billiards_room_bundle():
    from guides.bundles import bundle_summary
    from guides.models import LifeEventPage

    event = LifeEventPage.objects.get(slug="billiards-room")
    items = event.items()
    summary = bundle_summary(items, parallel=True)
    assert len(items) == 4
    assert summary["combined_days"] == max(item.promised_days for item in items)
    assert len(summary["departments"]) == len({item.department_id for item in items})
    names = [entry["name"] for entry in summary["materials"]]
    assert len(names) == len(set(names))
    assert len(names) < summary["material_count_before_merge"]
    shared = [entry for entry in summary["materials"] if len(entry["items"]) >= 2]
    assert shared, "a shared material lists every item that needs it"
    for entry in shared:
        for title in entry["items"]:
            item = next(i for i in items if i.title == title)
            assert entry["name"] in [m.name for m in item.materials.all()] or any(
                m.name.replace(" ", "") == entry["name"].replace(" ", "") for m in item.materials.all()
            )
    sequential = bundle_summary(items, parallel=False)
    assert sequential["combined_days"] == sum(item.promised_days for item in items)


def test_required_wins_when_merging():
    from guides.bundles import bundle_summary
    from guides.models import GuidePage, Material

    a, b = GuidePage.objects.live().order_by("pk")[:2]
    Material.objects.create(page=a, name="测试证明", requirement="conditional", originals=1, copies=0)
    Material.objects.create(page=b, name="测试证明", requirement="required", originals=2, copies=1)
    a = GuidePage.objects.select_related("department").prefetch_related("materials").get(pk=a.pk)
    b = GuidePage.objects.select_related("department").prefetch_related("materials").get(pk=b.pk)
    entry = next(e for e in bundle_summary([a, b])["materials"] if e["name"] == "测试证明")
    assert entry["requirement"] == "required"
    assert (entry["originals"], entry["copies"]) == (2, 1)
    assert entry["items"] == [a.title, b.title]
