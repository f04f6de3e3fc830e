"""Bulletin charts as plain SVG strings, generated in Python.

Why SVG from Python: the same markup goes inline into the web page (no script, works under a
strict CSP) and into the WeasyPrint PDF, with no charting library or external fonts. Colours are
presentation attributes (not inline styles, which the CSP forbids) plus classes the site CSS can
refine; every chart carries <title> and <desc> so screen readers get the data as text.
"""

import math
from html import escape
from itertools import count

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
INK = "#1f2328"
MUTED = "#4a5159"
GRID = "#d0d7de"
BAR = "#0b57a4"
BAR_HIGHLIGHT = "#a4161a"
LINE_RECEIVED = "#0b57a4"
LINE_COMPLETED = "#a4161a"

_ids = count(1)


def _colon():
    """“：”, or “: ” in English (the tooltips are interface text)."""
    return pgettext("标点", "：")


def _esc(value):
    return escape(str(value), quote=True)


def _text_width(text, size):
    """Rough rendered width: CJK glyphs are square, Latin digits about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in str(text))


def nice_ticks(maximum, target=5):
    """Round axis ticks from 0 to at least `maximum` (1, 2, 2.5 or 5 times a power of ten)."""
    if not maximum or maximum <= 0:
        return [0, 1]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1:
        step = 1
    top = math.ceil(maximum / step) * step
    ticks = []
    value = 0
    while value <= top + step / 1000:
        ticks.append(int(value) if float(value).is_integer() else value)
        value += step
    return ticks


def _fmt(number):
    return f"{number:,}" if isinstance(number, int) else f"{number:,.1f}"


def _open_svg(width, height, title, desc, css_class):
    uid = next(_ids)
    title_id, desc_id = f"chart-title-{uid}", f"chart-desc-{uid}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{_esc(FONT)}" font-size="13" fill="{INK}">',
        f'<title id="{title_id}">{_esc(title)}</title>',
        f'<desc id="{desc_id}">{_esc(desc)}</desc>',
    ]


def _empty(parts, width, height, message):
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{MUTED}" '
        f'class="chart-empty">{_esc(message)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def ranking_bar_chart(ranking, highlight=None, width=640):
    """Horizontal bars of completed cases (办结量) per center, in ranking order.

    `ranking` is the bulletin's list of {"center", "name", "completed", "rank"}; the bar of
    `highlight` (a center code) is drawn in the accent colour.
    """
    rows = list(ranking or [])
    title = _("各中心办结量")
    desc = pgettext("标点", "；").join(
        _("第%(rank)s名 %(name)s 办结 %(completed)s 件")
        % {
            "rank": row.get("rank", ""),
            "name": row.get("name", row.get("center", "")),
            "completed": row.get("completed", 0),
        }
        for row in rows
    ) or _("本期无数据")
    bar_height, gap, top, bottom = 22, 10, 36, 28
    height = top + bottom + max(1, len(rows)) * (bar_height + gap)
    parts = _open_svg(width, height, title, desc, "chart-bars")
    parts.append(f'<text x="0" y="18" font-size="15" font-weight="bold" class="chart-heading">{_esc(title)}</text>')
    if not rows:
        return _empty(parts, width, height, _("本期无数据"))
    label_width = min(220, max(_text_width(row.get("name", ""), 13) for row in rows) + 12)
    value_room = 70
    plot_left, plot_right = label_width, width - value_room
    plot_width = plot_right - plot_left
    ticks = nice_ticks(max(int(row.get("completed") or 0) for row in rows))
    scale = plot_width / ticks[-1] if ticks[-1] else 0
    plot_bottom = top + len(rows) * (bar_height + gap)
    for tick in ticks:
        x = plot_left + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{GRID}" '
            f'stroke-width="1" class="chart-grid"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{plot_bottom + 16}" text-anchor="middle" font-size="{AXIS_FONT}" fill="{MUTED}">'
            f"{_fmt(tick)}</text>"
        )
    for index, row in enumerate(rows):
        y = top + index * (bar_height + gap)
        completed = int(row.get("completed") or 0)
        is_highlight = highlight and row.get("center") == highlight
        colour = BAR_HIGHLIGHT if is_highlight else BAR
        css = "chart-bar chart-bar-highlight" if is_highlight else "chart-bar"
        name = row.get("name", row.get("center", ""))
        weight = ' font-weight="bold"' if is_highlight else ""
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height / 2 + 4.5:.1f}" text-anchor="end"{weight}>'
            f"{_esc(name)}</text>"
        )
        parts.append(
            f'<rect x="{plot_left}" y="{y}" width="{max(completed * scale, 0.5):.1f}" height="{bar_height}" '
            f'fill="{colour}" class="{css}"><title>{_esc(name)}{_colon()}{completed}</title></rect>'
        )
        parts.append(
            f'<text x="{plot_left + completed * scale + 6:.1f}" y="{y + bar_height / 2 + 4.5:.1f}">'
            f"{_fmt(completed)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


AXIS_FONT = 12  # axis labels, in viewBox units; the page never draws a chart below its width


def _month_label(period, first):
    """'2026-01' -> ('1月', '2026年'): the month under every point, the year on a second line
    under the first point and under every January, so neighbouring labels never run together."""
    year, _sep, month = str(period).partition("-")
    month_number = int(month) if month.isdigit() else 0
    year_text = _("%(year)s年") % {"year": year} if first or month_number == 1 else ""
    return _("%(month)s月") % {"month": month_number}, year_text


def _month_axis(parts, points, x_of, baseline, plot_width):
    """Month labels under the plot: every month when they fit side by side, else every n-th."""
    widest = max(_text_width(_month_label(p.get("period", ""), False)[0], AXIS_FONT) for p in points)
    room = plot_width / max(1, len(points) - 1) if len(points) > 1 else plot_width
    label_every = max(1, math.ceil((widest + 8) / room)) if room else 1
    januaries = [i for i, p in enumerate(points) if str(p.get("period", "")).endswith("-01")]
    anchor = januaries[0] % label_every if januaries else 0  # Januaries (with their year) are labelled
    shown = [i for i in range(len(points)) if (i - anchor) % label_every == 0]
    for index in shown:
        month, year = _month_label(points[index].get("period", ""), index == shown[0])
        x = x_of(index)
        parts.append(
            f'<text x="{x:.1f}" y="{baseline}" text-anchor="middle" font-size="{AXIS_FONT}" fill="{MUTED}" '
            f'class="chart-axis-month">{_esc(month)}</text>'
        )
        if year:
            parts.append(
                f'<text x="{x:.1f}" y="{baseline + AXIS_FONT + 3}" text-anchor="middle" font-size="{AXIS_FONT}" '
                f'fill="{MUTED}" class="chart-axis-year">{_esc(year)}</text>'
            )


SERIES = [
    ("received", LINE_RECEIVED, "chart-line-received"),
    ("completed", LINE_COMPLETED, "chart-line-completed"),
]


def trend_line_chart(trend, width=640, height=280):
    """Received (受理量) and completed (办结量) cases over the last twelve months.

    `trend` is a list of {"period": "YYYY-MM", "received": n, "completed": n, ...}, oldest first.
    """
    points = list(trend or [])
    labels = {"received": _("受理量"), "completed": _("办结量")}
    title = _("近12个月受理量与办结量")
    desc = pgettext("标点", "；").join(
        _("%(period)s 受理 %(received)s 件，办结 %(completed)s 件")
        % {"period": p.get("period"), "received": p.get("received", 0), "completed": p.get("completed", 0)}
        for p in points
    ) or _("本期无数据")
    parts = _open_svg(width, height, title, desc, "chart-trend")
    parts.append(f'<text x="0" y="18" font-size="15" font-weight="bold" class="chart-heading">{_esc(title)}</text>')
    # Legend right after the title (so a phone, which scrolls the chart, shows it), at most top right.
    legend_x = min(width - 170, math.ceil(_text_width(title, 15)) + 24)
    for index, (key, colour, css) in enumerate(SERIES):
        x = legend_x + index * 85
        dash = ' stroke-dasharray="6 3"' if key == "received" else ""
        parts.append(
            f'<line x1="{x}" y1="13" x2="{x + 20}" y2="13" stroke="{colour}" stroke-width="3" class="{css}"{dash}/>'
        )
        parts.append(f'<text x="{x + 25}" y="18">{_esc(labels[key])}</text>')
    if not points or not any((p.get("received") or p.get("completed")) for p in points):
        return _empty(parts, width, height, _("本期无数据"))
    left, right, top, bottom = 56, 16, 36, 44
    plot_width, plot_height = width - left - right, height - top - bottom
    maximum = max(max(int(p.get("received") or 0), int(p.get("completed") or 0)) for p in points)
    ticks = nice_ticks(maximum)
    y_scale = plot_height / ticks[-1]
    step = plot_width / max(1, len(points) - 1) if len(points) > 1 else 0
    x_of = (lambda i: left + i * step) if len(points) > 1 else (lambda i: left + plot_width / 2)

    def y_of(value):
        return top + plot_height - value * y_scale

    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1" '
            f'class="chart-grid"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{AXIS_FONT}" fill="{MUTED}">{_fmt(tick)}</text>'
        )
    _month_axis(parts, points, x_of, height - bottom + 18, plot_width)
    for key, colour, css in SERIES:
        coords = [(x_of(i), y_of(int(p.get(key) or 0))) for i, p in enumerate(points)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        dash = ' stroke-dasharray="6 3"' if key == "received" else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash} class="{css}"/>'
        )
        for (x, y), point in zip(coords, points, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}" class="{css}">'
                f"<title>{_esc(point.get('period'))} {_esc(labels[key])}{_colon()}{int(point.get(key) or 0)}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def series_line_chart(points, label, unit="", width=640, height=280):
    """One metric over months: a line with a dot per published month; months without a value
    break the line. `points` are {"period": "YYYY-MM", "value": number | None}, oldest first."""
    points = list(points or [])
    title = label
    desc = pgettext("标点", "；").join(
        f"{p.get('period')} {'—' if p.get('value') is None else _fmt(p['value'])}{unit if p.get('value') is not None else ''}"
        for p in points
    ) or _("本期无数据")
    parts = _open_svg(width, height, title, desc, "chart-series")
    parts.append(f'<text x="0" y="18" font-size="15" font-weight="bold" class="chart-heading">{_esc(title)}</text>')
    known = [p["value"] for p in points if p.get("value") is not None]
    if not known:
        return _empty(parts, width, height, _("本期无数据"))
    left, right, top, bottom = 56, 16, 36, 44
    plot_width, plot_height = width - left - right, height - top - bottom
    ticks = nice_ticks(100 if unit == "%" else max(known))
    if unit == "%" and min(known) >= 50:  # rates near the top: show the band they move in
        low = math.floor((min(known) - 1) / 5) * 5
        step = 1 if 100 - low <= 10 else (5 if 100 - low <= 25 else 10)
        ticks = list(range(100 - ((100 - low) // step + (1 if (100 - low) % step else 0)) * step, 101, step))
    base = ticks[0]
    y_scale = plot_height / (ticks[-1] - base)
    step = plot_width / max(1, len(points) - 1)

    def x_of(i):
        return left + i * step if len(points) > 1 else left + plot_width / 2

    def y_of(value):
        return top + plot_height - (value - base) * y_scale

    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1" '
            f'class="chart-grid"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{AXIS_FONT}" fill="{MUTED}">'
            f"{_fmt(tick)}{_esc(unit)}</text>"
        )
    _month_axis(parts, points, x_of, height - bottom + 18, plot_width)
    segment = []
    for index, point in enumerate([*points, {"value": None}]):
        if point.get("value") is not None:
            segment.append((x_of(index), y_of(point["value"])))
            continue
        if len(segment) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{LINE_RECEIVED}" stroke-width="2.5" '
                f'class="chart-line-series"/>'
            )
        segment = []
    for index, point in enumerate(points):
        if point.get("value") is None:
            continue
        parts.append(
            f'<circle cx="{x_of(index):.1f}" cy="{y_of(point["value"]):.1f}" r="3.5" fill="{LINE_RECEIVED}" '
            f'class="chart-line-series"><title>{_esc(point.get("period"))}{_colon()}{_fmt(point["value"])}{_esc(unit)}'
            f"</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
