"""The application factory: settings in, a configured Flask app out."""

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from photoshare_shared.backends import Backends
from photoshare_shared.settings import Settings
from photoshare_web import accounts, api, dispatch, errors, filters, health, origin, pages, ratelimit, security
from photoshare_web.accounts.provider import AccountServices
from photoshare_web.signing import signing_key
from photoshare_web.uploadstream import UploadRequest

# Multipart framing around the file part; the file itself is held to max_upload_bytes.
_FORM_OVERHEAD_BYTES = 64 * 1024


def create_app(
    settings: Settings | None = None,
    backends: Backends | None = None,
    account_services: AccountServices | None = None,
) -> Flask:
    """Build the web app; its backends (S3, DynamoDB, Redis) and account services (Cognito) are made
    from settings unless given."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.request_class = UploadRequest
    app.config.update(
        SECRET_KEY=signing_key(settings),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + _FORM_OVERHEAD_BYTES,
        MAX_FORM_PARTS=10,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["photoshare"] = backends or Backends.from_settings(settings)
    dispatch.register(app, app.extensions["photoshare"])

    csrf = CSRFProtect(app)
    # API callers authenticate with a Bearer token, which a forged cross-site request cannot
    # carry; when the API is called with the session cookie instead (the page's own scripts),
    # api.py asks for the CSRF token in a header.
    csrf.exempt(api.bp)
    csrf.exempt(accounts.token_api.bp)

    origin.register(app, settings.origin_secret)  # first: a stranger's request costs nothing more
    ratelimit.register(app, settings)
    if settings.trusted_proxies:
        # The client address (rate limits) and the scheme (https:// URLs, CSRF's same-origin check)
        # come from the trusted proxies' headers, and from nobody else's.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )

    app.register_blueprint(health.bp)
    accounts.register(app, settings, account_services)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    errors.register_error_handlers(app, settings)
    filters.register(app)
    security.register(app, image_origin=app.extensions["photoshare"].store.browser_origin)
    return app
