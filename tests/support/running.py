"""A local stack for a test fixture: started, and stopped whatever happens."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from photoshare_devstack.stack import DevStack


@contextmanager
def running(stack: DevStack, **start: Any) -> Iterator[DevStack]:
    """`stack` started with `start` options; a start-up failure fails the test with the logs' tails
    (never a skip: a CI machine without redis-server must go red). Always stopped afterwards."""
    try:
        try:
            stack.start(**start)
        except Exception as error:
            pytest.fail(f"could not start the stack: {type(error).__name__}: {error}\n{stack.tails()}")
        yield stack
    finally:
        stack.close()
