"""Geometry for the build-time SVG bar charts (rendering is in a template)."""

from __future__ import annotations

from dataclasses import dataclass, field


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


def horizontal_bars(title: str, items: list[tuple[str, int]], width: int = 560,
                    bar: int = 16, gap: int = 6, label_width: int = 190) -> BarChart:
    top = max((v for _, v in items), default=0) or 1
    room = width - label_width - 40
    chart = BarChart(title, True, width, max(1, len(items)) * (bar + gap) + gap, label_width=label_width)
    for i, (label, value) in enumerate(items):
        chart.bars.append(Bar(label, value, round(room * value / top, 1), bar, y=gap + i * (bar + gap)))
    return chart


def vertical_bars(title: str, items: list[tuple[str, int]], width: int = 560, height: int = 220,
                  gap: int = 6) -> BarChart:
    top = max((v for _, v in items), default=0) or 1
    plot_bottom = height - 24
    room = plot_bottom - 20
    n = max(1, len(items))
    thickness = max(6.0, min(40.0, (width - gap) / n - gap))
    chart = BarChart(title, False, max(width, int(n * (thickness + gap) + gap)), height, plot_bottom=plot_bottom)
    for i, (label, value) in enumerate(items):
        chart.bars.append(Bar(label, value, round(room * value / top, 1), round(thickness, 1),
                              x=round(gap + i * (thickness + gap), 1)))
    return chart
