"""Security headers on every response."""

from flask import Flask, Response, request

# Browsers that saw the site over HTTPS keep to HTTPS for a year (set only on HTTPS responses:
# locally, over plain HTTP, it would mean nothing).
_HSTS = "max-age=31536000"


def register(app: Flask, *, image_origin: str) -> None:
    """Add CSP, nosniff, frame denial and referrer policy to every response, and HSTS over HTTPS.

    `image_origin`: the S3 endpoint browsers reach, for images and upload parts."""
    policy = "; ".join(
        [
            "default-src 'self'",
            f"img-src 'self' data: {image_origin}",
            # Direct uploads: the page PUTs parts to the bucket's presigned URLs.
            f"connect-src 'self' {image_origin}",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = _HSTS
        return response
