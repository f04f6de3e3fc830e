"""Bulletin charts (disclosures/charts.py): axis labels that never run together and are large
enough to read; the page keeps a chart at its drawn width (scrolling) instead of shrinking it."""

import re

from django.utils import translation

from disclosures import charts


def _trend(first_year=2025, first_month=12, months=12):
    points = []
    year, month = first_year, first_month
    for index in range(months):
        points.append({"period": f"{year}-{month:02d}", "received": 100 + index, "completed": 90 + index})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points


def _labels(svg):
    """(x, y, font size, text) of every axis label under the plot."""
    pattern = r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle" font-size="(\d+)"[^>]*class="chart-axis-(?:month|year)">([^<]+)</text>'
    return [(float(x), float(y), int(size), text) for x, y, size, text in re.findall(pattern, svg)]


def _assert_no_overlap(labels):
    rows = {}
    for x, y, size, text in labels:
        assert size >= 12, text
        rows.setdefault(y, []).append((x - charts._text_width(text, size) / 2, x + charts._text_width(text, size) / 2))
    for spans in rows.values():
        spans.sort()
        for (_l1, right), (left, _r2) in zip(spans, spans[1:], strict=False):
            assert right + 4 <= left, spans


def test_trend_axis_labels_do_not_run_together():
    with translation.override("zh-hans"):
        svg = str(charts.trend_line_chart(_trend()))
    labels = _labels(svg)
    texts = [text for _x, _y, _s, text in labels]
    assert "2025年12月2026年1月" not in "".join(texts)
    assert texts.count("12月") == 1 and "1月" in texts and "2025年" in texts and "2026年" in texts
    assert len([t for t in texts if t.endswith("月")]) == 12  # every month fits
    _assert_no_overlap(labels)
    assert 'font-size="11"' not in svg


def test_long_series_labels_every_nth_month_with_januaries():
    points = [{"period": p["period"], "value": 90.0 + i % 5} for i, p in enumerate(_trend(2023, 5, 40))]
    with translation.override("zh-hans"):
        svg = str(charts.series_line_chart(points, "按时办结率", "%"))
    labels = _labels(svg)
    texts = [text for _x, _y, _s, text in labels]
    assert 0 < len([t for t in texts if t.endswith("月")]) < 40
    assert {"2024年", "2025年", "2026年"} <= set(texts)  # every January is labelled with its year
    _assert_no_overlap(labels)


def test_english_axis_labels():
    with translation.override("en"):
        svg = str(charts.trend_line_chart(_trend()))
    texts = [text for _x, _y, _s, text in _labels(svg)]
    assert "2025" in texts and "2026" in texts and "12" in texts
    assert "月" not in "".join(texts)
