"""The one place that maps survey scores to outcomes and outcomes to emotions.

An experience is the meeting of a customer's expectation with the company's reality:

- ``below`` (expectation not met) → ``negative`` emotion; such a customer leaves and warns others.
- ``met`` → ``ok``: satisfied and forgotten at once; leaves for a cheaper offer without a word.
- ``exceeded`` → ``wow``: the customer returns and recommends.

Scores map to outcomes by the conventions of each scale:

======== ============== ======== ==========
scale    below          met      exceeded
======== ============== ======== ==========
nps 0–10 0–6 detractor  7–8      9–10 promoter
csat 1–5 1–3            4        5
ces 1–7  1–3 (hard)     4–5      6–7 (effortless)
stars5   1–2            3–4      5
======== ============== ======== ==========

CES is asked as "how easy was it" (7 = very easy), so a high score is good. CSAT 4 counts as
"satisfied" in the CSAT metric, but satisfied is *met*, not *exceeded*: only a 5 is a WOW.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    NPS = "nps", _("NPS 0–10")
    CSAT = "csat", _("CSAT 1–5")
    CES = "ces", _("CES 1–7")
    STARS5 = "stars5", _("Stars 1–5")


class Outcome(models.TextChoices):
    BELOW = "below", _("Below expectation")
    MET = "met", _("Met expectation")
    EXCEEDED = "exceeded", _("Exceeded expectation")


class Emotion(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    OK = "ok", _("OK")
    WOW = "wow", _("WOW")


# (lowest, highest, highest score that is still "below", highest score that is still "met")
SCALE_BOUNDS: dict[str, tuple[int, int, int, int]] = {
    Scale.NPS: (0, 10, 6, 8),
    Scale.CSAT: (1, 5, 3, 4),
    Scale.CES: (1, 7, 3, 5),
    Scale.STARS5: (1, 5, 2, 4),
}

EMOTION_OF_OUTCOME = {
    Outcome.BELOW: Emotion.NEGATIVE,
    Outcome.MET: Emotion.OK,
    Outcome.EXCEEDED: Emotion.WOW,
}


class ScoreOutOfRange(ValueError):
    """A score outside its scale: rejected, never clipped."""


def outcome_for_score(score: int, scale: str) -> Outcome:
    lowest, highest, below_max, met_max = SCALE_BOUNDS[Scale(scale)]
    if not lowest <= score <= highest:
        raise ScoreOutOfRange(f"{score} is outside the {scale} scale ({lowest}–{highest}).")
    if score <= below_max:
        return Outcome.BELOW
    if score <= met_max:
        return Outcome.MET
    return Outcome.EXCEEDED


def emotion_for_outcome(outcome: str) -> Emotion:
    return EMOTION_OF_OUTCOME[Outcome(outcome)]


def scaled_score(score: int, scale: str) -> float:
    """``score``'s place on its scale from 0 (lowest) to 1 (highest): comparable across scales.

    Every scale here is "higher is better" (CES asks how easy it was), so 1 is always the best.
    """
    lowest, highest, _, _ = SCALE_BOUNDS[Scale(scale)]
    if not lowest <= score <= highest:
        raise ScoreOutOfRange(f"{score} is outside the {scale} scale ({lowest}–{highest}).")
    return (score - lowest) / (highest - lowest)
