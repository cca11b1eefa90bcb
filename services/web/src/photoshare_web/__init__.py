"""Photoshare's web service: `create_app()` is the Flask application factory."""

from photoshare_web.app import create_app

__all__ = ["create_app"]
