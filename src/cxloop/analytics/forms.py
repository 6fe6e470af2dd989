"""The query string of the dashboard, the explorer and the answers list, parsed into slices.

Everything is a GET parameter so a link reproduces the view: ``?period=90d&segment=3``. A bad
value is an error the page shows (with status 400), never a silent fallback to other numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .metrics import METRICS
from .selectors import Slice

# The periods a reader can pick, as whole days ending today (today included).
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90, "12m": 365}
PERIOD_CHOICES = [
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("12m", _("Last 12 months")),
    ("custom", _("Custom")),
]
DEFAULT_PERIOD = "30d"
# A custom period longer than this is refused: the explorer's daily grain would draw thousands
# of points, and nothing in cxloop is older than a few years.
MAX_CUSTOM_DAYS = 5 * 366

GRAIN_CHOICES = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]
DIMENSION_LABELS = {
    "segment": _("Segment"),
    "channel": _("Channel"),
    "touchpoint": _("Touchpoint"),
    "stage": _("Journey stage"),
    "department": _("Department"),
    "language": _("Language"),
}
DASHBOARD_FILTERS = ("segment", "channel")
EXPLORER_FILTERS = tuple(DIMENSION_LABELS)
COMPARE_CHOICES = [
    ("", _("No comparison")),
    ("previous", _("With the previous period")),
    ("year", _("With the same period a year before")),
    ("groups", _("Two groups of the breakdown")),
]
# Too many points make a daily chart unreadable and slow; above this, the explorer asks for a
# coarser grain.
MAX_BUCKETS = {"day": 400, "week": 270, "month": 120}


def default_grain(days: int) -> str:
    """The grain a period reads best at: days for a month, weeks for a quarter, else months."""
    if days <= 31:
        return "day"
    if days <= 120:
        return "week"
    return "month"


def _dimension_field(dimension: str, keys: Sequence[tuple[int | str, str]]) -> forms.ChoiceField:
    choices = [(str(key), label) for key, label in keys]
    return forms.ChoiceField(
        label=DIMENSION_LABELS[dimension],
        required=False,
        choices=[("", _("All")), *choices],
        error_messages={
            "invalid_choice": _(
                "%%(value)s is not a %(dimension)s of this workspace; pick one from the list."
            )
            % {"dimension": str(DIMENSION_LABELS[dimension]).lower()}
        },
    )


class SliceForm(forms.Form):
    """A period and the filters; :meth:`slice` is what the selectors take."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=PERIOD_CHOICES,
        widget=forms.Select(attrs={"data-period": ""}),
        error_messages={
            "invalid_choice": _("%(value)s is not a period; use 7d, 30d, 90d, 12m or custom.")
        },
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Included."),
    )

    filter_dimensions: Sequence[str] = DASHBOARD_FILTERS
    # How the template lays the fields out: always shown, behind "Filters", behind "Compare".
    primary: Sequence[str] = ("period", "start", "end", *DASHBOARD_FILTERS)
    secondary: Sequence[str] = ()
    comparing: Sequence[str] = ()

    def __init__(self, data: Any = None, *, today: date | None = None, **kwargs: Any) -> None:
        if data is not None and not data.get("period"):
            # The period shown selected must be the one measured, also on a bare address.
            data = data.copy()
            data["period"] = DEFAULT_PERIOD
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self._keys: dict[str, dict[str, int | str]] = {}
        self.choices: dict[str, list[tuple[int | str, str]]] = {}
        for dimension in self.filter_dimensions:
            self.choices[dimension] = list(selectors.dimension_choices(dimension))
            self.fields[dimension] = _dimension_field(dimension, self.choices[dimension])
            self._keys[dimension] = {str(key): key for key, _label in self.choices[dimension]}
        for name in ("start", "end"):
            self.fields[name].widget.attrs["data-custom-period"] = ""

    def clean(self) -> dict:
        data = super().clean()
        period = data.get("period") or DEFAULT_PERIOD
        data["period"] = period
        if period == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(
                    _("A custom period needs both dates, From and To (YYYY-MM-DD)."),
                    code="custom_dates",
                )
            if start > end:
                raise forms.ValidationError(
                    _("The period starts after it ends: swap From and To."), code="order"
                )
            if (end - start).days + 1 > MAX_CUSTOM_DAYS:
                raise forms.ValidationError(
                    _("A custom period can be at most five years long."), code="too_long"
                )
        return data

    # --- layout ------------------------------------------------------------------------------

    def _bound(self, names: Sequence[str]) -> list[forms.BoundField]:
        return [self[name] for name in names if name in self.fields]

    def primary_fields(self) -> list[forms.BoundField]:
        return self._bound(self.primary)

    def secondary_fields(self) -> list[forms.BoundField]:
        return self._bound(self.secondary)

    def comparing_fields(self) -> list[forms.BoundField]:
        return self._bound(self.comparing)

    def secondary_in_use(self) -> int:
        """How many of the folded-away filters the query string sets (the fold opens then)."""
        return sum(1 for name in self.secondary if (self.data or {}).get(name))

    def comparing_in_use(self) -> bool:
        return any((self.data or {}).get(name) for name in self.comparing)

    # --- what the views use, once the form is valid -----------------------------------------

    @property
    def period_bounds(self) -> tuple[date, date]:
        """The half-open ``[start, end)`` of the chosen period; "today" is included."""
        period = self.cleaned_data["period"]
        if period == "custom":
            return self.cleaned_data["start"], self.cleaned_data["end"] + timedelta(days=1)
        end = self.today + timedelta(days=1)
        return end - timedelta(days=PERIOD_DAYS[period]), end

    @property
    def days(self) -> int:
        start, end = self.period_bounds
        return (end - start).days

    @property
    def filters(self) -> dict[str, int | str]:
        """The chosen filters with the selectors' own keys (ids stay ints, codes stay strings)."""
        chosen = {}
        for dimension in self.filter_dimensions:
            value = self.cleaned_data.get(dimension)
            if value:
                chosen[dimension] = self._keys[dimension][value]
        return chosen

    def slice(self, **extra_filters: int | str) -> Slice:
        start, end = self.period_bounds
        return Slice(start=start, end=end, filters={**self.filters, **extra_filters})

    def previous_slice(self) -> Slice:
        """The same number of days just before, with the same filters: "change vs before"."""
        start, end = self.period_bounds
        length = end - start
        return Slice(start=start - length, end=start, filters=self.filters)

    def year_before_slice(self) -> Slice:
        start, end = self.period_bounds
        return Slice(
            start=start - timedelta(days=364), end=end - timedelta(days=364), filters=self.filters
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The form's parameters as a dict for building links, with some changed or dropped."""
        params = {
            key: value
            for key, value in (self.data or {}).items()
            if key in self.fields and value not in ("", None)
        }
        for key, value in changes.items():
            if value in ("", None):
                params.pop(key, None)
            else:
                params[key] = str(value)
        return params


class ExplorerForm(SliceForm):
    """The explorer: a metric, a grain, a breakdown and an optional comparison."""

    filter_dimensions = EXPLORER_FILTERS
    primary = ("metric", "period", "start", "end", "grain", "by")
    secondary = EXPLORER_FILTERS
    comparing = ("compare", "group_a", "group_b")

    metric = forms.ChoiceField(label=_("Metric"), required=False)
    grain = forms.ChoiceField(
        label=_("Grain"),
        required=False,
        choices=[("", _("Automatic")), *GRAIN_CHOICES],
        error_messages={"invalid_choice": _("%(value)s is not a grain; use day, week or month.")},
    )
    by = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        choices=list(DIMENSION_LABELS.items()),
        error_messages={
            "invalid_choice": _(
                "%(value)s is not a breakdown; use segment, channel, touchpoint, stage, "
                "department or language."
            )
        },
    )
    compare = forms.ChoiceField(
        label=_("Compare"),
        required=False,
        choices=COMPARE_CHOICES,
        widget=forms.Select(attrs={"data-compare": ""}),
    )
    group_a = forms.ChoiceField(label=_("Group A"), required=False)
    group_b = forms.ChoiceField(label=_("Group B"), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["metric"].choices = [
            (key, metric.label) for key, metric in METRICS.items() if explorable(metric)
        ]
        self.fields["metric"].error_messages["invalid_choice"] = _(
            "%(value)s is not a metric; pick one from the list."
        )
        # The two groups to compare are groups of the breakdown the query string asks for.
        by = (data or {}).get("by") or "segment"
        groups = [("", "—")] + [(str(k), label) for k, label in self.choices.get(by, [])]
        for name in ("group_a", "group_b"):
            self.fields[name].choices = groups
            self.fields[name].error_messages["invalid_choice"] = _(
                "%(value)s is not a group of this breakdown; pick one from the list."
            )

    def clean(self) -> dict:
        data = super().clean()
        data["metric"] = data.get("metric") or "nps"
        data["by"] = data.get("by") or "segment"
        if self.errors:
            return data
        grain = data.get("grain") or default_grain(self.days)
        data["grain"] = grain
        buckets = self.days // {"day": 1, "week": 7, "month": 28}[grain]
        if buckets > MAX_BUCKETS[grain]:
            self.add_error(
                "grain",
                _("This period has too many %(grain)ss to draw; choose a coarser grain.")
                % {"grain": grain},
            )
        if data.get("compare") == "groups":
            for name in ("group_a", "group_b"):
                if not data.get(name):
                    self.add_error(
                        name,
                        _("Pick two groups of the breakdown (%(by)s) to compare.")
                        % {"by": DIMENSION_LABELS[data["by"]]},
                    )
        return data

    def group_key(self, name: str) -> int | str:
        return self._keys[self.cleaned_data["by"]][self.cleaned_data[name]]


def explorable(metric: Any) -> bool:
    """Metrics the explorer can chart over time: not the stance mix, which is the customers'
    stance today and has no history (the dashboard shows it, linked to the customer list)."""
    return metric.source != "customers"


class AnswersForm(ExplorerForm):
    """The explorer's slice, plus which part of a number: a metric's bucket or a topic."""

    primary = ("metric", "period", "start", "end")
    comparing = ()

    bucket = forms.SlugField(label=_("Part"), required=False, max_length=40)
    topic = forms.IntegerField(label=_("Topic"), required=False, min_value=1)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        # Only what narrows the answers is a field here; the explorer's other choices are not.
        for name in ("grain", "by", "compare", "group_a", "group_b"):
            del self.fields[name]
        self.fields["metric"].choices = [("", _("Any"))] + [
            (key, metric.label) for key, metric in METRICS.items() if metric.source == "ledger"
        ]
        self.fields["bucket"].widget = forms.HiddenInput()
        self.fields["topic"].widget = forms.HiddenInput()

    def clean(self) -> dict:
        return SliceForm.clean(self)
