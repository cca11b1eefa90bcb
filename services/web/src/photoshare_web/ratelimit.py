"""Per-client rate limits on uploads, sign-in attempts and retries (Flask-Limiter, counters in the broker's Redis)."""

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests

from photoshare_shared.settings import Settings
from photoshare_web.current_backends import current_backends

# A client is its address (the proxy-corrected one when PHOTOSHARE_TRUSTED_PROXIES is set).
# When Redis is down the limiter lets requests through; the upload then answers 503 itself.
limiter = Limiter(get_remote_address, headers_enabled=True, swallow_errors=True)

# One budget for the JSON API and the upload form together.
upload_limit = limiter.shared_limit(
    lambda: current_backends().settings.upload_rate_limit, scope="uploads", methods=["POST"]
)

# One budget for every way of presenting a password or code: pages and the token API.
signin_limit = limiter.shared_limit(
    lambda: current_backends().settings.signin_rate_limit, scope="signin", methods=["POST"]
)


def _account_or_address() -> str:
    """The signed-in account, else the client's address. (accounts.current.load_user puts the
    account in g before any view, and so any limit, runs; importing it here would be circular.)"""
    user = g.get("user")
    return f"account:{user.sub}" if user is not None else get_remote_address()


# One budget per account for retrying one photo and retrying all, from the API and the pages:
# every retry queues work again, so one account must not keep a worker busy with its failures.
retry_limit = limiter.shared_limit(
    lambda: current_backends().settings.retry_rate_limit,
    scope="retries",
    methods=["POST"],
    key_func=_account_or_address,
)


def _share_link() -> str:
    """The share link a password is tried on (a digest of its token, as its id)."""
    token = (request.view_args or {}).get("token", "")
    return "link:" + hashlib.sha256(str(token).encode()).hexdigest()[:32]


def _password_refused(response: Response) -> bool:
    return response.status_code == 401


def _share_password_rate() -> str:
    return current_backends().settings.share_password_rate_limit


_per_link = limiter.shared_limit(
    _share_password_rate, scope="share-password-link", key_func=_share_link, deduct_when=_password_refused
)
_per_client = limiter.shared_limit(_share_password_rate, scope="share-password-client", deduct_when=_password_refused)


def share_password_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrong or missing share-link passwords, counted per link (whoever tries) and per client
    (whichever link): guessing one link's password from many addresses, or many links' from one,
    both run out. Right answers cost nothing."""
    return _per_link(_per_client(view))


_TOO_MANY = {
    "uploads": "Too many uploads from your address (limit: {limit}); please wait a moment.",
    "signin": "Too many sign-in attempts from your address (limit: {limit}); please wait a minute and try again.",
    "retries": "Too many retries from your account (limit: {limit}); please wait before retrying again.",
    "share-password-link": "Too many wrong passwords for this link (limit: {limit}); please wait and try again.",
    "share-password-client": "Too many wrong share-link passwords from your address (limit: {limit}); please wait.",
}


def too_many_message(error: TooManyRequests) -> str:
    """What a client over a limit is told, naming which limit it hit."""
    scope = error.limit.scope if isinstance(error, RateLimitExceeded) else None
    template = _TOO_MANY.get(scope if isinstance(scope, str) else "", "Too many requests (limit: {limit}).")
    return template.format(limit=error.description)


def register(app: Flask, settings: Settings) -> None:
    """Keep the counters in Redis so every web process shares them."""
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url
    limiter.init_app(app)
