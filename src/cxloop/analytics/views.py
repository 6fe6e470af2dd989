"""The dashboard, the metric explorer and the answers behind every number.

Views parse the query string (:mod:`.forms`), ask :mod:`.selectors` for the numbers, shape charts
(:mod:`.charts`) and render; no metric is computed here. Every table a page shows downloads with
the same query string plus ``format=csv`` (or ``format=parquet``), and ``table=`` where a page
shows several, through :mod:`.export`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode as query_string

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role
from cxloop.customers.models import Stance

from . import charts, export, selectors
from .forms import DIMENSION_LABELS, AnswersForm, ExplorerForm, SliceForm, default_grain
from .metrics import METRICS, STANCE_METRICS, MetricValue
from .selectors import Comparison, Slice

# The dashboard's tiles, in reading order; the stance mix has a tile of its own.
TILES = ("nps", "csat", "ces", "wow_rate", "negative_share", "response_rate")
STANCE_OF = {
    "prosecutors": Stance.PROSECUTOR,
    "neutrals": Stance.NEUTRAL,
    "advocates": Stance.ADVOCATE,
}
ANSWERS_PER_PAGE = 25
# Counting every answer of a wide slice at ten million rows costs more than the page itself.
ANSWERS_COUNT_CAP = 10_000
DOWNLOAD_FORMATS = export.FORMATS


# --- how a metric is shown ------------------------------------------------------------------

# NPS is in points (−100…+100) and CES a mean on 1–7: neither takes a "%".
SUFFIX = {"%": "%", "points": "", "score": ""}
DIGITS = {"%": 1, "points": 1, "score": 2}
# For these, a fall is good news (green), a rise bad (red).
LOWER_IS_BETTER = {"negative_share", "prosecutors"}


@dataclass(frozen=True)
class Shown:
    """A registry metric with what a page needs to print it: suffix, decimals, direction."""

    key: str
    label: str
    help: str
    suffix: str
    diff_suffix: str  # a difference of two percentages is in percentage points
    digits: int
    higher_is_better: bool
    drillable: bool  # counted from answers, so the answers behind it can be listed


def shown(key: str) -> Shown:
    metric = METRICS[key]
    return Shown(
        key=key,
        label=str(metric.label),
        help=str(metric.help_text),
        suffix=SUFFIX.get(metric.unit, ""),
        diff_suffix=" " + _("pp") if metric.unit == "%" else "",
        digits=DIGITS.get(metric.unit, 1),
        higher_is_better=key not in LOWER_IS_BETTER,
        drillable=metric.source == "ledger",
    )


# --- downloads: one small helper for every table ------------------------------------------


@dataclass
class Table:
    """A table as a page shows it, kept so the same rows download as CSV or Parquet."""

    name: str
    columns: list[export.Column]
    rows: list[list[Any]] = field(default_factory=list)


def _col(name: Any, kind: str = "float") -> export.Column:
    return export.Column(str(name), kind)


def _download_format(request: HttpRequest) -> str | None:
    wanted = request.GET.get("format")
    return wanted if wanted in DOWNLOAD_FORMATS else None


def _table_download(request: HttpRequest, tables: list[Table]) -> HttpResponse:
    wanted = request.GET.get("table") or tables[0].name
    for table in tables:
        if table.name == wanted:
            return export.table_response(
                _download_format(request) or "csv",
                table.columns,
                table.rows,
                f"cxloop-{table.name}",
            )
    return _plain_error(
        _("There is no table %(table)s here; choose one of: %(names)s.")
        % {"table": wanted, "names": ", ".join(t.name for t in tables)}
    )


def _plain_error(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _invalid(request: HttpRequest, template: str, form: forms.Form, **context: Any) -> HttpResponse:
    """A bad query string: the page with the form and its errors, and no numbers."""
    if _download_format(request):
        return _plain_error("; ".join(str(e) for errors in form.errors.values() for e in errors))
    return render(request, template, {"form": form, "invalid": True, **context}, status=400)


def _value_cells(value: MetricValue) -> list[Any]:
    return [value.value, value.low, value.high, value.n, value.small]


def _value_columns() -> list[export.Column]:
    return [
        _col(_("value")),
        _col(_("low (95%)")),
        _col(_("high (95%)")),
        _col(_("answers"), "int"),
        _col(_("small group"), "bool"),
    ]


# --- links ------------------------------------------------------------------------------------


def bucket_end(start: date, grain: str) -> date:
    """The first day after a bucket that starts on ``start``."""
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    return (start.replace(day=1) + timedelta(days=32)).replace(day=1)


def slice_params(slice_: Slice) -> dict[str, str]:
    """A slice as the query string the forms read back (a custom period, end included)."""
    params = {
        "period": "custom",
        "start": slice_.start.isoformat(),
        "end": (slice_.end - timedelta(days=1)).isoformat(),
    }
    params.update({key: str(value) for key, value in slice_.filters.items()})
    return params


@lru_cache(maxsize=32)
def _path(route: str, prefix: str) -> str:
    """``reverse`` once per route and script prefix: a dashboard links ~100 numbers."""
    return reverse(route)


def answers_url(slice_: Slice, metric: str = "", bucket: str = "", **extra: Any) -> str:
    params = slice_params(slice_)
    if metric:
        params["metric"] = metric
    if bucket:
        params["bucket"] = bucket
    params.update({k: str(v) for k, v in extra.items()})
    return f"{_path('analytics:answers', get_script_prefix())}?{query_string(params)}"


def _within(slice_: Slice, start: date, grain: str) -> Slice:
    """The part of ``slice_`` that one bucket of a series covers."""
    return Slice(
        start=max(start, slice_.start),
        end=min(bucket_end(start, grain), slice_.end),
        filters=slice_.filters,
    )


def _bucket_links(slice_: Slice, grain: str, metric: Shown) -> Callable[[date], str]:
    if not metric.drillable:
        return lambda start: ""
    return lambda start: answers_url(_within(slice_, start, grain), metric.key)


def _emotion_chart(slice_: Slice, grain: str) -> dict:
    return charts.emotion_bars(
        selectors.emotion_mix_series(slice_, grain),
        grain,
        lambda start, emotion: answers_url(
            _within(slice_, start, grain), "negative_share", emotion
        ),
    )


# --- the dashboard ----------------------------------------------------------------------------


@dataclass
class Tile:
    metric: Shown
    comparison: Comparison
    chart: dict
    answers_url: str
    explore_url: str

    @property
    def key(self) -> str:
        return self.metric.key

    @property
    def value(self) -> MetricValue:
        return self.comparison.a

    @property
    def chart_id(self) -> str:
        return f"spark-{self.key}"

    @cached_property
    def change_class(self) -> str:
        """Green or red only when the change is more than noise; grey otherwise."""
        c = self.comparison
        if c.diff is None or not c.significant or c.small:
            return "change-flat"
        return "change-good" if (c.diff > 0) == self.metric.higher_is_better else "change-bad"


@dataclass
class StanceShare:
    metric: Shown
    value: MetricValue
    width: int  # percent of the bar, for the .w-N classes (no inline styles under the CSP)
    url: str


def _tiles(form: SliceForm) -> list[Tile]:
    current, previous = form.slice(), form.previous_slice()
    grain = default_grain(form.days)
    tiles = []
    for key in TILES:
        if key not in METRICS:
            continue
        metric = shown(key)
        points = charts.points_from_series(
            selectors.metric_series(key, current, grain),
            grain,
            _bucket_links(current, grain, metric),
        )
        explore = f"{reverse('analytics:explore')}?{urlencode(form.query(metric=key))}"
        tiles.append(
            Tile(
                metric=metric,
                comparison=selectors.compare(key, current, previous),
                chart=charts.sparkline(points, label=metric.label, unit=metric.suffix),
                answers_url=answers_url(current, key) if metric.drillable else explore,
                explore_url=explore,
            )
        )
    return tiles


def _stance_mix(form: SliceForm) -> list[StanceShare]:
    """The customers' current stance; of the filters only the segment applies."""
    base = reverse("customers:list")
    segment = form.filters.get("segment")
    shares = []
    for key in STANCE_METRICS:
        value = selectors.metric_value(key, form.slice())
        query = {"stance": STANCE_OF[key], **({"segment": segment} if segment else {})}
        shares.append(
            StanceShare(
                metric=shown(key),
                value=value,
                width=round(value.value) if value.value is not None else 0,
                url=f"{base}?{urlencode(query)}",
            )
        )
    return shares


def _tiles_table(tiles: list[Tile], stance: list[StanceShare]) -> Table:
    table = Table(
        "dashboard",
        [
            _col(_("metric"), "string"),
            _col(_("value")),
            _col(_("margin of error")),
            _col(_("answers"), "int"),
            _col(_("change vs previous period")),
            _col(_("change low (95%)")),
            _col(_("change high (95%)")),
            _col(_("verdict"), "string"),
        ],
    )
    for tile in tiles:
        v, c = tile.value, tile.comparison
        table.rows.append(
            [tile.metric.label, v.value, v.moe, v.n, c.diff, c.low, c.high, str(c.verdict)]
        )
    for share in stance:
        v = share.value
        table.rows.append([share.metric.label, v.value, v.moe, v.n, None, None, None, ""])
    return table


@require_role(Role.VIEWER)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = SliceForm(request.GET)
    if not form.is_valid():
        return _invalid(request, "analytics/dashboard.html", form)
    tiles = _tiles(form)
    if _download_format(request):
        return _table_download(request, [_tiles_table(tiles, _stance_mix(form))])
    start, end = form.period_bounds
    return render(
        request,
        "analytics/dashboard.html",
        {
            "form": form,
            "tiles": tiles,
            "emotions": _emotion_chart(form.slice(), default_grain(form.days)),
            "start": start,
            "last_day": end - timedelta(days=1),
            "download_query": urlencode(form.query()),
            "explore_query": urlencode(form.query()),
        },
    )


def _fragment(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A part of a page that loads after it (htmx); opened directly, it gets the page shell."""
    if getattr(request, "htmx", False):
        return render(request, template, context)
    return render(request, "analytics/fragment.html", {**context, "fragment": template})


@require_role(Role.VIEWER)
def stance_tile(request: HttpRequest) -> HttpResponse:
    """The dashboard's stance mix, loaded after the page.

    It counts every customer of the workspace by current stance (three counts over the customer
    table, not a rollup): at a million customers that is most of a second, so the dashboard's
    other tiles do not wait for it.
    """
    form = SliceForm(request.GET)
    if not form.is_valid():
        return _invalid(request, "analytics/dashboard.html", form)
    stance = _stance_mix(form)
    return _fragment(
        request,
        "analytics/_stance_tile.html",
        {"stance": stance, "stance_n": stance[0].value.n if stance else 0},
    )


# --- the explorer -----------------------------------------------------------------------------


@dataclass
class Row:
    """One group of the breakdown as the table shows it."""

    key: int | str
    label: str
    value: MetricValue
    url: str


def _comparison(form: ExplorerForm, metric: Shown, current: Slice) -> dict | None:
    mode = form.cleaned_data.get("compare")
    if not mode:
        return None
    if mode == "groups":
        by = form.cleaned_data["by"]
        a_key, b_key = form.group_key("group_a"), form.group_key("group_b")
        labels = dict(form.choices[by])
        a, b = current.narrowed(**{by: a_key}), current.narrowed(**{by: b_key})
        a_label, b_label = str(labels[a_key]), str(labels[b_key])
    else:
        a = current
        b = form.previous_slice() if mode == "previous" else form.year_before_slice()
        a_label = _("This period")
        b_label = _("Previous period") if mode == "previous" else _("A year before")
    result = selectors.compare(metric.key, a, b)
    link = (lambda s: answers_url(s, metric.key)) if metric.drillable else (lambda s: "")
    return {
        "a_label": a_label,
        "b_label": b_label,
        "a_value": result.a,
        "b_value": result.b,
        "a_url": link(a),
        "b_url": link(b),
        "result": result,
    }


def _comparison_table(comparison: dict) -> Table:
    r = comparison["result"]
    return Table(
        "comparison",
        [
            _col(_("group"), "string"),
            *_value_columns(),
            _col(_("difference (A − B)")),
            _col(_("difference low (95%)")),
            _col(_("difference high (95%)")),
            _col(_("p-value")),
            _col(_("test"), "string"),
            _col(_("verdict"), "string"),
        ],
        [
            [
                comparison["a_label"],
                *_value_cells(comparison["a_value"]),
                r.diff,
                r.low,
                r.high,
                r.p_value,
                r.test,
                str(r.verdict),
            ],
            [comparison["b_label"], *_value_cells(comparison["b_value"])] + [None] * 6,
        ],
    )


def _drivers(metric: Shown, slice_: Slice) -> list[selectors.Driver] | None:
    """Key drivers of a metric counted from answers; None where the metric has none."""
    if not metric.drillable:
        return None
    try:
        return selectors.drivers(metric.key, slice_)
    except ValueError:
        return None


def _drivers_table(drivers: list[selectors.Driver]) -> Table:
    return Table(
        "drivers",
        [
            _col(_("driver"), "string"),
            _col(_("kind"), "string"),
            _col(_("answers"), "int"),
            _col(_("share of answers (%)")),
            _col(_("with")),
            _col(_("without")),
            _col(_("difference")),
            _col(_("impact")),
            _col(_("small group"), "bool"),
        ],
        [
            [
                d.label,
                d.kind,
                d.n,
                d.share,
                d.with_value,
                d.without_value,
                d.difference,
                d.impact,
                d.small,
            ]
            for d in drivers
        ],
    )


@require_role(Role.VIEWER)
def key_drivers(request: HttpRequest) -> HttpResponse:
    """The explorer's key drivers, loaded after the page.

    Drivers read the raw answers of the slice (which topics and touchpoints each mentions), not
    the rollups: over a year of a large shop that takes seconds, so the explorer does not wait.
    """
    form = ExplorerForm(request.GET)
    if not form.is_valid():
        return _invalid(request, "analytics/explore.html", form)
    metric = shown(form.cleaned_data["metric"])
    current = form.slice()
    drivers = _drivers(metric, current)

    def url_for(driver: selectors.Driver) -> str:
        return _driver_url(driver, metric.key, current)

    return _fragment(
        request,
        "analytics/_drivers.html",
        {
            "metric": metric,
            "drivers": drivers,
            "driver_rows": [(d, url_for(d)) for d in (drivers or [])[:20]],
            "matrix": charts.priority_matrix(drivers, url_for=url_for) if drivers else None,
            "download_query": urlencode(form.query()),
        },
    )


def _driver_url(driver: selectors.Driver, metric: str, slice_: Slice) -> str:
    if driver.kind == "touchpoint":
        return answers_url(slice_.narrowed(touchpoint=driver.key), metric)
    return answers_url(slice_, metric, topic=driver.key)


@require_role(Role.VIEWER)
def explore(request: HttpRequest) -> HttpResponse:
    form = ExplorerForm(request.GET)
    if not form.is_valid():
        return _invalid(request, "analytics/explore.html", form)
    metric = shown(form.cleaned_data["metric"])
    grain = form.cleaned_data["grain"]
    by = form.cleaned_data["by"]
    current = form.slice()

    points = charts.points_from_series(
        selectors.metric_series(metric.key, current, grain),
        grain,
        _bucket_links(current, grain, metric),
    )
    rows = [
        Row(
            key=key,
            label=label,
            value=value,
            # The group without a value (no segment, no touchpoint) has no filter to link with.
            url=answers_url(current.narrowed(**{by: key}), metric.key)
            if metric.drillable and key != selectors.NONE_KEY
            else "",
        )
        for label, key, value in selectors.metric_by(metric.key, current, by)
    ]
    comparison = _comparison(form, metric, current)
    tables = [
        Table(
            "series",
            [_col(_("period"), "string"), *_value_columns()],
            [[p.label, p.value, p.low, p.high, p.n, p.small] for p in points],
        ),
        Table(
            "breakdown",
            [_col(DIMENSION_LABELS[by], "string"), *_value_columns()],
            [[r.label, *_value_cells(r.value)] for r in rows],
        ),
    ]
    if comparison:
        tables.append(_comparison_table(comparison))
    if _download_format(request) and request.GET.get("table") == "drivers":
        drivers = _drivers(metric, current)
        if drivers is not None:
            tables.append(_drivers_table(drivers))
    if _download_format(request):
        return _table_download(request, tables)

    start, end = form.period_bounds
    return render(
        request,
        "analytics/explore.html",
        {
            "form": form,
            "metric": metric,
            "grain": grain,
            "by_label": DIMENSION_LABELS[by],
            # Comparing periods, side A is this slice: its value is already there.
            "total": comparison["a_value"]
            if comparison and form.cleaned_data["compare"] != "groups"
            else selectors.metric_value(metric.key, current),
            "total_url": answers_url(current, metric.key) if metric.drillable else "",
            "line": charts.line_with_band(points, label=metric.label, unit=metric.suffix),
            "points": points,
            "emotions": _emotion_chart(current, grain),
            "rows": rows,
            "comparison": comparison,
            "has_drivers": metric.drillable,
            "start": start,
            "last_day": end - timedelta(days=1),
            "download_query": urlencode(form.query()),
        },
    )


# --- the answers behind a number ---------------------------------------------------------------


class CappedPaginator(Paginator):
    """Counts at most ``ANSWERS_COUNT_CAP`` + 1 rows, once, without ORDER BY."""

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self.object_list.order_by()[: ANSWERS_COUNT_CAP + 1].count()


def _answer_rows(experiences: Any) -> Iterator[list[Any]]:
    for e in experiences.iterator(chunk_size=export.CHUNK):
        yield [
            e.occurred_at,
            e.customer.external_id if e.customer else "",
            e.customer.name if e.customer else "",
            e.touchpoint.name if e.touchpoint else "",
            e.source,
            e.score,
            e.scale,
            e.outcome,
            e.emotion,
            e.language,
            e.text,
        ]


ANSWER_COLUMNS = [
    export.Column("time", "datetime"),
    export.Column("customer_external_id"),
    export.Column("customer"),
    export.Column("touchpoint"),
    export.Column("source"),
    export.Column("score", "int"),
    export.Column("scale"),
    export.Column("outcome"),
    export.Column("emotion"),
    export.Column("language"),
    export.Column("text"),
]


@require_role(Role.VIEWER)
def answers(request: HttpRequest) -> HttpResponse:
    form = AnswersForm(request.GET)
    if not form.is_valid():
        return _invalid(request, "analytics/answers.html", form)
    metric_key = form.cleaned_data.get("metric") or None
    bucket = form.cleaned_data.get("bucket") or None
    topic = form.cleaned_data.get("topic")
    current = form.slice()
    try:
        rows = selectors.answers(current, metric=metric_key, bucket=bucket)
    except (ValueError, LookupError) as error:
        form.add_error(None, str(error))
        return _invalid(request, "analytics/answers.html", form)
    if topic is not None:
        rows = rows.filter(analysis__topics=topic)
    if _download_format(request):
        return export.table_response(
            _download_format(request) or "csv",
            ANSWER_COLUMNS,
            lambda: _answer_rows(rows),
            "cxloop-answers",
            workspace=request.workspace,
        )
    listed = rows.select_related("customer", "touchpoint", "analysis").prefetch_related(
        "analysis__topics"
    )
    paginator = CappedPaginator(listed, ANSWERS_PER_PAGE)
    page: Page = paginator.get_page(request.GET.get("page"))
    metric = shown(metric_key) if metric_key else None
    return render(
        request,
        "analytics/answers.html",
        {
            "form": form,
            "page": page,
            "capped": paginator.count > ANSWERS_COUNT_CAP,
            "cap": ANSWERS_COUNT_CAP,
            "metric": metric,
            "bucket_label": _bucket_label(bucket),
            "start": current.start,
            "last_day": current.end - timedelta(days=1),
            "download_query": urlencode(form.query()),
            "explore_query": urlencode(
                {k: v for k, v in form.query().items() if k not in ("bucket", "topic", "page")}
            ),
        },
    )


BUCKET_LABELS = {
    "promoter": gettext_lazy("promoters (9–10)"),
    "passive": gettext_lazy("passives (7–8)"),
    "detractor": gettext_lazy("detractors (0–6)"),
    "satisfied": gettext_lazy("satisfied (4–5)"),
    "unsatisfied": gettext_lazy("not satisfied (1–3)"),
    "easy": gettext_lazy("easy (5–7)"),
    "not_easy": gettext_lazy("not easy (1–4)"),
    "exceeded": gettext_lazy("expectation exceeded"),
    "met": gettext_lazy("expectation met"),
    "below": gettext_lazy("expectation not met"),
    "negative": gettext_lazy("negative"),
    "ok": gettext_lazy("OK"),
    "wow": gettext_lazy("WOW"),
}


def _bucket_label(bucket: str | None) -> str:
    return str(BUCKET_LABELS.get(bucket, bucket)) if bucket else ""
