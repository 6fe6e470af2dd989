"""Small SVG charts of the insights page, computed here so the template only places numbers.

Drawn on the server (no script, no inline style: the CSP forbids both), in whole-number
coordinates so no locale can put a decimal comma into the SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

SPARK_BAR = 10  # width of one week's bar, gap included
SPARK_HEIGHT = 28


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    value: int
    label: str


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    bars: list[Bar]


def sparkline(values: list[int], labels: list[str]) -> Sparkline:
    """One bar per value, scaled to the largest; an empty week keeps a 1-unit stub."""
    top = max(values, default=0) or 1
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = max(1, round(value / top * (SPARK_HEIGHT - 2)))
        bars.append(Bar(i * SPARK_BAR, SPARK_HEIGHT - height, SPARK_BAR - 2, height, value, label))
    return Sparkline(len(values) * SPARK_BAR, SPARK_HEIGHT, bars)


@dataclass(frozen=True)
class Segment:
    emotion: str
    x: int
    width: int
    share: int


def stacked(shares: dict[str, int]) -> list[Segment]:
    """A 100-unit-wide bar: negative, then OK, then WOW (shares in whole percent)."""
    segments, x = [], 0
    for emotion in ("negative", "ok", "wow"):
        width = shares.get(emotion, 0)
        segments.append(Segment(emotion, x, width, width))
        x += width
    return segments
