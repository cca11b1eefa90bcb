"""The backends of the current app, made once by create_app and kept in app.extensions."""

from flask import current_app

from photoshare_shared.backends import Backends


def current_backends() -> Backends:
    """The current app's backends: S3 store, DynamoDB catalog, Redis job queue and figures."""
    return current_app.extensions["photoshare"]
