"""The item's procedure (办理流程) as a flow diagram: server-rendered SVG, no script needed.

One box per step, top to bottom, joined by arrows; each box shows the step's name and its time
limit. Text is escaped; long names wrap at a fixed number of characters (CJK text has no spaces).
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 320
BOX_WIDTH = 280
LINE = 20
CHARS_PER_LINE = 13
GAP = 28


def _lines(text):
    text = str(text or "").strip()
    return [text[i : i + CHARS_PER_LINE] for i in range(0, len(text), CHARS_PER_LINE)][:3] or [""]


def flow_svg(steps, title):
    """An accessible SVG (role=img, <title>) of the steps, or "" when there are fewer than two."""
    steps = list(steps)
    if len(steps) < 2:
        return ""
    parts, y = [], 10
    left = (WIDTH - BOX_WIDTH) // 2
    for index, step in enumerate(steps, start=1):
        lines = _lines(f"{index}. {step.name}")
        if step.time_limit:
            lines.append(f"（{step.time_limit}）"[: CHARS_PER_LINE + 2])
        height = 16 + LINE * len(lines)
        parts.append(
            f'<rect x="{left}" y="{y}" width="{BOX_WIDTH}" height="{height}" rx="8" '
            'fill="#ffffff" stroke="#a4161a" stroke-width="2"/>'
        )
        for number, line in enumerate(lines):
            weight = "700" if number == 0 else "400"
            parts.append(
                f'<text x="{WIDTH // 2}" y="{y + 24 + LINE * number}" text-anchor="middle" '
                f'font-size="15" font-weight="{weight}" fill="#1f2328">{escape(line)}</text>'
            )
        y += height
        if index < len(steps):
            mid = WIDTH // 2
            parts.append(f'<line x1="{mid}" y1="{y}" x2="{mid}" y2="{y + GAP - 6}" stroke="#1f2328" stroke-width="2"/>')
            parts.append(
                f'<polygon points="{mid - 6},{y + GAP - 10} {mid + 6},{y + GAP - 10} {mid},{y + GAP - 1}" fill="#1f2328"/>'
            )
            y += GAP
    height = y + 10
    label = escape(title)
    svg = (
        f'<svg class="flowchart" role="img" aria-labelledby="flow-title" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="flow-title">{label}</title>{"".join(parts)}</svg>'
    )
    return mark_safe(svg)
