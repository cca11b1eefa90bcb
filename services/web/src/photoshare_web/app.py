"""The application factory: settings in, a configured Flask app out."""

import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from photoshare_shared.services import Services
from photoshare_shared.settings import Settings
from photoshare_web import api, errors, filters, health, pages, ratelimit, security

# Multipart framing around the file part; the file itself is held to max_upload_bytes.
_FORM_OVERHEAD_BYTES = 64 * 1024


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """Build the web app; services (S3, DynamoDB, Redis) are made from settings unless given."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + _FORM_OVERHEAD_BYTES,
        MAX_FORM_PARTS=10,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["photoshare"] = services or Services.from_settings(settings)

    csrf = CSRFProtect(app)
    # The JSON API carries no ambient credentials (no cookies are read by it), so a forged
    # cross-site request can do nothing a direct request could not.
    csrf.exempt(api.bp)

    ratelimit.register(app, settings)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]

    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    errors.register(app, settings)
    filters.register(app)
    security.register(app, image_origin=app.extensions["photoshare"].store.browser_origin)
    return app
