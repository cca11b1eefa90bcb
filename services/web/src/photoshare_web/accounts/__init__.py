"""Accounts with Amazon Cognito: sign-up and sign-in pages, API tokens, and who may do what."""

from datetime import timedelta

from flask import Flask, Response, make_response, redirect, request, url_for

from photoshare_shared.settings import Settings
from photoshare_shared.userpool import REFRESH_TOKEN_DAYS
from photoshare_web.accounts import account_pages, token_api
from photoshare_web.accounts.current import Unauthenticated, current_user, load_user
from photoshare_web.accounts.provider import AccountServices, AccountsNotSetUp
from photoshare_web.accounts.redaction import hide_secrets_in_aws_logs
from photoshare_web.errors import respond, wants_json

# Requests that need no idea of who is asking.
_ANONYMOUS_ENDPOINTS = frozenset({"static", "health.healthz", "health.readyz"})
# What people who are not signed in may still open when browsing is not public.
_OPEN_WHEN_PRIVATE = frozenset(
    {
        "accounts.signin",
        "accounts.signup",
        "accounts.confirm",
        "accounts.signout",
        "auth_api.config",
        "auth_api.token",
        "auth_api.me",
    }
)


def register(app: Flask, settings: Settings, account_services: AccountServices | None = None) -> None:
    """Install the account pages and API, resolve the caller of every request, enforce private browsing."""
    app.extensions["photoshare_accounts"] = account_services or AccountServices(settings)
    hide_secrets_in_aws_logs()
    app.config.update(
        SESSION_COOKIE_NAME="photoshare_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(days=REFRESH_TOKEN_DAYS),
    )
    app.register_blueprint(account_pages.bp)
    app.register_blueprint(token_api.bp)
    app.context_processor(lambda: {"account": current_user()})

    @app.before_request
    def _identify() -> None:
        if request.endpoint in _ANONYMOUS_ENDPOINTS:
            return
        load_user()
        if not settings.public_browsing and current_user() is None and request.endpoint not in _OPEN_WHEN_PRIVATE:
            raise Unauthenticated("Sign in to see the photos.")

    @app.errorhandler(Unauthenticated)
    def _unauthenticated(error: Unauthenticated) -> Response:
        # A refused token comes again with the next request, so sending its bearer to the
        # sign-in page would only loop: it gets the 401 at once.
        if not wants_json() and request.method == "GET" and not error.token_error:
            return redirect(url_for("accounts.signin", next=request.full_path.rstrip("?")))
        response = make_response(respond(401, error.message))
        response.headers["WWW-Authenticate"] = 'Bearer realm="photoshare"' + (
            ', error="invalid_token"' if error.token_error else ""
        )
        return response

    @app.errorhandler(AccountsNotSetUp)
    def _not_set_up(error: AccountsNotSetUp) -> tuple[Response | str, int]:
        return respond(503, str(error))
