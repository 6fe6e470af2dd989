"""Forms of the case pages: list filters and the actions on one case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .cases import MAX_NOTE
from .models import CaseStatus


class CaseFilterForm(forms.Form):
    """The list's filters; a bad value is dropped, never fatal."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("", _("Any status")), *CaseStatus.choices],
        initial="open",
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args: object, handlers: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in handlers]

    def filters(self, user_id: int) -> dict:
        """Unfiltered (nothing asked yet) means the open cases."""
        if not self.is_bound:
            return {"status": "open", "owner_id": None, "overdue": False}
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status", "open") if "status" in self.data else "open"
        return {
            "status": status or "",
            "owner_id": user_id if data.get("mine") else data.get("owner"),
            "overdue": bool(data.get("overdue")),
        }


class NoteForm(forms.Form):
    prefix = "note"

    text = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(forms.Form):
    prefix = "contact"

    text = forms.CharField(
        label=_("How we got in touch"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResolveForm(forms.Form):
    prefix = "resolve"

    text = forms.CharField(
        label=_("What we did"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )
    goodwill_value = forms.DecimalField(
        label=_("Goodwill given"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    goodwill_currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, initial="UAH"
    )

    def clean(self) -> dict:
        data = super().clean()
        if (
            data.get("goodwill_value") is not None
            and not (data.get("goodwill_currency") or "").strip()
        ):
            self.add_error("goodwill_currency", _("Give the goodwill's currency (UAH, EUR…)."))
        return data


class WontFixForm(forms.Form):
    prefix = "wont_fix"

    text = forms.CharField(
        label=_("Why nothing will be done"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReassignForm(forms.Form):
    prefix = "reassign"

    owner = forms.TypedChoiceField(label=_("New owner"), coerce=int)

    def __init__(self, *args: object, handlers: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(u.pk, str(u)) for u in handlers]
