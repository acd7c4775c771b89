"""Server-rendered charts as inline SVG: no JavaScript, prints well, and each chart has its data
table beside it (the table is the accessible form; the SVG carries a title and description)."""

from __future__ import annotations

from django.utils.html import escape

# Distinguishable for common colour-vision deficiencies, >= 3:1 against white.
PALETTE = ["#0a5ea8", "#c25e00", "#1b6b34", "#7b3294", "#a4161a", "#4d5b6a"]


def bar_chart(
    chart_id: str, title: str, rows: list[tuple[str, list[float]]], series: list[str]
) -> str:
    """Horizontal grouped bars: one group per row label, one bar per series (year)."""
    label_w, bar_w, value_w = 200, 240, 60
    bar_h, gap = 12, 10
    group_h = bar_h * max(1, len(series)) + gap
    legend_h = 22
    height = legend_h + group_h * max(1, len(rows)) + 4
    width = label_w + bar_w + value_w
    top = max((v for _l, values in rows for v in values), default=0) or 1
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{s} {_fmt(v)}" for s, v in zip(series, values, strict=False))
        for label, values in rows
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    x = label_w
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="13" fill="#1d2733">{escape(s)}</text>'
        )
        x += 14 + 8 * len(s) + 16
    for r, (label, values) in enumerate(rows):
        y0 = legend_h + r * group_h
        out.append(
            f'<text x="{label_w - 6}" y="{y0 + (group_h - gap) / 2 + 4:.1f}" text-anchor="end" '
            f'fill="#1d2733">{escape(_short(label))}</text>'
        )
        for i, v in enumerate(values):
            w = bar_w * (v / top) if v else 0
            y = y0 + i * bar_h
            out.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            )
            out.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" fill="#1d2733">{_fmt(v)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _short(label: str, n: int = 30) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def _fmt(v) -> str:
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.2f}"
    return str(int(v))
