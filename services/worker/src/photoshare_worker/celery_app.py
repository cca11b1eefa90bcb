"""The worker's Celery application (`celery -A photoshare_worker.celery_app worker`)."""

from celery import Celery
from celery.signals import worker_init, worker_process_init

from photoshare_shared.jobqueue import PUBLISHED_TASKS, celery_config
from photoshare_shared.settings import Settings
from photoshare_worker.memory import keep_freed_memory

settings = Settings()
app = Celery("photoshare_worker")
app.conf.update(celery_config(settings))
app.conf.update(
    # Fresh pool processes now and then, and at once after a memory-hungry image.
    worker_max_tasks_per_child=200,
    worker_max_memory_per_child=settings.worker_max_memory_mb * 1024,  # KiB
    # No task events unless someone watches: each task would publish three to Redis (CPU in the
    # worker and Redis on the cores the jobs need). Flower turns them on while it runs.
    worker_send_task_events=False,
)
app.autodiscover_tasks(["photoshare_worker"], related_name="tasks", force=True)


@worker_init.connect
def _check_every_task_has_a_handler(sender: object = None, **_: object) -> None:
    """Refuse to start a worker that would silently drop jobs the web publishes."""
    missing = PUBLISHED_TASKS - set(app.tasks)
    if missing:
        raise RuntimeError(f"no handler for published task(s): {', '.join(sorted(missing))}")


@worker_process_init.connect
def _keep_freed_memory(**_: object) -> None:
    """Each pool process reuses the memory of its previous photo (see photoshare_worker.memory)."""
    keep_freed_memory()
