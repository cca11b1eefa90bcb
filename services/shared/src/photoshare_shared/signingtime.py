"""Presigned URLs that stay the same for a while, so that browsers cache the images behind them.

A SigV4 URL is a function of its signing time; signed at the start of the current time window
rather than now, every page within the window hands out the same URL for the same image, and a
browser coming back finds it in its cache (thumbnails are immutable, cached a year).

botocore reads the signing time from `botocore.auth.get_current_datetime`; it is wrapped once so
that, inside `signed_at`, the time comes from a context variable (so per thread: other requests
signing at the same moment keep the real time).
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import botocore.auth

_signing_time: ContextVar[datetime.datetime | None] = ContextVar("photoshare_signing_time", default=None)
_real_current_datetime = botocore.auth.get_current_datetime


def _current_datetime(remove_tzinfo: bool = True) -> datetime.datetime:
    fixed = _signing_time.get()
    if fixed is None:
        return _real_current_datetime(remove_tzinfo)
    return fixed.replace(tzinfo=None) if remove_tzinfo else fixed


if getattr(botocore.auth.get_current_datetime, "__module__", "") != __name__:
    botocore.auth.get_current_datetime = _current_datetime


def window_start(now: datetime.datetime, window_s: int) -> datetime.datetime:
    """The start of the `window_s`-second window `now` falls in (windows start at the epoch)."""
    seconds = int(now.timestamp())
    return datetime.datetime.fromtimestamp(seconds - seconds % window_s, datetime.UTC)


@contextmanager
def signed_at(moment: datetime.datetime) -> Iterator[None]:
    """Sign within this block as if it were `moment`."""
    token = _signing_time.set(moment)
    try:
        yield
    finally:
        _signing_time.reset(token)
