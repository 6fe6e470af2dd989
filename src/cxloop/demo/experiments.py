"""The demo's A/B experiments, judged on the demo's own simulated orders and answers.

The simulation never sent a postcard nor called ahead, so the variants differ only by chance:
the results pages show what an honest test says then (almost always "not distinguishable from
noise"; a fixed-horizon test at α = 0.05 is fooled on 1 demo day in 20), and what a sequential
test says while it runs.
"""

from __future__ import annotations

from datetime import date, timedelta

from cxloop.accounts.models import Workspace
from cxloop.analytics.experiments import VariantSpec, create_experiment
from cxloop.analytics.models import Experiment, ExperimentMetric


def create_demo_experiments(workspace: Workspace, today: date) -> list[Experiment]:
    """Two experiments with customers assigned by hash: one ended, one running (sequential)."""
    postcard = create_experiment(
        workspace,
        name="Листівка-подяка в посилці",
        hypothesis=(
            "Рукописна листівка «Дякуємо, що читаєте з нами» в посилці робить повторне "
            "замовлення ймовірнішим. (Демо: симуляція листівок не надсилала, тож різниця між "
            "варіантами тут випадкова, і чесний тест майже завжди скаже «не відрізнити від шуму».)"
        ),
        metric=ExperimentMetric.REPEAT_PURCHASE,
        design=Experiment.Design.FIXED,
        starts_on=today - timedelta(days=150),
        ends_on=today - timedelta(days=31),
        minimum_detectable_effect=5.0,
        variants=[VariantSpec("Без листівки"), VariantSpec("Листівка")],
    )
    courier = create_experiment(
        workspace,
        name="Кур'єр дзвонить за 30 хвилин",
        hypothesis=(
            "Дзвінок кур'єра за пів години до приїзду перевищує очікування й піднімає частку "
            "WOW. (Демо: у симуляції дзвінків не було.)"
        ),
        metric=ExperimentMetric.WOW_RATE,
        design=Experiment.Design.SEQUENTIAL,
        starts_on=today - timedelta(days=45),
        ends_on=today + timedelta(days=30),
        minimum_detectable_effect=5.0,
        variants=[VariantSpec("Як завжди"), VariantSpec("Дзвінок заздалегідь")],
    )
    return [postcard, courier]
