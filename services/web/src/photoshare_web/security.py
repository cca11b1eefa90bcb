"""Security headers on every response."""

from flask import Flask, Response


def register(app: Flask, *, image_origin: str) -> None:
    """Add CSP, nosniff, frame denial and referrer policy to every response."""
    policy = "; ".join(
        [
            "default-src 'self'",
            f"img-src 'self' data: {image_origin}",
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
        return response
