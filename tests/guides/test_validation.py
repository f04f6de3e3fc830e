"""Publishing rules through the Wagtail admin edit view, as a superuser: each rule blocks the
publication with a clear Chinese message and nothing is written."""

import pytest

from tests.guides.helpers import add_inline, edit_form_data, post_publish, set_field, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, admin_user):
    return sign_in(client, admin_user)


@pytest.fixture
def charging_item():
    from guides.models import GuidePage

    return GuidePage.objects.live().filter(charges=True, fees__isnull=False).order_by("pk").first()


def assert_blocked(response, message, item):
    from guides.models import GuidePage

    assert response.status_code == 200, "a blocked publication re-renders the form"
    html = response.content.decode()
    assert message in html
    fresh = GuidePage.objects.get(pk=item.pk)
    assert fresh.live_revision_id == item.live_revision_id, "nothing was published"


def test_valid_edit_publishes(superuser_client, charging_item):
    from guides.models import GuidePage

    data = edit_form_data(superuser_client, charging_item.pk)
    set_field(data, "hours", "周一至周五 9:00-17:00（测试）")
    response = post_publish(superuser_client, charging_item.pk, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert GuidePage.objects.get(pk=charging_item.pk).hours == "周一至周五 9:00-17:00（测试）"


def test_promised_above_statutory_is_blocked(superuser_client, charging_item):
    data = edit_form_data(superuser_client, charging_item.pk)
    set_field(data, "statutory_days", "10")
    set_field(data, "promised_days", "15")
    response = post_publish(superuser_client, charging_item.pk, data)
    assert_blocked(response, "承诺办结时限（15 个工作日）不能超过法定办结时限（10 个工作日）", charging_item)


def test_charges_without_fee_item_is_blocked(superuser_client, charging_item):
    data = edit_form_data(superuser_client, charging_item.pk)
    total = int(data["fees-TOTAL_FORMS"][0])
    assert total >= 1
    for index in range(total):
        set_field(data, f"fees-{index}-DELETE", "1")
    response = post_publish(superuser_client, charging_item.pk, data)
    assert_blocked(response, "事项标记为收费，但没有关联收费项目", charging_item)


def test_fee_item_without_basis_is_blocked(superuser_client, charging_item):
    import datetime

    from guides.models import FeeItem

    fee = FeeItem.objects.create(
        code="TEST-NOBASIS",
        name="无依据的测试收费",
        department=charging_item.department,
        amount=5,
        effective_from=datetime.date(2020, 1, 1),
    )
    data = edit_form_data(superuser_client, charging_item.pk)
    add_inline(data, "fees", {"fee_item": str(fee.pk)})
    response = post_publish(superuser_client, charging_item.pk, data)
    assert_blocked(response, "收费项目“无依据的测试收费”没有收费依据", charging_item)


def test_duplicate_item_code_in_center_is_blocked(superuser_client, charging_item):
    from guides.models import GuidePage

    other = GuidePage.objects.filter(center=charging_item.center).exclude(pk=charging_item.pk).first()
    data = edit_form_data(superuser_client, charging_item.pk)
    set_field(data, "item_code", other.item_code)
    response = post_publish(superuser_client, charging_item.pk, data)
    assert_blocked(response, f"事项编码 {other.item_code} 在本中心已被使用", charging_item)


def test_required_material_without_name_is_blocked(superuser_client, charging_item):
    data = edit_form_data(superuser_client, charging_item.pk)
    position = int(data["materials-TOTAL_FORMS"][0]) + 1
    add_inline(
        data,
        "materials",
        {
            "name": "",
            "source": "申请人自备",
            "originals": "1",
            "copies": "0",
            "format": "paper",
            "requirement": "required",
            "notes": "须加盖公章",
        },
    )
    response = post_publish(superuser_client, charging_item.pk, data)
    assert_blocked(response, f"第 {position} 项必要材料没有填写材料名称", charging_item)
