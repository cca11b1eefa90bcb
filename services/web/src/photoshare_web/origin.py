"""Only the site's own CloudFront distribution is served: it sends a secret header on every request
(deploy/template.yaml, OriginSecret), and without PHOTOSHARE_ORIGIN_SECRET set nothing is checked.

The network already keeps others out (a VPC origin, a security group); this stops another
distribution, or anything else that can reach the port, all the same. The probes stay open for
the container's health check and the deploy script, and tell nothing.
"""

import hmac

from flask import Flask, request

from photoshare_web.errors import HttpError

ORIGIN_HEADER = "X-Photoshare-Origin"
_PROBES = frozenset({"health.healthz", "health.readyz"})
NOT_THROUGH_THE_SITE = "This host answers only through the address of the site."


def register(app: Flask, secret: str | None) -> None:
    """Refuse (403) every request but the probes that lacks the secret header; nothing when unset."""
    if not secret:
        return
    expected = secret.encode()

    @app.before_request
    def _through_the_site_only() -> None:
        if request.endpoint in _PROBES:
            return
        given = request.headers.get(ORIGIN_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            raise HttpError(403, NOT_THROUGH_THE_SITE)
