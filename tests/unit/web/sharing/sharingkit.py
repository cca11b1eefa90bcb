"""Helpers of the sharing tests (fixtures are in conftest.py)."""

from io import BytesIO
from typing import Any

from tests.support.images import photo_bytes

# GPS_NORTH_EAST is 48°51'29.4" N, 2°17'40.2" E: how the position could show in an answer.
LOCATION_TEXTS = ("48.858", "2.2945", "48°", "48.86", "2.29")


def upload(client: Any, *, visibility: str | None = None, data: bytes | None = None, name: str = "a.jpg") -> str:
    """Upload as the client's account; the new photo's id."""
    form: dict[str, Any] = {"file": (BytesIO(data or photo_bytes(64, 48)), name, "image/jpeg")}
    if visibility:
        form["visibility"] = visibility
    response = client.post("/api/photos", data=form, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]
