"""The item page answers the first questions first: the summary card, and labelled material cards."""

import pytest

from tests.portal.editorial_support import item_in

pytestmark = pytest.mark.django_db


def test_summary_card_comes_before_the_disclosures(client):
    item = item_in("city", "scjg")
    html = client.get(item.url).content.decode()
    card = html.split('class="summary-card"', 1)[1].split("</section>", 1)[0]
    assert html.index('class="summary-card"') < html.index('id="disclosure-1"')
    for label in ("办理时限", "收费", "到现场", "地点时间", "咨询投诉", "网上办理"):
        assert f"<dt>{label}</dt>" in card
    if item.promised_days:
        assert f"承诺 {item.promised_days} 个工作日" in card
    if item.consult_phone:
        assert f'href="tel:{item.consult_phone}"' in card
    assert ("不收费" in card) == (not item.charges)


def test_material_cells_carry_their_labels(client):
    item = item_in("city", "scjg")
    html = client.get(item.url).content.decode()
    table = html.split('class="materials"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].count("<tr>")
    for label in ("序号", "材料名称", "份数", "必要性", "来源与说明", "表格下载"):
        assert table.count(f'data-label="{label}"') == rows
    assert ">—<" not in table


def test_flow_diagram_is_drawn_from_the_steps(client):
    from guides.flowchart import flow_svg
    from guides.models import GuideStep

    item = item_in("city", "scjg")
    steps = list(item.steps.all())
    html = client.get(item.url).content.decode()
    if len(steps) >= 2:
        svg = html.split('<svg class="flowchart"', 1)[1].split("</svg>", 1)[0]
        assert svg.count("<rect") == len(steps) and svg.count("<polygon") == len(steps) - 1
        assert steps[0].name[:10] in svg and 'role="img"' in svg and "办理流程图" in svg
    hostile = [GuideStep(name="<script>alert(1)</script>受理", time_limit="1日"), GuideStep(name="办结")]
    svg = flow_svg(hostile, "t & t")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t &amp; t" in svg
    assert flow_svg(hostile[:1], "t") == ""
