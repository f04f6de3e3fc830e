"""The item page answers the first questions first: the summary card, and labelled material cards."""

import re

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


def _english_body(client, item):
    client.cookies["django_language"] = "en"
    return client.get(item.url).content.decode()


def test_english_item_page_reads_naturally(client):
    """In English: plural working days in the summary, "1. Item name" headings, "from <date>" fees,
    a "Fees" label in the summary, sentence-case labels."""
    from guides.models import GuidePage

    item = GuidePage.objects.live().filter(fees__isnull=False, promised_days__gt=1).order_by("pk").first()
    assert item is not None, "the demo catalog has an item with fees and a promised time limit"
    html = _english_body(client, item)
    card = html.split('class="summary-card"', 1)[1].split("</section>", 1)[0]
    assert f"promised in {item.promised_days} working days" in card
    assert "<dt>Fees</dt>" in card and "<dt>Charged</dt>" not in card
    for number, heading in ((1, "Item name"), (2, "Procedure"), (6, "Fees"), (7, "Legal basis of the fees")):
        assert f'<span class="num">{number}. </span>{heading}</h2>' in html, heading
    assert not any(f'<span class="num">{c}、' in html for c in "一二三四五六七八")
    fees = html.split('id="disclosure-6"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<td>from \d{4}-\d{2}-\d{2}", fees), fees
    assert not re.search(r"\d{4}-\d{2}-\d{2} from", fees)
    assert "last reviewed" not in html
    assert "Handled in the center?" in html


def test_english_summary_of_a_free_item_says_fees_free(client):
    from guides.models import GuidePage

    item = GuidePage.objects.live().filter(charges=False, statutory_days=1).order_by("pk").first()
    if item is None:
        item = GuidePage.objects.live().filter(charges=False).order_by("pk").first()
        GuidePage.objects.filter(pk=item.pk).update(statutory_days=1, promised_days=1)
    html = _english_body(client, item)
    card = html.split('class="summary-card"', 1)[1].split("</section>", 1)[0]
    assert "<dt>Fees</dt><dd>Free</dd>" in card
    assert "statutory 1 working day)" in card and "1 working days" not in card


def test_feedback_kinds_are_singular_in_english(client):
    client.cookies["django_language"] = "en"
    item = item_in("city", "scjg")
    html = client.get(f"/feedback/new/?center={item.center.code}&item={item.item_code}").content.decode()
    legend = html.split("<legend>", 1)[1].split("</fieldset>", 1)[0]
    for kind in ("Enquiry", "Complaint", "Suggestion"):
        assert f"> {kind}</label>" in legend
    assert "Complaints" not in legend
