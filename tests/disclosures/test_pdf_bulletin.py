"""The bulletin PDF (WeasyPrint): text, embedded CJK fonts, sane page count, empty month."""

import datetime
import subprocess

import pytest

from disclosures import bulletins, pdf

from .bulletin_helpers import empty_stats

pytestmark = pytest.mark.django_db


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_fonts(path):
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout.splitlines()
    return lines[2:]  # after the two header lines


def page_count(path):
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def city_pdf(tmp_path):
    from disclosures.models import BulletinPage

    page = BulletinPage.objects.live().get(center__code="city", period=bulletins.previous_period())
    path = tmp_path / "city.pdf"
    with page.pdf.file.open("rb") as handle:
        path.write_bytes(handle.read())
    return page, path


def test_pdf_text_has_center_period_and_key_figures(city_pdf):
    page, path = city_pdf
    text = pdf_text(path)
    flat = "".join(text.split())
    assert "临江市政务服务中心" in flat
    assert bulletins.period_label(page.period) in flat
    assert f"{page.figures['on_time_rate']:.2f}%" in flat
    assert str(page.counts["completed"]) in flat
    assert f"{page.counts['completed_on_time']}/{page.counts['completed']}" in flat
    for heading in ("目录", "主要指标", "各部门办件情况", "指标定义", "各中心办结量"):
        assert heading in flat
    assert "第1页/共" not in flat  # the cover has no page number
    assert f"第2页/共{page_count(path)}页" in flat


def test_fonts_are_embedded_cjk_subsets(city_pdf):
    _page, path = city_pdf
    fonts = pdf_fonts(path)
    assert fonts, "no fonts in the PDF"
    assert any("NotoSansCJK" in line.replace("-", "") for line in fonts)
    for line in fonts:
        columns = line.split()
        # name type... encoding emb sub uni object ID: emb is the 5th column from the end.
        assert columns[-5] == "yes", line


def test_page_count_is_sane(city_pdf):
    _page, path = city_pdf
    assert 4 <= page_count(path) <= 20


def test_empty_month_pdf_says_so(tmp_path):
    period = datetime.date(2020, 2, 1)
    data = {**empty_stats("dongcheng", period), "center_name": "东城区政务服务中心"}
    data["has_cases"] = False
    context = bulletins.presentation(data, period=period, generated_at=None)
    path = tmp_path / "empty.pdf"
    path.write_bytes(pdf.render_pdf(context))
    flat = "".join(pdf_text(path).split())
    assert "2020年2月没有办件记录" in flat
    assert "东城区政务服务中心" in flat


def test_city_wide_pdf_cover_names_issuer_city_period_version_and_cites(tmp_path):
    from disclosures.models import BulletinPage

    page = BulletinPage.objects.live().get(center__isnull=True, period=bulletins.previous_period())
    path = tmp_path / "all.pdf"
    with page.pdf.file.open("rb") as handle:
        path.write_bytes(handle.read())
    cover = "".join(
        subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "临江市全市" in cover and "发布单位临江市政务服务中心" in cover
    assert "所属城市临江市" in cover and bulletins.period_label(page.period) in cover and "第1版" in cover
    flat = "".join(pdf_text(path).split())
    assert "比率对比与排名" in flat and "进驻率" in flat and "窗口审批授权率" in flat
    assert "建议引用" in flat and "永久链接" in flat
    permalink = bulletins.permalink(page.get_parent(), page.slug)
    assert permalink and permalink in flat


def test_pdf_is_tagged_for_screen_readers(city_pdf):
    """PDF/UA-1 through WeasyPrint's variant: tagged, with a structure tree and the document language."""
    _page, path = city_pdf
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert "Tagged:          yes" in info
    structure = subprocess.run(["pdfinfo", "-struct", str(path)], capture_output=True, check=True, text=True).stdout
    assert "Document" in structure and ("P" in structure.split() or "Table" in structure)
