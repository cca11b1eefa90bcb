"""The services of the current app, made once by create_app and kept in app.extensions."""

from flask import current_app

from photoshare_shared.services import Services


def services() -> Services:
    """The current app's services."""
    return current_app.extensions["photoshare"]
