"""Forms of the experiment pages: define an experiment, and change what may change later."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxloop.customers.models import Segment

from .experiments import VariantSpec
from .models import Experiment, ExperimentMetric

MAX_MEMBERS_FILE = 20 * 1024 * 1024  # 20 MB of "external_id,variant" lines


class DateInput(forms.DateInput):
    input_type = "date"


class ExperimentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=160)
    hypothesis = forms.CharField(
        label=gettext_lazy("Hypothesis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What you change, for whom, and what you expect to move."),
    )
    metric = forms.ChoiceField(label=gettext_lazy("Metric"), choices=ExperimentMetric.choices)
    design = forms.ChoiceField(
        label=gettext_lazy("Design"),
        choices=Experiment.Design.choices,
        initial=Experiment.Design.FIXED,
        widget=forms.RadioSelect,
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts"), widget=DateInput)
    ends_on = forms.DateField(label=gettext_lazy("Ends"), widget=DateInput)
    minimum_detectable_effect = forms.FloatField(
        label=gettext_lazy("Minimum detectable effect"),
        min_value=0.000001,
        help_text=gettext_lazy(
            "The smallest difference worth knowing, in the metric's unit: percentage points for "
            "rates, NPS points for NPS, the mean's unit for CES and order value."
        ),
    )
    baseline = forms.FloatField(
        label=gettext_lazy("Baseline"),
        required=False,
        help_text=gettext_lazy(
            "The control's expected value, for the planned sample size. Empty: estimated from the "
            "90 days before the start."
        ),
    )
    assignment = forms.ChoiceField(
        label=gettext_lazy("Who gets which variant"),
        choices=Experiment.Assignment.choices,
        initial=Experiment.Assignment.HASH,
        widget=forms.RadioSelect,
    )
    eligible_segment = forms.ModelChoiceField(
        label=gettext_lazy("Only customers of segment"),
        queryset=Segment.unscoped.none(),  # the workspace's segments are set per request
        required=False,
        help_text=gettext_lazy("Hash assignment: empty means every customer."),
    )
    variants = forms.CharField(
        label=gettext_lazy("Variants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line, the control first. Hash: “Name | weight” (weight 1 when left out). "
            "Segment: “Name | segment name”."
        ),
    )
    members = forms.CharField(
        label=gettext_lazy("Customers of each variant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Explicit list: one “external id, variant name” per line (or upload the same as CSV)."
        ),
    )
    members_file = forms.FileField(label=gettext_lazy("…or a CSV file"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.segments = {s.name: s for s in Segment.objects.order_by("name")}
        self.fields["eligible_segment"].queryset = Segment.objects.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assignment = data.get("assignment")
        if "variants" in data:
            data["variants"] = self._variants(data["variants"], assignment)
        members: list[tuple[str, str]] = []
        if assignment == Experiment.Assignment.LIST:
            members += self._member_lines(data.get("members") or "", "members")
            upload = data.get("members_file")
            if upload is not None:
                if upload.size > MAX_MEMBERS_FILE:
                    self.add_error("members_file", _("The file is larger than 20 MB."))
                else:
                    text = upload.read().decode("utf-8-sig", errors="replace")
                    members += self._member_lines(text, "members_file")
        data["members"] = members
        return data

    def _variants(self, text: str, assignment: str | None) -> list[VariantSpec]:
        specs = []
        for number, line in enumerate(filter(None, map(str.strip, text.splitlines())), 1):
            name, _bar, extra = (part.strip() for part in line.partition("|"))
            if not name:
                self.add_error("variants", _("Line %(n)s has no name.") % {"n": number})
                continue
            if assignment == Experiment.Assignment.SEGMENT:
                if extra not in self.segments:
                    self.add_error(
                        "variants",
                        _("Line %(n)s: no segment called “%(segment)s”.")
                        % {"n": number, "segment": extra},
                    )
                    continue
                specs.append(VariantSpec(name, segment=self.segments[extra]))
            elif extra and not (extra.isdigit() and 0 < int(extra) <= 1000):
                self.add_error(
                    "variants",
                    _("Line %(n)s: the weight must be a whole number from 1 to 1000.")
                    % {"n": number},
                )
            else:
                specs.append(VariantSpec(name, weight=int(extra) if extra else 1))
        return specs

    def _member_lines(self, text: str, field: str) -> list[tuple[str, str]]:
        rows = []
        for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if len(cells) != 2 or not all(cells):
                self.add_error(
                    field,
                    _("Line %(n)s: write “external id, variant name”.") % {"n": number},
                )
                return []
            rows.append((cells[0], cells[1]))
        return rows


class ExperimentEditForm(forms.ModelForm):
    """What may change while the experiment runs; variants and members stay as they are."""

    class Meta:
        model = Experiment
        fields = ["name", "hypothesis", "ends_on", "minimum_detectable_effect", "baseline"]
        widgets = {"ends_on": DateInput, "hypothesis": forms.Textarea(attrs={"rows": 3})}
