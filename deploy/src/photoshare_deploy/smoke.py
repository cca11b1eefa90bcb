"""End-to-end check of a running site: health, sign-in, upload, READY, thumbnail, listing, delete, 404.

It signs in with the account given, or else makes a temporary account in the site's user pool
with the Cognito admin API (your AWS credentials) and deletes it at the end.
"""

import io
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Login:
    """A username and password to sign in with."""

    username: str
    password: str


class TemporaryAccount:
    """A throwaway confirmed account in the site's pool, made and deleted with the admin API."""

    def __init__(self, cognito: Any, user_pool_id: str) -> None:
        self._cognito = cognito
        self._pool = user_pool_id
        self.login = Login(f"smoke-{uuid.uuid4().hex[:12]}", f"{secrets.token_urlsafe(16)}-Aa1")

    def create(self) -> Login:
        """Create the account, confirmed, with a permanent password."""
        self._cognito.admin_create_user(
            UserPoolId=self._pool,
            Username=self.login.username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": "smoke@example.invalid"}],
        )
        self._cognito.admin_set_user_password(
            UserPoolId=self._pool, Username=self.login.username, Password=self.login.password, Permanent=True
        )
        return self.login

    def delete(self) -> None:
        """Remove the account (and with it every session it had)."""
        self._cognito.admin_delete_user(UserPoolId=self._pool, Username=self.login.username)


# (user pool id) -> a cognito-idp client with admin rights on it; made only when no login is given.
CognitoFactory = Callable[[str], Any]


class Smoke:
    """The smoke test's steps against one base URL; each step is timed and printed."""

    def __init__(
        self,
        url: str,
        echo: Printer,
        *,
        login: Login | None = None,
        cognito: CognitoFactory | None = None,
        ready_timeout_s: float = 180,
        http_timeout_s: float = 15,
    ) -> None:
        self.base = url.rstrip("/")
        self.echo = echo
        self.login = login
        self.cognito = cognito
        self.ready_timeout_s = ready_timeout_s
        self.http = requests.Session()
        self.http_timeout_s = http_timeout_s
        self.photo_id: str | None = None
        self.temporary: TemporaryAccount | None = None

    def run(self) -> None:
        """Every step in order; the photo and any temporary account are removed even when a step fails."""
        started = time.monotonic()
        try:
            self.step("GET /healthz", self.health)
            self.step("POST /api/photos without a token is 401", self.anonymous_upload_refused)
            if self.login is None:
                self.login = self.step("create a temporary account", self.create_account)
            self.step(f"sign in as {self.login.username}", self.sign_in)
            self.step("POST /api/photos", self.upload)
            photo = self.step("wait for READY", self.wait_ready)
            self.step("GET thumbnails.small.url", lambda: self.thumbnail(photo))
            self.step("GET /api/photos?owner=me lists it", self.listing)
            self.step(f"DELETE /api/photos/{self.photo_id}", self.delete)
            self.step("GET after delete is 404", self.gone)
        finally:
            if self.photo_id is not None:
                self._request("DELETE", f"/api/photos/{self.photo_id}", ok=(204, 404), quiet=True)
            if self.temporary is not None:
                self.step("delete the temporary account", self.temporary.delete)
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

    def anonymous_upload_refused(self) -> None:
        """Nobody writes anonymously."""
        files = {"file": ("smoke.jpg", test_photo(), "image/jpeg")}
        self._request("POST", "/api/photos", ok=(401,), files=files)

    def create_account(self) -> Login:
        """A temporary account in the pool the site names at /api/auth/config."""
        if self.cognito is None:
            raise DeployError("no account to sign in with: give --username (its password in PHOTOSHARE_SMOKE_PASSWORD)")
        pool = self._request("GET", "/api/auth/config").json()["user_pool_id"]
        account = TemporaryAccount(self.cognito(pool), pool)
        login = account.create()
        self.temporary = account
        return login

    def sign_in(self) -> None:
        """Get an access token from the site and send it with every later request."""
        assert self.login is not None
        body = {"username": self.login.username, "password": self.login.password}
        token = self._request("POST", "/api/auth/token", json=body).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

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
        """The owner's newest-first listing has the photo on its first page (it is private: the
        smoke test shows nothing to the site's visitors)."""
        items = self._request("GET", "/api/photos", params={"limit": 100, "owner": "me"}).json()["items"]
        if self.photo_id not in {item["id"] for item in items}:
            raise DeployError("the photo is not in GET /api/photos?owner=me")

    def delete(self) -> None:
        """DELETE answers 204."""
        self._request("DELETE", f"/api/photos/{self.photo_id}", ok=(204,))

    def gone(self) -> None:
        """GET after DELETE answers 404."""
        self._request("GET", f"/api/photos/{self.photo_id}", ok=(404,))
        self.photo_id = None

    def _request(
        self, method: str, path: str, ok: tuple[int, ...] = (200,), quiet: bool = False, **kwargs: Any
    ) -> requests.Response:
        try:
            response = self.http.request(method, self.base + path, timeout=self.http_timeout_s, **kwargs)
        except requests.RequestException:
            if quiet:
                return requests.Response()
            raise
        if response.status_code not in ok and not quiet:
            raise DeployError(f"{method} {path} answered {response.status_code}: {response.text[:200]}")
        return response
