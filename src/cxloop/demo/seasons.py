"""The demo's clock: an 18-month window ending at ``now`` and the seasons a bookshop lives by.

Times inside the generator are floats counted in days from local midnight of the window's first
day, so arithmetic stays cheap; :meth:`Window.at` turns one into an aware datetime. Everything is
computed from ``now``, so a fixed ``now`` gives the same data on every run.

Seasons are smooth bumps over the calendar rather than month multipliers, so a peak ramps up:
school shopping from mid-August to late September, the holiday rush through December (and its
quiet first week of January), Black Friday weekend, 8 March gifts, the February semester start,
and the summer dip. ``carrier_strain`` is the nation-wide parcel load plus winter weather: it is
why December deliveries run late at every shop, not only this one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

WINDOW_DAYS = 548  # eighteen months

BUMPS = ("school", "holidays", "black_friday", "summer", "march8", "semester", "new_year_lull")


@dataclass(frozen=True)
class Window:
    now: datetime
    first_day: date
    days: int  # whole days before today; day index ``days`` is today
    end: float  # ``now`` as a day coordinate
    tz: tzinfo

    @classmethod
    def ending(cls, now: datetime, days: int = WINDOW_DAYS) -> Window:
        local = timezone.localtime(now)
        midnight = datetime.combine(local.date(), time(), tzinfo=local.tzinfo)
        today_fraction = (local - midnight).total_seconds() / 86400
        return cls(
            now=now,
            first_day=local.date() - timedelta(days=days),
            days=days,
            end=days + today_fraction,
            tz=local.tzinfo,
        )

    def date(self, day: float) -> date:
        return self.first_day + timedelta(days=int(day))

    def at(self, day: float) -> datetime:
        """The aware datetime of a day coordinate, to the second."""
        whole = math.floor(day)
        midnight = datetime.combine(self.first_day + timedelta(days=whole), time(), tzinfo=self.tz)
        return midnight + timedelta(seconds=round((day - whole) * 86400))


def black_friday(year: int) -> date:
    """The last Friday of November."""
    last = date(year, 11, 30)
    return last - timedelta(days=(last.weekday() - 4) % 7)


def _bump(day: date, month: int, dom: int, width: float) -> float:
    """A Gaussian bump around a calendar date, measured to the nearest year's occurrence."""
    distance = min(
        abs((day - date(year, month, dom)).days) for year in range(day.year - 1, day.year + 2)
    )
    return math.exp(-0.5 * (distance / width) ** 2)


def bumps(day: date) -> dict[str, float]:
    friday = black_friday(day.year)
    holidays = _bump(day, 12, 16, 9.0) if day.month != 12 or day.day <= 26 else 0.15
    return {
        "school": _bump(day, 9, 2, 12.0),
        "holidays": holidays,
        "black_friday": 1.0 if -1 <= (day - friday).days <= 3 else 0.0,
        "summer": _bump(day, 7, 15, 24.0),
        "march8": _bump(day, 3, 5, 3.0),
        "semester": _bump(day, 2, 3, 7.0),
        "new_year_lull": _bump(day, 1, 3, 3.0),
    }


def intensity(day_bumps: dict[str, float], weights: dict[str, float]) -> float:
    """How much busier than usual a day is for one kind of buyer (1.0 = an ordinary day)."""
    return max(0.1, 1.0 + sum(weights.get(name, 0.0) * value for name, value in day_bumps.items()))


def carrier_strain(day: date) -> float:
    """Nation-wide parcel rush and winter weather, 0 (calm) to about 1 (mid-December)."""
    b = bumps(day)
    winter = 0.25 if day.month in (12, 1, 2) else 0.0
    return min(1.0, 0.8 * b["holidays"] + 0.6 * b["black_friday"] + 0.2 * b["school"] + winter)
