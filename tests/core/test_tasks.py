"""A real task runs through both configured backends: the database queue and RQ on Redis."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus, task_backends

from cxloop.core.models import WorkerHeartbeat
from cxloop.core.tasks import heartbeat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def db_backend(settings):
    # Changing TASKS resets django-tasks' cached backends (it listens to setting_changed).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    return task_backends["default"]


@pytest.fixture
def rq_backend(settings, redis_url):
    import django_rq

    settings.REDIS_URL = redis_url
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    yield task_backends["default"]
    queue.empty()


def test_database_backend_runs_a_queued_task(db_backend):
    result = heartbeat.enqueue("test")
    assert result.status == TaskResultStatus.READY
    assert not WorkerHeartbeat.objects.exists()

    call_command("worker", burst=True, verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert WorkerHeartbeat.objects.filter(pk=result.return_value).exists()


def test_rq_backend_runs_a_queued_task_on_real_redis(rq_backend):
    from django_rq import get_worker
    from rq import SimpleWorker

    result = heartbeat.enqueue("test")
    assert result.backend == "default"
    assert type(rq_backend).__name__ == "RQBackend"

    # The same worker the `cxloop worker` command starts, without forking, so it shares the
    # test database connection settings.
    get_worker("default", job_class="django_tasks_rq.Job", worker_class=SimpleWorker).work(
        burst=True
    )

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert WorkerHeartbeat.objects.filter(pk=result.return_value).exists()
