"""Errors answered the way the asker reads them: JSON for the API, a friendly page for people."""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge, TooManyRequests

from photoshare_shared.settings import Settings, too_large_message
from photoshare_web.ratelimit import too_many_message

log = logging.getLogger(__name__)


class Refused(Exception):
    """A request refused with an HTTP status and a message a person understands."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


STORAGE_DOWN = "Photo storage is unavailable right now; please try again shortly."


def wants_json() -> bool:
    """True for API and health requests, whose callers are programs."""
    return request.path.startswith(("/api/", "/healthz", "/readyz"))


def respond(status: int, message: str) -> tuple[Response | str, int]:
    """An error response in the asker's format."""
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask, settings: Settings) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(Refused)
    def _refused(error: Refused) -> tuple[Response | str, int]:
        return respond(error.status, error.message)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_: RequestEntityTooLarge) -> tuple[Response | str, int]:
        return respond(413, too_large_message(settings))

    @app.errorhandler(TooManyRequests)
    def _too_many(error: TooManyRequests) -> tuple[Response | str, int]:
        return respond(429, too_many_message(error))

    @app.errorhandler(CSRFError)
    def _csrf(_: CSRFError) -> tuple[Response | str, int]:
        return respond(400, "This page has expired (its security token is missing or old); reload it and try again.")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response | str, int]:
        return respond(error.code or 500, error.description or error.name)

    @app.errorhandler(BotoCoreError)
    @app.errorhandler(ClientError)
    def _storage_down(error: Exception) -> tuple[Response | str, int]:
        log.exception("AWS call failed: %s", error)
        return respond(503, STORAGE_DOWN)

    @app.errorhandler(InternalServerError)
    def _bug(error: InternalServerError) -> tuple[Response | str, int]:
        # Never a stack trace for the caller; the log has it.
        return respond(500, "Something went wrong on our side; the error has been logged.")
