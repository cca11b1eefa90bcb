"""Fixtures shared by the test tiers: the real local stack (integration and browser tests)."""

pytest_plugins = ["stack_fixture"]
