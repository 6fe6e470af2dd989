"""Give workspaces created before the onboarding journey existed their 100-day onboarding journey.

New workspaces get it from ``services.ensure_onboarding_journey`` when they are created; this
writes the same rows for older ones with the historical models. Workspaces that already have a
journey of kind ``onboarding`` are left alone, so running it again changes nothing.
"""

from django.db import migrations

from cxloop.journeys.onboarding import ONBOARDING, text


def _free(name, taken):
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate.casefold())
    return candidate


def add_onboarding_journeys(apps, schema_editor):
    Workspace = apps.get_model("accounts", "Workspace")
    Journey = apps.get_model("journeys", "Journey")
    Stage = apps.get_model("journeys", "Stage")
    Touchpoint = apps.get_model("journeys", "Touchpoint")
    # _base_manager: the plain manager, which ignores the request-bound workspace.
    has_one = Journey._base_manager.filter(kind="onboarding").values("workspace_id")
    for workspace in Workspace._base_manager.exclude(pk__in=has_one).order_by("pk"):
        language = workspace.default_language
        journeys = Journey._base_manager.filter(workspace=workspace)
        touchpoints = Touchpoint._base_manager.filter(workspace=workspace)
        journey_names = {n.casefold() for n in journeys.values_list("name", flat=True)}
        point_names = {n.casefold() for n in touchpoints.values_list("name", flat=True)}
        journey = Journey._base_manager.create(
            workspace=workspace,
            name=_free(text(ONBOARDING.name, language), journey_names),
            kind="onboarding",
            description=text(ONBOARDING.description, language),
        )
        for position, plan in enumerate(ONBOARDING.stages, start=1):
            stage = Stage._base_manager.create(
                workspace=workspace,
                journey=journey,
                name=text(plan.name, language),
                position=position,
                description=text(plan.description, language),
                day_from=plan.days[0],
                day_to=plan.days[1],
            )
            Touchpoint._base_manager.bulk_create(
                Touchpoint(
                    workspace=workspace,
                    stage=stage,
                    name=_free(text(point.name, language), point_names),
                    channel=point.channel,
                    description=text(point.description, language),
                    position=n,
                )
                for n, point in enumerate(plan.touchpoints, start=1)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("journeys", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_onboarding_journeys, migrations.RunPython.noop)]
