"""六制 on items: import (codes or names, all-or-nothing), export, the API, the item page and the
completeness rule of centers that require them."""

import io

import pytest
from django.core.management import CommandError, call_command

from guides.completeness import completeness
from guides.handling_rules import RULE_CODES, parse_rules
from guides.models import GuidePage
from portal.models import ServiceCenter

from .test_import_catalog import GOOD_MATERIALS, HEADER, ROW

pytestmark = pytest.mark.django_db


def import_rows(tmp_path, rules_cells):
    header = HEADER + ",六制"
    rows = [
        ROW.format(
            code=f"RULE-{n}",
            name=f"六制测试{n}",
            statutory="20",
            promised="10",
            charges="否",
            fees="",
            materials=GOOD_MATERIALS,
        )
        + f',"{cell}"'
        for n, cell in enumerate(rules_cells)
    ]
    path = tmp_path / "rules.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_catalog", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        raise CommandError(f"{exc}\n{err.getvalue()}") from exc
    return out.getvalue()


def test_codes_and_names_are_parsed_in_standard_order():
    assert parse_rules(["clear_reply", "直接办理制", "集中收费", "DECLARED"]) == (
        ["direct", "declared", "clear_reply", "central_fees"],
        [],
    )
    codes, problems = parse_rules(["direct", "fast_track"])
    assert codes == ["direct"] and "“fast_track”不是六制代码" in problems[0] and "deemed_consent" in problems[0]


def test_import_export_api_and_page(tmp_path, client):
    import_rows(tmp_path, ["direct,deemed_consent,clear_reply", ""])
    item = GuidePage.objects.get(item_code="RULE-0")
    assert item.handling_rules == ["direct", "deemed_consent", "clear_reply"]
    assert GuidePage.objects.get(item_code="RULE-1").handling_rules == []

    data = client.get(f"/api/items/dongcheng/{item.item_code}/").json()
    assert [rule["code"] for rule in data["handling_rules"]] == ["direct", "deemed_consent", "clear_reply"]
    consent = data["handling_rules"][1]
    assert consent["name"] == "承诺超时默认制" and "过期未答复视为同意" in consent["meaning"]

    html = client.get(item.url).content.decode()
    assert 'id="handling-rules"' in html and "明确答复制" in html and "过期未答复视为同意" in html
    assert "集中收费制" not in html.split('id="handling-rules"')[1].split("</section>")[0]

    out = io.StringIO()
    path = tmp_path / "export.csv"
    call_command("export_catalog", "--center", "dongcheng", "-o", str(path), stdout=out)
    text = path.read_text(encoding="utf-8-sig")
    assert "六制" in text.splitlines()[0] and "direct,deemed_consent,clear_reply" in text


def test_unknown_rule_refuses_the_whole_file(tmp_path):
    before = GuidePage.objects.count()
    with pytest.raises(CommandError) as info:
        import_rows(tmp_path, ["direct", "direct,quick"])
    assert "第 3 行" in str(info.value) and "“quick”不是六制代码" in str(info.value)
    assert GuidePage.objects.count() == before


def test_completeness_counts_rules_where_the_center_requires_them(tmp_path, client):
    import_rows(tmp_path, ["", "direct"])
    bare, ruled = GuidePage.objects.get(item_code="RULE-0"), GuidePage.objects.get(item_code="RULE-1")
    assert "handling_rules" not in completeness(bare)["missing"]
    ServiceCenter.objects.filter(code="dongcheng").update(require_handling_rules=True)
    bare, ruled = GuidePage.objects.get(pk=bare.pk), GuidePage.objects.get(pk=ruled.pk)
    result = completeness(bare)
    assert "handling_rules" in result["missing"] and not result["complete"]
    assert result["present"] == completeness(ruled)["present"]  # still counted out of the eight
    assert "handling_rules" not in completeness(ruled)["missing"]
    api = client.get(f"/api/items/dongcheng/{bare.item_code}/").json()
    assert "handling_rules" in api["completeness"]["missing"]
    assert "本中心要求公开六制" in client.get(bare.url).content.decode()
    assert set(RULE_CODES) == {"direct", "deemed_consent", "first_contact", "declared", "clear_reply", "central_fees"}


def test_completeness_report_lists_missing_rules_where_required(tmp_path):
    from guides import reports

    import_rows(tmp_path, ["", "direct"])
    ServiceCenter.objects.filter(code="dongcheng").update(require_handling_rules=True)
    rows = {item.item_code: item for item in reports.report_queryset(center="dongcheng", incomplete_only=True)}
    assert "RULE-0" in rows and "RULE-1" not in rows
    assert "六制" in reports.missing_labels(rows["RULE-0"])
