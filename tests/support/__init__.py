"""Helpers every test tier and the bench share: accounts, made-up images, the HTTP API client, the wait loop.

Imported as `tests.support.<module>` from the repository root (pytest's `pythonpath = ["."]`;
the bench runs as `python -m bench.<part>` from the root).
"""
