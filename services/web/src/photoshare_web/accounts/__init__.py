"""Accounts with Amazon Cognito: sign-up and sign-in pages, API tokens, and who may do what."""

from datetime import timedelta

from flask import Flask, request

from photoshare_shared.settings import Settings
from photoshare_shared.userpool import REFRESH_TOKEN_DAYS
from photoshare_web.accounts import account_pages, token_api
from photoshare_web.accounts.current import current_user, load_user, sign_in_required
from photoshare_web.accounts.provider import AccountServices
from photoshare_web.accounts.redaction import hide_secrets_in_aws_logs

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
            raise sign_in_required("Sign in to see the photos.")
