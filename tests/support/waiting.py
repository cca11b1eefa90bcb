"""The one wait loop: until every photo has a wanted status, read through the API, the table or a gentler probe."""

import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

# Where a photo's processing ends, one way or the other.
SETTLED = frozenset({"READY", "FAILED"})

State = Mapping[str, Any] | None  # a photo's JSON or DynamoDB item; None when there is none (yet or any more)


class NotSettled(AssertionError):
    """Some photos did not reach a wanted status in time; `last` holds what was read of each."""

    def __init__(self, message: str, last: dict[str, State]) -> None:
        super().__init__(message)
        self.last = last


def wait_until(
    photo_ids: Iterable[str],
    statuses: Collection[str],
    *,
    read: Callable[[str], State],
    timeout: float,
    interval: float = 0.2,
    gone_is_settled: bool = False,
    busy: Callable[[], bool] | None = None,
) -> dict[str, State]:
    """Poll `read(photo_id)` every `interval` seconds until each photo's status is in `statuses`; the last
    state read of each. With `gone_is_settled`, a photo that does not exist counts as settled (deleted
    meanwhile). `busy()`, if given, is a cheap check that some photo is pending for sure: while it says
    so, no photo is read (the bench looks at the queue length, so its polling takes little CPU from the
    stack it measures). Raises NotSettled (an AssertionError) after `timeout` seconds."""
    wanted = frozenset(statuses)
    pending = list(dict.fromkeys(photo_ids))
    last: dict[str, State] = {}
    deadline = time.monotonic() + timeout
    while True:
        if busy is None or not busy():
            for photo_id in list(pending):
                state = last[photo_id] = read(photo_id)
                if (state is None and gone_is_settled) or (state is not None and state["status"] in wanted):
                    pending.remove(photo_id)
        if not pending:
            return last
        if time.monotonic() > deadline:
            states = {photo_id: (last.get(photo_id) or {}).get("status") for photo_id in pending}
            raise NotSettled(f"{len(pending)} photo(s) not in {sorted(wanted)} after {timeout:.0f}s: {states}", last)
        time.sleep(interval)
