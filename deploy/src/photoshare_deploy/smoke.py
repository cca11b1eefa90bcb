"""End-to-end check of a running site: health, upload, READY, thumbnail, listing, delete, 404."""

import io
import time
from collections.abc import Callable
from typing import Any

import requests
from PIL import Image, ImageDraw

from photoshare_deploy.errors import DeployError

Printer = Callable[[str], None]


def test_photo() -> bytes:
    """A small generated JPEG (a gradient with a red corner), made fresh so its hash is new."""
    image = Image.new("RGB", (640, 480))
    draw = ImageDraw.Draw(image)
    for x in range(0, 640, 10):
        draw.line([(x, 0), (x, 480)], fill=(x * 255 // 640, 120, 255 - x * 255 // 640), width=10)
    draw.rectangle([0, 0, 160, 120], fill=(255, 0, 0))
    draw.text((200, 220), f"photoshare smoke {time.time():.3f}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Smoke:
    """The smoke test's steps against one base URL; each step is timed and printed."""

    def __init__(self, url: str, echo: Printer, ready_timeout_s: float = 180, http_timeout_s: float = 15) -> None:
        self.base = url.rstrip("/")
        self.echo = echo
        self.ready_timeout_s = ready_timeout_s
        self.http = requests.Session()
        self.http_timeout_s = http_timeout_s
        self.photo_id: str | None = None

    def run(self) -> None:
        """Every step in order; the uploaded photo is deleted even when a later step fails."""
        started = time.monotonic()
        try:
            self.step("GET /healthz", self.health)
            self.step("POST /api/photos", self.upload)
            photo = self.step("wait for READY", self.wait_ready)
            self.step("GET thumbnails.small.url", lambda: self.thumbnail(photo))
            self.step("GET /api/photos lists it", self.listing)
            self.step(f"DELETE /api/photos/{self.photo_id}", self.delete)
            self.step("GET after delete is 404", self.gone)
        finally:
            if self.photo_id is not None:
                self._request("DELETE", f"/api/photos/{self.photo_id}", ok=(204, 404), quiet=True)
        self.echo(f"smoke test passed in {time.monotonic() - started:.2f}s")

    def step(self, name: str, action: Callable[[], Any]) -> Any:
        """Run one step, print its name and time, and turn a failure into a DeployError naming it."""
        start = time.monotonic()
        try:
            result = action()
        except (requests.RequestException, DeployError, KeyError, ValueError, TypeError) as error:
            self.echo(f"FAIL {name} ({time.monotonic() - start:.2f}s)")
            raise DeployError(f"smoke step '{name}' failed: {error}") from error
        self.echo(f"ok   {name} ({time.monotonic() - start:.2f}s)")
        return result

    def health(self) -> None:
        """The web process answers."""
        body = self._request("GET", "/healthz").json()
        if body.get("status") != "ok":
            raise DeployError(f"/healthz said {body}")

    def upload(self) -> None:
        """Upload a generated JPEG; expect 202 and an id."""
        files = {"file": ("smoke.jpg", test_photo(), "image/jpeg")}
        photo = self._request("POST", "/api/photos", ok=(202,), files=files).json()
        self.photo_id = photo["id"]

    def wait_ready(self) -> dict[str, Any]:
        """Poll the photo until READY; FAILED or the timeout is an error."""
        deadline = time.monotonic() + self.ready_timeout_s
        while True:
            photo = self._request("GET", f"/api/photos/{self.photo_id}").json()
            if photo["status"] == "READY":
                return photo
            if photo["status"] == "FAILED":
                raise DeployError(f"photo FAILED: {photo.get('error')}")
            if time.monotonic() > deadline:
                raise DeployError(f"still {photo['status']} after {self.ready_timeout_s:.0f}s (is a worker running?)")
            time.sleep(0.5)

    def thumbnail(self, photo: dict[str, Any]) -> None:
        """The small thumbnail downloads and decodes as an image."""
        url = photo["thumbnails"]["small"]["url"]
        response = self.http.get(url, timeout=self.http_timeout_s)
        if response.status_code != 200:
            raise DeployError(f"thumbnail answered {response.status_code}")
        with Image.open(io.BytesIO(response.content)) as image:
            image.verify()

    def listing(self) -> None:
        """The newest-first listing has the photo on its first page."""
        items = self._request("GET", "/api/photos", params={"limit": 100}).json()["items"]
        if self.photo_id not in {item["id"] for item in items}:
            raise DeployError("the photo is not in GET /api/photos")

    def delete(self) -> None:
        """DELETE answers 204."""
        self._request("DELETE", f"/api/photos/{self.photo_id}", ok=(204,))

    def gone(self) -> None:
        """GET after DELETE answers 404."""
        self._request("GET", f"/api/photos/{self.photo_id}", ok=(404,))
        self.photo_id = None

    def _request(self, method: str, path: str, ok: tuple[int, ...] = (200,), quiet: bool = False, **kwargs: Any) -> requests.Response:
        try:
            response = self.http.request(method, self.base + path, timeout=self.http_timeout_s, **kwargs)
        except requests.RequestException:
            if quiet:
                return requests.Response()
            raise
        if response.status_code not in ok and not quiet:
            raise DeployError(f"{method} {path} answered {response.status_code}: {response.text[:200]}")
        return response
