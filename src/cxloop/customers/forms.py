from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxloop.accounts.models import Membership

from .models import Customer, Expectation, LifecyclePhase, Stance
from .selectors import LAST_EXPERIENCE_CHOICES


class CustomerFilterForm(forms.Form):
    """The list page's filters; every field optional, bad values ignored rather than fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )
    stance = forms.ChoiceField(
        label=_("Stance"),
        required=False,
        choices=[("", _("Any stance")), *Stance.choices, ("unknown", _("Unknown"))],
    )
    lifecycle_phase = forms.ChoiceField(
        label=_("Lifecycle"),
        required=False,
        choices=[("", _("Any phase")), *LifecyclePhase.choices],
    )
    last_experience = forms.ChoiceField(
        label=_("Last experience"),
        required=False,
        choices=list(
            zip(
                ("", *LAST_EXPERIENCE_CHOICES),
                (
                    _("Any time"),
                    _("In the last 7 days"),
                    _("In the last 30 days"),
                    _("In the last 90 days"),
                    _("Over 90 days ago"),
                    _("Never"),
                ),
                strict=True,
            )
        ),
    )

    def __init__(self, *args: object, segments: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", _("All segments"))] + [
            (s.pk, s.name) for s in segments
        ]

    def filters(self) -> dict:
        """The valid filters; a field with a bad value (a stale segment id) is simply dropped."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "segment_id": data.get("segment"),
            "stance": data.get("stance") or "",
            "lifecycle_phase": data.get("lifecycle_phase") or "",
            "last_experience": data.get("last_experience") or "",
        }


class ExpectationForm(forms.Form):
    text = forms.CharField(
        label=_("What this customer expects"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. prefers a call before delivery")}),
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            (Expectation.Source.STAFF, Expectation.Source.STAFF.label),
            (Expectation.Source.CUSTOMER, Expectation.Source.CUSTOMER.label),
        ],
    )


class WowStepForm(forms.Form):
    action = forms.CharField(label=_("What we will do"), max_length=500)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    expectation = forms.ModelChoiceField(
        label=_("For the expectation"), queryset=None, required=False
    )

    def __init__(self, *args: object, customer: Customer, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Both lists come from the bound workspace only: another workspace's ids do not validate.
        self.fields["owner"].queryset = Membership.objects.select_related("user").order_by(
            "user__email"
        )
        self.fields["owner"].label_from_instance = lambda m: str(m.user)
        self.fields["expectation"].queryset = customer.expectations.filter(active=True)

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due
