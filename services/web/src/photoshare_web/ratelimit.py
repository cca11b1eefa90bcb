"""Per-client upload rate limiting (Flask-Limiter, counters in the broker's Redis)."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from photoshare_shared.settings import Settings
from photoshare_web.services import services

# A client is its address (the proxy-corrected one when PHOTOSHARE_TRUSTED_PROXIES is set).
# When Redis is down the limiter lets requests through; the upload then answers 503 itself.
limiter = Limiter(get_remote_address, headers_enabled=True, swallow_errors=True)

# One budget for the JSON API and the upload form together.
upload_limit = limiter.shared_limit(lambda: services().settings.upload_rate_limit, scope="uploads", methods=["POST"])


def register(app: Flask, settings: Settings) -> None:
    """Keep the counters in Redis so every web process shares them."""
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url
    limiter.init_app(app)
