"""memory: the worker's pool processes keep freed memory for the next photo."""

import platform

from photoshare_worker.memory import keep_freed_memory


def test_malloc_is_tuned_on_glibc_and_left_alone_elsewhere() -> None:
    assert keep_freed_memory() is (platform.libc_ver()[0] == "glibc")


def test_the_worker_applies_it_in_every_pool_process() -> None:
    from celery.signals import worker_process_init

    from photoshare_worker import celery_app

    assert any(
        getattr(receiver(), "__name__", "") == "_keep_freed_memory" for _, receiver in worker_process_init.receivers
    )
    assert celery_app._keep_freed_memory.__module__ == celery_app.__name__
