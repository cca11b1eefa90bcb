"""The one wait loop every tier and the bench use (tests/support/waiting.py)."""

import pytest

from tests.support.waiting import SETTLED, NotSettled, wait_until


def reader(timeline: dict[str, list]) -> tuple:
    """A read() that answers each photo's states in turn (the last one for ever), and the reads it made."""
    reads: list[str] = []

    def read(photo_id: str):
        reads.append(photo_id)
        states = timeline[photo_id]
        state = states.pop(0) if len(states) > 1 else states[0]
        return None if state is None else {"status": state}

    return read, reads


def test_waits_until_every_photo_is_settled_and_returns_the_last_states():
    read, reads = reader({"a": ["QUEUED", "PROCESSING", "READY"], "b": ["FAILED"]})
    states = wait_until(["a", "b"], SETTLED, read=read, timeout=5, interval=0.001)
    assert states == {"a": {"status": "READY"}, "b": {"status": "FAILED"}}
    assert reads.count("b") == 1  # a settled photo is not read again


def test_a_missing_photo_is_pending_unless_gone_counts_as_settled():
    read, _ = reader({"a": [None]})
    assert wait_until(["a"], SETTLED, read=read, timeout=5, gone_is_settled=True) == {"a": None}
    with pytest.raises(NotSettled) as late:
        wait_until(["a"], SETTLED, read=read, timeout=0.05, interval=0.01)
    assert late.value.last == {"a": None}


def test_nothing_is_read_while_busy_says_a_photo_is_pending():
    read, reads = reader({"a": ["READY"]})
    busy = iter([True, True, False])
    assert wait_until(["a"], SETTLED, read=read, timeout=5, interval=0.001, busy=lambda: next(busy))["a"]
    assert reads == ["a"]


def test_a_timeout_names_the_photos_still_pending_and_their_status():
    read, _ = reader({"a": ["READY"], "b": ["PROCESSING"]})
    with pytest.raises(NotSettled, match=r"1 photo\(s\) not in \['READY'\].*'b': 'PROCESSING'"):
        wait_until(["a", "b"], {"READY"}, read=read, timeout=0.05, interval=0.01)
