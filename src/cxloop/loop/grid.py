"""The weekly improvement grid and the streak of each department.

The rule the grid shows is "one improvement per process per week": rows are the workspace's
active processes grouped by their department, columns are ISO weeks (Monday to Sunday, numbered
as ISO 8601 does, so week 1 is the week with the year's first Thursday), and a cell holds the
improvements whose ``shipped_on`` falls in that week. An empty cell is a week in which that process
did not improve; the page marks it so it stands out.

**Streak** of a department: the number of consecutive ISO weeks, counting back from the current
week, in each of which at least one improvement owned by the department shipped. The current week
is still in progress, so when nothing has shipped in it *yet* the streak is counted from last
week instead of dropping to 0 on a Monday morning; a week with nothing shipped before that ends it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from .models import Improvement, ImprovementStatus, Process

DEFAULT_WEEKS = 12
MAX_WEEKS = 52
STREAK_LOOKBACK_WEEKS = 260


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date | None:
    """``2026-W48`` → the Monday of that ISO week; None for anything else."""
    try:
        year, _, week = text.strip().upper().partition("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        return None


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Week:
    monday: date

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def number(self) -> int:
        return self.monday.isocalendar()[1]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@dataclass
class Cell:
    week: Week
    improvements: list[Improvement] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.improvements


@dataclass
class Row:
    process: Process
    cells: list[Cell]

    @property
    def filled(self) -> int:
        return sum(not c.empty for c in self.cells)


@dataclass
class DepartmentGroup:
    name: str
    department_id: int | None
    rows: list[Row]
    streak: int


@dataclass
class Grid:
    weeks: list[Week]
    groups: list[DepartmentGroup]
    current: Week
    previous_end: Week
    next_end: Week | None  # None when the grid already ends at the current week

    @property
    def first_label(self) -> str:
        return self.weeks[0].label

    @property
    def last_label(self) -> str:
        return self.weeks[-1].label

    @property
    def empty_cells(self) -> int:
        return sum(c.empty for g in self.groups for r in g.rows for c in r.cells)

    @property
    def cells(self) -> int:
        return sum(len(r.cells) for g in self.groups for r in g.rows)


def streaks(today: date | None = None) -> dict[int, int]:
    """Department id → its streak (see the module docstring), for departments that shipped."""
    today = today or timezone.localdate()
    this_week = week_start(today)
    since = this_week - timedelta(weeks=STREAK_LOOKBACK_WEEKS)
    shipped = Improvement.objects.filter(
        status=ImprovementStatus.SHIPPED, shipped_on__gte=since, shipped_on__lte=today
    ).values_list("department_id", "shipped_on")
    weeks: dict[int, set[date]] = defaultdict(set)
    for department_id, day in shipped:
        weeks[department_id].add(week_start(day))
    result: dict[int, int] = {}
    for department_id, shipped_weeks in weeks.items():
        monday = this_week if this_week in shipped_weeks else this_week - timedelta(weeks=1)
        count = 0
        while monday in shipped_weeks:
            count += 1
            monday -= timedelta(weeks=1)
        result[department_id] = count
    return result


def build_grid(
    *, end: date | None = None, weeks: int = DEFAULT_WEEKS, today: date | None = None
) -> Grid:
    """The grid of ``weeks`` ISO weeks ending with the week of ``end`` (default: this week).

    Three queries whatever the size: processes, improvements shipped in the range, streaks.
    """
    today = today or timezone.localdate()
    current = Week(week_start(today))
    weeks = max(1, min(MAX_WEEKS, weeks))
    last = min(week_start(end or today), current.monday)
    columns = [Week(last - timedelta(weeks=n)) for n in range(weeks - 1, -1, -1)]
    first = columns[0].monday
    shipped = (
        Improvement.objects.filter(
            status=ImprovementStatus.SHIPPED,
            shipped_on__gte=first,
            shipped_on__lte=columns[-1].sunday,
        )
        .only("id", "title", "process_id", "shipped_on", "department_id")
        .order_by("shipped_on", "id")
    )
    by_cell: dict[tuple[int, date], list[Improvement]] = defaultdict(list)
    for improvement in shipped:
        by_cell[(improvement.process_id, week_start(improvement.shipped_on))].append(improvement)
    department_streaks = streaks(today)
    groups: dict[int | None, DepartmentGroup] = {}
    processes = Process.objects.filter(is_active=True).select_related("department")
    for process in sorted(
        processes,
        key=lambda p: (p.department is None, p.department.name if p.department else "", p.position),
    ):
        department = process.department
        key = department.pk if department else None
        if key not in groups:
            groups[key] = DepartmentGroup(
                name=department.name if department else "",
                department_id=key,
                rows=[],
                streak=department_streaks.get(key, 0) if key else 0,
            )
        cells = [Cell(w, by_cell.get((process.pk, w.monday), [])) for w in columns]
        groups[key].rows.append(Row(process, cells))
    following = last + timedelta(weeks=weeks)
    return Grid(
        weeks=columns,
        groups=list(groups.values()),
        current=current,
        previous_end=Week(last - timedelta(weeks=weeks)),
        next_end=None if last >= current.monday else Week(min(following, current.monday)),
    )
