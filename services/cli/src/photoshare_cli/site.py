"""The site's JSON API as the client uses it: sign-in and direct uploads, plus PUTs to S3."""

from dataclasses import dataclass
from typing import Any

import requests

_TIMEOUT_S = 30
_PART_TIMEOUT_S = 300


class SiteError(Exception):
    """The site refused a request; str(exc) is its message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PartUrl:
    """Where to PUT one part."""

    number: int
    url: str


class Site:
    """One Photoshare site, signed in with an access token. Thread-safe for the calls below."""

    def __init__(self, base_url: str, *, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = session or requests.Session()
        self._s3 = requests.Session()  # no Authorization header may ever reach the bucket

    def sign_in(self, username: str, password: str) -> None:
        """Get an access token, as `POST /api/auth/token` gives it."""
        tokens = self._call("POST", "/api/auth/token", json={"username": username, "password": password})
        self._http.headers["Authorization"] = f"Bearer {tokens['access_token']}"

    def start(self, *, filename: str, size: int, sha256: str) -> dict[str, Any]:
        """`POST /api/uploads`: a new upload, or {"duplicate_of": photo}."""
        return self._call("POST", "/api/uploads", json={"filename": filename, "size": size, "sha256": sha256})

    def status(self, upload_id: str, *, parts: int) -> dict[str, Any]:
        """`GET /api/uploads/<id>?parts=N`: the parts S3 has and fresh URLs for all."""
        return self._call("GET", f"/api/uploads/{upload_id}", params={"parts": parts})

    def complete(self, upload_id: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
        """`POST /api/uploads/<id>/complete`: the photo, or {"duplicate_of": photo}."""
        return self._call("POST", f"/api/uploads/{upload_id}/complete", json={"parts": parts})

    def put_part(self, url: str, data: bytes) -> str:
        """PUT one part straight to S3; the ETag S3 gives it."""
        answer = self._s3.put(url, data=data, timeout=_PART_TIMEOUT_S)
        if answer.status_code != 200:
            raise SiteError(answer.status_code, f"storage refused a part ({answer.status_code}): {answer.text[:200]}")
        return answer.headers["ETag"]

    def _call(self, method: str, path: str, **arguments: Any) -> dict[str, Any]:
        answer = self._http.request(method, self.base_url + path, timeout=_TIMEOUT_S, **arguments)
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if answer.status_code >= 400:
            raise SiteError(answer.status_code, body.get("error") or f"{method} {path}: HTTP {answer.status_code}")
        return body
