"""HTML forms of the goal, improvements, processes and the "you said, we did" template."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cxloop.accounts.models import Department, Membership
from cxloop.journeys.models import Touchpoint

from .models import GoalTarget, ImprovementStatus, Process

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.Form):
    statement = forms.CharField(
        label=_("Our goal, in a few sentences"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    atmosphere = forms.CharField(
        label=_("The atmosphere we want"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=GoalTarget.Metric.choices)
    comparison = forms.ChoiceField(
        label=_("Comparison"), choices=GoalTarget.Comparison.choices, initial="gte"
    )
    value = forms.DecimalField(label=_("Target"), max_digits=7, decimal_places=2)
    due_on = forms.DateField(label=_("By"), widget=DATE)


TargetFormSet = forms.formset_factory(TargetForm, extra=1, max_num=8, can_delete=True)


class ImprovementForm(forms.Form):
    title = forms.CharField(label=_("What will change"), max_length=200)
    description = forms.CharField(
        label=_("Why, and how"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.unscoped.none())
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.unscoped.none(),
        required=False,
        help_text=_("Empty: the process's department."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Membership.unscoped.none(), required=False
    )
    touchpoint = forms.ModelChoiceField(
        label=_("Touchpoint where the effect is measured"),
        queryset=Touchpoint.unscoped.none(),
        required=False,
    )
    planned_for = forms.DateField(label=_("Planned for"), widget=DATE, required=False)
    message_uk = forms.CharField(
        label=_("Message to customers (Ukrainian)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    message_ru = forms.CharField(
        label=_("Message to customers (Russian)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    message_en = forms.CharField(
        label=_("Message to customers (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    experiences = forms.CharField(widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = Process.objects.filter(is_active=True).select_related(
            "department"
        )
        self.fields["department"].queryset = Department.objects.all()
        self.fields["owner"].queryset = Membership.objects.select_related("user")
        self.fields["owner"].label_from_instance = lambda m: str(m.user)
        self.fields["touchpoint"].queryset = Touchpoint.objects.select_related("stage__journey")
        self.fields["touchpoint"].label_from_instance = lambda t: (
            f"{t.name} · {t.stage.journey.name}"
        )

    def message(self) -> dict[str, str]:
        return {lang: self.cleaned_data.get(f"message_{lang}", "") for lang in ("uk", "ru", "en")}


class ShipForm(forms.Form):
    status = forms.ChoiceField(choices=ImprovementStatus.choices)
    shipped_on = forms.DateField(label=_("Shipped on"), widget=DATE, required=False)


class ProcessForm(forms.Form):
    name = forms.CharField(label=_("Process"), max_length=120)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.unscoped.none(), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()


class YouSaidTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=5000,
        help_text=_("Placeholders: {name}, {change}, {workspace}. Paragraphs: an empty line."),
    )
