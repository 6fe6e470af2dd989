"""The before/after chart of an improvement as SVG geometry; the template only places numbers.

One bar per week for the share of negative experiences, weeks before the ship date in grey and
weeks after it in the brand colour, a dashed vertical line at the ship date and a horizontal line
over each period at that period's overall share. Drawn on the server (no script, no inline style:
colours come from classes in ``loop/loop.css``); coordinates are whole numbers so no locale can put
a decimal comma into the SVG. The same numbers are in a table beside it for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats

from .effects import Effect

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    after: bool
    label: str
    title: str
    show_label: bool


@dataclass(frozen=True)
class Level:
    x1: int
    x2: int
    y: int
    after: bool


@dataclass(frozen=True)
class Tick:
    y: int
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    baseline: int
    ship_x: int
    bars: list[Bar]
    levels: list[Level]
    ticks: list[Tick]


def _nice_top(value: float) -> int:
    for top in (10, 20, 25, 40, 50, 60, 80, 100):
        if value <= top:
            return top
    return 100


def effect_chart(effect: Effect) -> Chart | None:
    if not effect.series or not effect.measurable:
        return None
    shares = [p.negative_share for p in effect.series if p.negative_share is not None]
    top = _nice_top(max(shares, default=0.0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    step = plot_w / len(effect.series)
    bar_w = max(2, round(step * 0.7))

    def y(share: float) -> int:
        return round(baseline - plot_h * min(share, top) / top)

    bars: list[Bar] = []
    every = max(1, round(len(effect.series) / 8))
    for index, point in enumerate(effect.series):
        share = point.negative_share
        x = round(LEFT + step * index + (step - bar_w) / 2)
        top_y = y(share) if share is not None else baseline
        label = formats.date_format(point.monday, "SHORT_DATE_FORMAT")
        value = "—" if share is None else f"{formats.number_format(share, 1)}%"
        bars.append(
            Bar(
                x=x,
                y=top_y,
                width=bar_w,
                height=baseline - top_y,
                after=point.after,
                label=label,
                title=f"{label}: {value} ({point.negative}/{point.experiences})",
                show_label=index % every == 0,
            )
        )
    ship_index = sum(not p.after for p in effect.series)
    ship_x = round(LEFT + step * ship_index)
    levels = []
    for period, after, x1, x2 in (
        (effect.before, False, LEFT, ship_x),
        (effect.after, True, ship_x, round(LEFT + step * len(effect.series))),
    ):
        if period is not None and period.negative_share is not None and x2 > x1:
            levels.append(Level(x1, x2, y(period.negative_share), after))
    ticks = [Tick(y(v), f"{v}%") for v in (0, top // 2, top)]
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, baseline, ship_x, bars, levels, ticks)
