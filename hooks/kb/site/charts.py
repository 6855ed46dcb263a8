"""Geometry for the build-time SVG bar charts (rendering is in a template)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LABEL_ROOM = 40  # chart units a year label needs at the chart font size (kb.css: .kb-svg)


@dataclass
class Bar:
    label: str
    value: int
    length: float
    thickness: float
    x: float = 0.0
    y: float = 0.0


@dataclass
class BarChart:
    title: str
    horizontal: bool
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    label_width: int = 0
    plot_bottom: float = 0.0
    label_every: int = 1  # vertical charts: label every n-th bar (counted from the last) so labels never overlap


def horizontal_bars(title: str, items: list[tuple[str, int]], width: int = 360,
                    bar: int = 18, gap: int = 6, label_width: int = 150) -> BarChart:
    top = max((v for _, v in items), default=0) or 1
    room = width - label_width - 40
    chart = BarChart(title, True, width, max(1, len(items)) * (bar + gap) + gap, label_width=label_width)
    for i, (label, value) in enumerate(items):
        chart.bars.append(Bar(label, value, round(room * value / top, 1), bar, y=gap + i * (bar + gap)))
    return chart


def vertical_bars(title: str, items: list[tuple[str, int]], width: int = 360, height: int = 200,
                  gap: int = 6) -> BarChart:
    top = max((v for _, v in items), default=0) or 1
    plot_bottom = height - 24
    room = plot_bottom - 20
    n = max(1, len(items))
    thickness = max(6.0, min(40.0, (width - gap) / n - gap))
    chart = BarChart(title, False, max(width, int(n * (thickness + gap) + gap)), height, plot_bottom=plot_bottom,
                     label_every=max(1, math.ceil(LABEL_ROOM / (thickness + gap))))
    for i, (label, value) in enumerate(items):
        chart.bars.append(Bar(label, value, round(room * value / top, 1), round(thickness, 1),
                              x=round(gap + i * (thickness + gap), 1)))
    return chart
