"""HTML forms of the insights pages; the services do the writing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cxloop.experiences.scoring import Emotion


class AcceptProposalForm(forms.Form):
    """A manager names an emerging topic and may edit its keywords before accepting it."""

    name = forms.CharField(label=_("Topic name"), max_length=120)
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=500,
        help_text=_("Comma-separated words in any form; end a word with * to match its stem."),
    )

    def clean_keywords(self) -> list[str]:
        words = [w.strip() for w in self.cleaned_data["keywords"].split(",") if w.strip()]
        if not words:
            raise forms.ValidationError(_("Give at least one keyword."))
        return words


class TextFilterForm(forms.Form):
    """Which texts behind a topic to list: one day (a spike's) and one emotion."""

    day = forms.DateField(required=False)
    emotion = forms.ChoiceField(
        label=_("Emotion"),
        required=False,
        choices=[("", _("All emotions")), *Emotion.choices],
    )
