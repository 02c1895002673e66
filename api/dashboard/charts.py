"""The dashboard's charts as SVG drawn on the server: no script, no ``style`` attribute (the pages'
CSP allows styles from /static only; colours and fonts are classes of ``static/admin.css``). Each
chart is an image named by its title and a sentence that sums it up (``role="img"`` +
``aria-labelledby``); the page puts a table of the same numbers right after it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 40


@dataclass(frozen=True)
class Series:
    """One stacked part of the bars: its CSS class and its values, one per day."""

    css: str
    label: str
    values: Sequence[int]


def _ticks(top: int) -> list[int]:
    """Up to five round values from 0 to at least ``top``."""
    if top <= 4:
        return list(range(0, max(top, 1) + 1))
    step = 1
    for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        step = s
        if top / s <= 5:
            break
    else:
        step = 10 ** len(str(top // 5))
    n = -(-top // step)
    return [i * step for i in range(n + 1)]


def bar_chart(
    chart_id: str, title: str, summary: str, days: Sequence[date], series: Sequence[Series]
) -> Markup:
    """Bars per day, the series stacked bottom to top."""
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    ticks = _ticks(max(totals, default=0))
    top = ticks[-1] or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(days), 1)
    slot = plot_w / n
    bar_w = max(1.0, min(slot * 0.8, 48.0))

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" focusable="false">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(summary)}</desc>',
        '<g class="grid">',
    ]
    for t in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t}</text>'
        )
    parts.append("</g>")
    parts.append('<g class="bars">')
    for i in range(len(days)):
        x = LEFT + i * slot + (slot - bar_w) / 2
        base = 0
        for s in series:
            v = s.values[i]
            if v:
                parts.append(
                    f'<rect class="{escape(s.css)}" x="{x:.1f}" y="{y(base + v):.1f}" width="{bar_w:.1f}" '
                    f'height="{y(base) - y(base + v):.1f}"/>'
                )
            base += v
    parts.append("</g>")
    # Day labels: the first, the last and a few between, never overlapping.
    if days:
        every = max(1, -(-len(days) // 8))
        shown = sorted({*range(0, len(days), every), len(days) - 1})
        parts.append('<g class="days">')
        for i in shown:
            if i != len(days) - 1 and len(days) - 1 - i < every:
                continue
            cx = LEFT + (i + 0.5) * slot
            parts.append(
                f'<text class="tick" x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{days[i].strftime('%d/%m')}</text>"
            )
        parts.append("</g>")
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
        f'<text class="axis-label" x="{LEFT}" y="{HEIGHT - 4}">jours (heure locale)</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
