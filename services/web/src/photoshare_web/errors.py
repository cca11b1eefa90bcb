"""Errors answered the way the asker reads them: JSON for the API, a friendly page for people.

Every refusal of this app is an HttpError; Werkzeug's own (no such route, wrong method, body too
large), Flask-Limiter's and Flask-WTF's are turned into one here, so one function answers them all.
"""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, Response, jsonify, make_response, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge, TooManyRequests

from photoshare_shared.settings import Settings, too_large_message
from photoshare_web.ratelimit import too_many_message

log = logging.getLogger(__name__)

STORAGE_DOWN = "Photo storage is unavailable right now; please try again shortly."
BAD_CURSOR = "The cursor is not valid: use next_cursor from a previous page."
_PAGE_EXPIRED = "This page has expired (its security token is missing or old); reload it and try again."
_BUG = "Something went wrong on our side; the error has been logged."


class HttpError(Exception):
    """A request refused with an HTTP status and a message a person understands.

    `headers` go with the answer; with `page_redirect`, a person's browser is sent there instead
    (a program calling the API always gets the status).
    """

    def __init__(
        self, status: int, message: str, *, headers: dict[str, str] | None = None, page_redirect: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.page_redirect = page_redirect


def wants_json() -> bool:
    """True for API and health requests, whose callers are programs."""
    return request.path.startswith(("/api/", "/healthz", "/readyz"))


def register_error_handlers(app: Flask, settings: Settings) -> None:
    """Answer every error through one function, in the asker's format."""

    def werkzeug_error(error: HTTPException) -> Response:
        # Unhandled exceptions arrive here too, as an InternalServerError (Flask has logged them).
        return _answer(_as_http_error(error, settings))

    def storage_down(error: Exception) -> Response:
        log.exception("AWS call failed: %s", error)
        return _answer(HttpError(503, STORAGE_DOWN))

    app.register_error_handler(HttpError, _answer)
    app.register_error_handler(HTTPException, werkzeug_error)
    app.register_error_handler(BotoCoreError, storage_down)
    app.register_error_handler(ClientError, storage_down)


def _answer(error: HttpError) -> Response:
    """The response for a refusal: JSON {"error": message} for programs, the error page for people."""
    json = wants_json()
    if error.page_redirect and not json:
        return redirect(error.page_redirect)
    if json:
        response = jsonify(error=error.message)
    else:
        response = make_response(render_template("error.html", status=error.status, message=error.message))
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def _as_http_error(error: HTTPException, settings: Settings) -> HttpError:
    """A Werkzeug (or extension) exception as this app words it; never a stack trace for the caller."""
    if isinstance(error, RequestEntityTooLarge):
        return HttpError(413, too_large_message(settings))
    if isinstance(error, TooManyRequests):
        return HttpError(429, too_many_message(error))
    if isinstance(error, CSRFError):
        return HttpError(400, _PAGE_EXPIRED)
    if isinstance(error, InternalServerError):
        return HttpError(500, _BUG)
    return HttpError(error.code or 500, error.description or error.name)
