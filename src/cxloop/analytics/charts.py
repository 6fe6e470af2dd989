"""Chart specifications for the dashboard and the metric explorer.

Which charting library, and why
-------------------------------
Charts are drawn in the browser by **Chart.js 4** (MIT licence), a copy of whose UMD build is
served from our own static files (``analytics/static/analytics/vendor/chart.umd.min.js``, with its
licence beside it; the ``sourceMappingURL`` line is dropped so ``collectstatic`` needs no map file).
Nothing is loaded from a CDN, and the page's Content-Security-Policy (``script-src 'self'``,
``style-src 'self'``, no ``unsafe-eval``) holds: Chart.js draws on a ``<canvas>``, evaluates no
strings and injects no ``<style>`` element (checked: the build contains no ``eval``,
``new Function``, ``insertRule`` or style element). It is 210 kB, and a click on a point or bar
reports the element's index, so each point carries the URL of the answers behind it.

The alternatives, weighed against the same rules:

- **plotly** (MIT; its PyPI wheel ships ``plotly.min.js``): 4.6 MB, and under a strict
  ``style-src`` it still injects style rules and breaks its mode bar and text styling
  (plotly.js issues #7543 and the open PR #7256).
- **bokeh** (BSD): BokehJS needs ``unsafe-eval`` (bokeh issue #12875) and ships inline
  ``<script>`` embeds.
- **matplotlib** server-side SVG (PSF-style): its SVG carries ``style="…"`` attributes, which
  ``style-src 'self'`` blocks when the SVG is inlined, and an ``<img>`` loses the drill-down
  links; it also costs tens of milliseconds per figure, against a 300 ms page budget.
- **ECharts** (Apache-2.0): fine on CSP with its canvas renderer, but five times the size, and
  the one PyPI package that claims to ship it (``django-static-echarts`` 5.4.3.3) contains no
  JavaScript at all.

Chart.js is published on npm, not PyPI; like Django's admin (which vendors jQuery and Select2),
we keep the one file in the repository, so installing cxloop downloads nothing at run time. To
upgrade: ``npm pack chart.js@4`` and copy ``dist/chart.umd.min.js`` without its last line.

What this module does
---------------------
It turns selector results (``MetricValue`` series, emotion mixes, drivers) into small JSON
documents that a template embeds with ``json_script`` and ``analytics/charts.js`` hands to
Chart.js. No metric is computed here: values, margins and intervals come from
:mod:`cxloop.analytics.selectors`; this module only arranges them and attaches links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

# Colours match web/cxloop.css (--brand, --negative, --ok, --wow); kept here so a chart reads the
# same as the tiles next to it.
BRAND = "#0f766e"
BAND = "rgba(15, 118, 110, 0.15)"
EMOTION_COLOURS = {"negative": "#b91c1c", "ok": "#9ca3af", "wow": "#047857"}
QUADRANT_COLOURS = {"fix": "#b91c1c", "keep": "#047857", "watch": "#b45309", "minor": "#9ca3af"}


@dataclass(frozen=True)
class Point:
    """One bucket of a series as charts see it: a label, a value and where its answers are."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0
    small: bool = False
    url: str = ""


def bucket_label(start: date, grain: str) -> str:
    """A bucket's start, written the way the reader's language writes dates."""
    if grain == "month":
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    return formats.date_format(start, "SHORT_DATE_FORMAT")


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def points_from_series(
    series: Iterable[tuple[date, Any]], grain: str, url_for: Callable[[date], str]
) -> list[Point]:
    """``metric_series`` rows (bucket start, ``MetricValue``) as chart points with links."""
    return [
        Point(
            label=bucket_label(start, grain),
            value=_round(value.value),
            low=_round(value.low),
            high=_round(value.high),
            n=value.n,
            small=value.small,
            url=url_for(start),
        )
        for start, value in series
    ]


def sparkline(points: Sequence[Point], *, label: str, unit: str = "") -> dict:
    """A tile's trend: a bare line, the last point emphasised, every point a link."""
    return {
        "kind": "sparkline",
        "label": str(label),
        "unit": unit,
        "labels": [p.label for p in points],
        "values": [p.value for p in points],
        "n": [p.n for p in points],
        "urls": [p.url for p in points],
        "colour": BRAND,
    }


def line_with_band(points: Sequence[Point], *, label: str, unit: str = "") -> dict:
    """A metric over time with its 95% interval drawn as a band around the line.

    Buckets with too few answers keep their point (hollow) so a reader sees them, with the band
    left off where the selector gave no interval.
    """
    return {
        "kind": "band",
        "label": str(label),
        "unit": unit,
        "labels": [p.label for p in points],
        "values": [p.value for p in points],
        "low": [p.low for p in points],
        "high": [p.high for p in points],
        "n": [p.n for p in points],
        "small": [p.small for p in points],
        "urls": [p.url for p in points],
        "colour": BRAND,
        "band": BAND,
        "bandLabel": _("Interval (95%)"),
        "answersLabel": _("answers"),
        "smallLabel": _("small group"),
    }


def emotion_bars(
    rows: Iterable[tuple[date, dict[str, int]]],
    grain: str,
    url_for: Callable[[date, str], str],
) -> dict:
    """Stacked bars of negative / OK / WOW counts per bucket; each segment links to its answers."""
    names = {"negative": _("Negative"), "ok": _("OK"), "wow": _("WOW")}
    rows = list(rows)
    return {
        "kind": "stacked",
        "labels": [bucket_label(start, grain) for start, _mix in rows],
        "datasets": [
            {
                "key": emotion,
                "label": str(names[emotion]),
                "colour": EMOTION_COLOURS[emotion],
                "values": [mix.get(emotion, 0) for _start, mix in rows],
                "urls": [url_for(start, emotion) for start, _mix in rows],
            }
            for emotion in ("negative", "ok", "wow")
        ],
    }


def priority_matrix(drivers: Iterable[Any], *, url_for: Callable[[Any], str]) -> dict:
    """Key drivers as a scatter: how often a topic or touchpoint comes up (x, % of the metric's
    answers) against how much the metric differs when it does (y, with − without).

    The quadrants are the usual reading of such a matrix: frequent and harmful first ("fix"),
    frequent and helpful ("keep"), rare and harmful ("watch"), rare and mild ("minor"). The split
    is at the median share, so half the drivers fall on each side whatever the data. Drivers
    without a difference (every answer mentions them) have no place on it and are left out.
    """
    placed = [d for d in drivers if d.difference is not None]
    shares = sorted(float(d.share) for d in placed)
    middle = shares[len(shares) // 2] if shares else 0.0
    points = []
    for d in placed:
        share, difference = float(d.share), float(d.difference)
        if share >= middle:
            quadrant = "fix" if difference < 0 else "keep"
        else:
            quadrant = "watch" if difference < 0 else "minor"
        points.append(
            {
                "label": str(d.label),
                "kind": str(d.kind),
                "x": round(share, 1),
                "y": round(difference, 1),
                "n": d.n,
                "small": bool(d.small),
                "quadrant": quadrant,
                "colour": QUADRANT_COLOURS[quadrant],
                "url": url_for(d),
            }
        )
    return {
        "kind": "matrix",
        "points": points,
        "xLabel": _("Share of answers that mention it (%)"),
        "yLabel": _("Difference in the metric when mentioned"),
        "splitX": round(middle, 1),
    }
