"""HTML forms of the staff pages: a survey from a template, result filters, settings, a link."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cxloop.customers.models import Segment
from cxloop.journeys.models import Touchpoint

from .models import FeedbackSettings, Survey

PERIODS = (
    (30, _("Last 30 days")),
    (90, _("Last 90 days")),
    (365, _("Last year")),
    (0, _("All time")),
)


class SurveyCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Template"),
        choices=Survey.Kind.choices,
        initial=Survey.Kind.NPS,
        widget=forms.RadioSelect,
        help_text=_("Questions come in English, Ukrainian and Russian."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Only staff see it; leave empty to use the template's name."),
    )
    touchpoint = forms.ModelChoiceField(
        label=_("Touchpoint"),
        queryset=Touchpoint.unscoped.none(),
        required=False,
        empty_label=_("No particular touchpoint"),
        help_text=_("Answers become experiences at this touchpoint."),
    )

    def __init__(self, *args: object, touchpoints: QuerySet[Touchpoint], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = touchpoints


class ResultsFilterForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"), choices=PERIODS, coerce=int, initial=90, required=False
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment.unscoped.none(), required=False, empty_label=_("All")
    )
    touchpoint = forms.ModelChoiceField(
        label=_("Touchpoint"),
        queryset=Touchpoint.unscoped.none(),
        required=False,
        empty_label=_("All"),
    )

    def __init__(
        self,
        *args: object,
        segments: QuerySet[Segment],
        touchpoints: QuerySet[Touchpoint],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments
        self.fields["touchpoint"].queryset = touchpoints


class InviteForm(forms.Form):
    customer = forms.CharField(
        label=_("Customer's external id or email"),
        max_length=254,
        help_text=_("A personal link lets this customer answer once; it is shown only now."),
    )


class FeedbackSettingsForm(forms.ModelForm):
    review_url = forms.URLField(
        label=_("Public review page"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where promoters are invited to leave a public review."),
    )
    referral_url = forms.URLField(
        label=_("Referral link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A link promoters may share with friends."),
    )

    class Meta:
        model = FeedbackSettings
        fields = [
            "contact_cap_days",
            "invitation_valid_days",
            "reminder_after_days",
            "detractor_contact_hours",
            "review_url",
            "referral_url",
        ]
