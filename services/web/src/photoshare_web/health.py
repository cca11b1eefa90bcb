"""Liveness and readiness probes."""

from flask import Blueprint

from photoshare_web.current_backends import current_backends

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int]:
    """Redis, S3 and DynamoDB all answer: 200; otherwise 503 naming what is down."""
    checks = {
        "redis": current_backends().publisher.ping,
        "s3": current_backends().store.ping,
        "dynamodb": current_backends().catalog.ping,
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # any failure means "not ready"; the reason is reported
            results[name] = f"unavailable: {type(error).__name__}"
    ready = all(result == "ok" for result in results.values())
    return {"status": "ready" if ready else "not ready", "checks": results}, 200 if ready else 503
