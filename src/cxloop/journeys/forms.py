"""HTML forms for journeys, stages and touchpoints; the services do the writing."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cxloop.accounts.models import Department

from .models import Channel, Journey, Stage

MAX_DAY = 3650  # ten years after the first purchase is as far as a lifecycle stage reaches


class JourneyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    # The onboarding journey comes predefined, one per workspace; new ones are of the other kinds.
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(v, label) for v, label in Journey.Kind.choices if v != Journey.Kind.ONBOARDING],
        initial=Journey.Kind.PURCHASE,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    day_from = forms.IntegerField(
        label=_("From day"),
        required=False,
        min_value=0,
        max_value=MAX_DAY,
        help_text=_("Days after the first purchase, for lifecycle stages; leave empty otherwise."),
    )
    day_to = forms.IntegerField(label=_("To day"), required=False, min_value=0, max_value=MAX_DAY)

    def clean(self) -> dict:
        data = super().clean()
        day_from, day_to = data.get("day_from"), data.get("day_to")
        if day_from is not None and day_to is not None and day_from > day_to:
            self.add_error("day_to", _("The last day cannot come before the first day."))
        return data


class TouchpointForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.unscoped.none(), empty_label=_("Choose a stage")
    )
    name = forms.CharField(label=_("Name"), max_length=160)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.OTHER)
    owner_department = forms.ModelChoiceField(
        label=_("Owner department"),
        queryset=Department.unscoped.none(),
        required=False,
        empty_label=_("No owner yet"),
        help_text=_("The department that answers for how this touchpoint feels."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What happens here, and what we promise."),
    )

    def __init__(
        self, *args: object, stages: QuerySet[Stage], departments: QuerySet[Department], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages
        self.fields["owner_department"].queryset = departments
