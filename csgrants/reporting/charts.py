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


def band_chart(
    chart_id: str,
    title: str,
    rows: list[tuple[str, tuple | None]],
    start,
    marker=None,
    marker_label: str = "",
) -> str:
    """Horizontal bands on a date axis from `start`: one row per label, a bar from P10 to P90
    with a tick at P50 (`rows`: (label, (p10, p50, p90) dates or None)). `marker` draws a dashed
    vertical line at that date (the warning horizon). Rows without dates show only their label."""
    import datetime as dt

    label_w, plot_w, right_w = 200, 300, 10
    row_h, top_h = 22, 26
    height = top_h + row_h * max(1, len(rows)) + 18
    width = label_w + plot_w + right_w
    ends = [b[2] for _l, b in rows if b] + ([marker] if marker else [])
    end = max(ends, default=start + dt.timedelta(days=7))
    span = max(7, (end - start).days)
    end = start + dt.timedelta(days=round(span * 1.08))  # room for the marker's label
    span = (end - start).days

    def x(day) -> float:
        return label_w + plot_w * min(1.0, max(0.0, (day - start).days / span))

    desc = "; ".join(
        f"{label}: "
        + (f"P10 {b[0]:%d/%m/%Y}, P50 {b[1]:%d/%m/%Y}, P90 {b[2]:%d/%m/%Y}" if b else "-")
        for label, b in rows
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<text x="{label_w}" y="12" fill="#1d2733">{start:%d/%m/%Y}</text>',
        f'<text x="{label_w + plot_w}" y="12" text-anchor="end" fill="#1d2733">{end:%d/%m/%Y}</text>',
        f'<line x1="{label_w}" y1="{top_h - 6}" x2="{label_w}" y2="{height - 16}" stroke="#4d5b6a"/>',
    ]
    if marker:
        mx = x(marker)
        out.append(
            f'<line x1="{mx:.1f}" y1="{top_h - 6}" x2="{mx:.1f}" y2="{height - 16}" '
            f'stroke="#a4161a" stroke-dasharray="4 3"/>'
            f'<text x="{mx:.1f}" y="{height - 4}" text-anchor="end" fill="#a4161a">'
            f"{escape(marker_label)}</text>"
        )
    for r, (label, band) in enumerate(rows):
        y = top_h + r * row_h
        out.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" fill="#1d2733">'
            f"{escape(_short(label))}</text>"
        )
        if not band:
            out.append(f'<text x="{label_w + 4}" y="{y + 14}" fill="#4d5b6a">-</text>')
            continue
        x10, x50, x90 = (x(d) for d in band)
        out.append(
            f'<rect x="{x10:.1f}" y="{y + 4}" width="{max(2.0, x90 - x10):.1f}" height="{row_h - 8}" '
            f'fill="{PALETTE[0]}" fill-opacity="0.35" stroke="{PALETTE[0]}"/>'
            f'<line x1="{x50:.1f}" y1="{y + 2}" x2="{x50:.1f}" y2="{y + row_h - 2}" '
            f'stroke="{PALETTE[1]}" stroke-width="3"/>'
        )
    out.append("</svg>")
    return "".join(out)


def line_chart(
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float]]],
    marks: list[tuple[int, str]] = (),
) -> str:
    """Lines over ordered categories (months): one line per series, with vertical marks at the
    given category indexes (policy versions, package introductions), numbered in the chart and
    named in the description and the table beside it."""
    left, plot_w, plot_h, top = 50, 440, 160, 30
    width, height = left + plot_w + 20, top + plot_h + 40
    n = max(1, len(labels) - 1)
    peak = max((v for _s, values in series for v in values), default=0) or 1

    def px(i: int) -> float:
        return left + plot_w * i / n

    def py(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    desc = "; ".join(
        f"{s}: " + ", ".join(f"{lab} {_fmt(v)}" for lab, v in zip(labels, values, strict=False))
        for s, values in series
    )
    if marks:
        desc += "; " + "; ".join(
            f"{k + 1}: {labels[i] if i < len(labels) else ''} {text}"
            for k, (i, text) in enumerate(marks)
        )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#4d5b6a"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="#1d2733">{_fmt(peak)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="#1d2733">0</text>',
    ]
    if labels:
        out.append(
            f'<text x="{left}" y="{top + plot_h + 14}" fill="#1d2733">{escape(labels[0])}</text>'
        )
        out.append(
            f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end" fill="#1d2733">'
            f"{escape(labels[-1])}</text>"
        )
    for k, (i, _text) in enumerate(marks):
        mx = px(i)
        out.append(
            f'<line x1="{mx:.1f}" y1="{top - 10}" x2="{mx:.1f}" y2="{top + plot_h}" stroke="#4d5b6a" '
            f'stroke-dasharray="3 3"/><text x="{mx + 2:.1f}" y="{top - 12 + 10 * (k % 2)}" fill="#1d2733">{k + 1}</text>'
        )
    x = left
    for s_i, (name, values) in enumerate(series):
        colour = PALETTE[s_i % len(PALETTE)]
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(values))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{height - 5}" fill="#1d2733">{escape(name)}</text>'
        )
        x += 14 + 7 * len(name) + 16
    out.append("</svg>")
    return "".join(out)
