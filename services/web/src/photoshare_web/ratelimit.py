"""Per-client rate limits on uploads and on sign-in attempts (Flask-Limiter, counters in the broker's Redis)."""

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from photoshare_shared.settings import Settings
from photoshare_web.services import services

# A client is its address (the proxy-corrected one when PHOTOSHARE_TRUSTED_PROXIES is set).
# When Redis is down the limiter lets requests through; the upload then answers 503 itself.
limiter = Limiter(get_remote_address, headers_enabled=True, swallow_errors=True)

# One budget for the JSON API and the upload form together.
upload_limit = limiter.shared_limit(lambda: services().settings.upload_rate_limit, scope="uploads", methods=["POST"])

# One budget for every way of presenting a password or code: pages and the token API.
signin_limit = limiter.shared_limit(lambda: services().settings.signin_rate_limit, scope="signin", methods=["POST"])
_SIGNIN_BLUEPRINTS = frozenset({"accounts", "auth_api"})


def too_many_message(limit: str | None) -> str:
    """What a client over a limit is told, naming which limit it hit."""
    if request.blueprint in _SIGNIN_BLUEPRINTS:
        return f"Too many sign-in attempts from your address (limit: {limit}); please wait a minute and try again."
    return f"Too many uploads from your address (limit: {limit}); please wait a moment."


def register(app: Flask, settings: Settings) -> None:
    """Keep the counters in Redis so every web process shares them."""
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url
    limiter.init_app(app)
