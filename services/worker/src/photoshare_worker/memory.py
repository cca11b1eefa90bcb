"""Keep freed memory in worker processes for the next photo instead of handing it back to the OS."""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

MB = 1024 * 1024
# glibc's mallopt() parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
# Every photo allocates and frees the same tens of MB of images (Pillow, in blocks of up to 16 MB).
# By default glibc maps big blocks fresh and returns freed heap to the OS, so each job page-faults
# them in again: ~4,300 faults and 10-12% of a 12 MP render. Blocks below 32 MB come from the heap,
# and 64 MB of free heap is kept, also after a bigger photo gave more back: the working set of a
# 24 MP photo, no more (a process above PHOTOSHARE_WORKER_MAX_MEMORY_MB is still replaced).
MMAP_THRESHOLD = 32 * MB
KEEP = 64 * MB


def keep_freed_memory() -> bool:
    """Tune glibc's malloc as above; False (nothing changed) on another C library."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this interpreter runs on
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    settings = ((_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, KEEP), (_M_TOP_PAD, KEEP))
    applied = all([bool(mallopt(parameter, value)) for parameter, value in settings])
    if not applied:
        log.warning("mallopt refused the memory settings; the worker runs with the defaults")
    return applied
