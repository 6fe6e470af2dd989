"""The emotion curve as SVG geometry, computed here so the template only places numbers.

The chart is drawn on the server (no script, no chart library) as a line over the stages, left to
right; the vertical axis is the net emotion from −100 (bottom) to +100 (top) with a dashed zero
line. A stage with no experiences in the period breaks the line instead of pretending it was 0.
All coordinates are whole numbers, so no locale can put a decimal comma into the SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 960  # the viewBox width for up to eight stages; wider journeys scroll sideways
HEIGHT = 250
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 64  # room for the axis and two lines of stage name
MIN_STEP = 110
CHAR_WIDTH = 9  # a stage label's characters, Cyrillic ones too, are at most ~9 units wide
LINE_HEIGHT = 17


@dataclass(frozen=True)
class CurvePoint:
    x: int
    y: int
    label_lines: list[str]  # the stage's name, wrapped (and shortened) to fit under its point
    full_name: str
    net: float | None

    @property
    def has_data(self) -> bool:
        return self.net is not None

    @property
    def value_label(self) -> str:
        return "—" if self.net is None else f"{round(self.net):+d}".replace("-", "−")

    @property
    def tone(self) -> str:
        """negative / ok / wow, the same colours as the emotion bars."""
        if self.net is None or round(self.net) == 0:
            return "ok"
        return "wow" if self.net > 0 else "negative"


@dataclass(frozen=True)
class Tick:
    y: int
    label: str


@dataclass(frozen=True)
class CurveChart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    label_y: int  # baseline of a stage name's first line; the second is LINE_HEIGHT lower
    points: list[CurvePoint]
    lines: list[str]  # polyline "x,y x,y …" strings, one per unbroken run of stages with data
    ticks: list[Tick]

    @property
    def line_height(self) -> int:
        return LINE_HEIGHT

    @property
    def zero_y(self) -> int:
        return _y(0)

    @property
    def has_data(self) -> bool:
        return any(point.has_data for point in self.points)


def _y(net: float) -> int:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + (100 - net) / 200 * plot)


def _wrap(name: str, room: int, lines: int = 2) -> list[str]:
    """Break a stage name into at most ``lines`` lines of ``room`` units; cut the rest with …"""
    chars = max(4, room // CHAR_WIDTH)
    wrapped: list[str] = []
    words = name.split()
    while words and len(wrapped) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= chars:
            line += " " + words.pop(0)
        wrapped.append(line)
    if words:
        last = " ".join([wrapped[-1], *words])
        wrapped[-1] = last[: chars - 1].rstrip() + "…"
    return [line if len(line) <= chars else line[: chars - 1] + "…" for line in wrapped]


def emotion_curve(names: list[str], nets: list[float | None]) -> CurveChart:
    """Lay out one point per stage; ``nets`` are %WOW − %negative or None (no experiences)."""
    count = max(len(names), 1)
    width = max(WIDTH, LEFT + RIGHT + count * MIN_STEP)
    step = (width - LEFT - RIGHT) / count
    points = [
        CurvePoint(
            x=round(LEFT + step * (i + 0.5)),
            y=_y(net if net is not None else 0),
            label_lines=_wrap(name, round(step) - 12),
            full_name=name,
            net=net,
        )
        for i, (name, net) in enumerate(zip(names, nets, strict=True))
    ]
    lines, run = [], []
    for point in [*points, None]:
        if point is not None and point.has_data:
            run.append(f"{point.x},{point.y}")
            continue
        if len(run) > 1:
            lines.append(" ".join(run))
        run = []
    return CurveChart(
        width=width,
        height=HEIGHT,
        left=LEFT,
        right=width - RIGHT,
        label_y=HEIGHT - BOTTOM + 26,
        points=points,
        lines=lines,
        ticks=[
            Tick(_y(v), f"{v:+d}".replace("-", "−") if v else "0") for v in (100, 50, 0, -50, -100)
        ],
    )
