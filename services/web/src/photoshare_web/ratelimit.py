"""Per-client rate limits on uploads, sign-in attempts and retries (Flask-Limiter, counters in the broker's Redis)."""

from flask import Flask, g
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

_TOO_MANY = {
    "uploads": "Too many uploads from your address (limit: {limit}); please wait a moment.",
    "signin": "Too many sign-in attempts from your address (limit: {limit}); please wait a minute and try again.",
    "retries": "Too many retries from your account (limit: {limit}); please wait before retrying again.",
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
