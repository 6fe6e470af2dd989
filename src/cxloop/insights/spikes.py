"""Spikes: a day on which a topic is mentioned far more often than its own recent baseline.

The rule (a Poisson control limit): for topic *t* and day *d*, the baseline is the mean daily
count λ of *t* over the ``window`` days before *d* (days without mentions count as 0). Day *d* is
a spike when its count *n* is at least ``min_count`` and the probability of seeing *n* or more
under Poisson(λ) is below ``alpha`` (default 0.001, about a 3-sigma limit; λ is floored at
``1 / window`` so a topic never seen before needs ``min_count`` mentions, not one). Counting
negative texts only (the default) makes it a complaint alarm.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from scipy.stats import poisson

WINDOW_DAYS = 28
ALPHA = 0.001
MIN_COUNT = 5


@dataclass(frozen=True)
class Spike:
    topic: str
    day: date
    count: int
    expected: float
    p_value: float
    experience_ids: list[int] = field(default_factory=list)


def find_spikes(
    daily: Mapping[str, Mapping[date, int]],
    day: date,
    *,
    window: int = WINDOW_DAYS,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
) -> list[Spike]:
    """Spikes on ``day`` in ``{topic: {day: count}}``, largest surprise first."""
    spikes = []
    for topic, counts in daily.items():
        count = counts.get(day, 0)
        if count < min_count:
            continue
        baseline = sum(counts.get(day - timedelta(days=i), 0) for i in range(1, window + 1))
        expected = max(baseline / window, 1 / window)
        p_value = float(poisson.sf(count - 1, expected))
        if p_value < alpha:
            spikes.append(Spike(topic, day, count, round(expected, 3), p_value))
    return sorted(spikes, key=lambda s: s.p_value)


def daily_counts(rows: Iterable[tuple[str, date]]) -> dict[str, dict[date, int]]:
    """``(topic, day)`` pairs → ``{topic: {day: count}}``."""
    counts: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for topic, day in rows:
        counts[topic][day] += 1
    return counts
