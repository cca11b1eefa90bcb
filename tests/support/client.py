"""The HTTP API as the integration, browser and compose tests and the bench drive it."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import requests

from photoshare_shared.aws import make_client
from photoshare_shared.settings import Settings
from photoshare_shared.userpool import UserPoolIds
from tests.support.accounts import Account, create_account
from tests.support.waiting import wait_until


class ApiClient(requests.Session):
    """A session with one running web app (local or under compose), signed in or anonymous."""

    def __init__(self, web_url: str, account: Account | None = None) -> None:
        super().__init__()
        self.web_url = web_url
        self.account = account
        if account is not None:
            self.headers.update(account.bearer)

    @classmethod
    def for_new_account(
        cls, web_url: str, settings: Settings, pool: UserPoolIds, username: str | None = None
    ) -> ApiClient:
        """Signed in as a new confirmed user of `pool`, in the emulator `settings` point at."""
        return cls(web_url, create_account(make_client("cognito-idp", settings), pool, username))

    @classmethod
    def signed_in(cls, web_url: str, username: str, password: str) -> ApiClient:
        """Signed in through the web's token endpoint, as a person's script would."""
        client = cls(web_url)
        response = client.post(
            client.url("/api/auth/token"), json={"username": username, "password": password}, timeout=30
        )
        response.raise_for_status()
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return client

    def url(self, path: str) -> str:
        """Absolute URL of a path of the web app."""
        return self.web_url + path

    # ----- uploads ----------------------------------------------------------------------------

    def upload_request(
        self, file: bytes | Path, filename: str = "photo.jpg", content_type: str = "image/jpeg"
    ) -> requests.PreparedRequest:
        """The upload of `file` (bytes, or a path to read), ready to send and to send again. requests
        builds the whole multipart body in memory first: the client's cost, not the service's."""
        data = file.read_bytes() if isinstance(file, Path) else file
        files = {"file": (filename, data, content_type)}
        return self.prepare_request(requests.Request("POST", self.url("/api/photos"), files=files))

    def upload(
        self, file: bytes | Path, filename: str = "photo.jpg", content_type: str = "image/jpeg", timeout: float = 30
    ) -> requests.Response:
        """POST one file to /api/photos as multipart field `file`; the answer, whatever it is."""
        return self.send(self.upload_request(file, filename, content_type), timeout=timeout)

    def upload_id(self, file: bytes | Path, filename: str = "photo.jpg", timeout: float = 60) -> str:
        """Upload one photo that must be accepted (202); its id."""
        return accepted_id(self.upload(file, filename, timeout=timeout))

    # ----- reading and deleting ---------------------------------------------------------------

    def photo(self, photo_id: str) -> dict[str, Any] | None:
        """GET /api/photos/<id>: the photo's JSON, or None if there is no such photo."""
        response = self.get(self.url(f"/api/photos/{photo_id}"), timeout=10)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()

    def photo_ids(self, **params: Any) -> list[str]:
        """The ids of GET /api/photos, every page of it (following next_cursor)."""
        ids: list[str] = []
        cursor = None
        while True:
            query = {"limit": 100, **params, **({"cursor": cursor} if cursor else {})}
            page = self.get(self.url("/api/photos"), params=query, timeout=10).json()
            ids += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                return ids

    def delete_photo(self, photo_id: str) -> requests.Response:
        """DELETE /api/photos/<id>."""
        return self.delete(self.url(f"/api/photos/{photo_id}"), timeout=10)

    def jobs(self) -> dict[str, Any]:
        """GET /api/jobs: queue depth, workers, recent failures."""
        response = self.get(self.url("/api/jobs"), timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    # ----- waiting ----------------------------------------------------------------------------

    def wait_until(
        self, photo_ids: Iterable[str], statuses: Collection[str], timeout: float = 30, interval: float = 0.2
    ) -> dict[str, dict[str, Any]]:
        """Poll GET /api/photos/<id> until every photo's status is in `statuses`; their JSON."""
        return wait_until(photo_ids, statuses, read=self.photo, timeout=timeout, interval=interval)  # type: ignore[return-value]

    def wait_for(self, photo_id: str, statuses: Collection[str], timeout: float = 30) -> dict[str, Any]:
        """One photo's JSON once its status is in `statuses`."""
        return self.wait_until([photo_id], statuses, timeout=timeout, interval=0.05)[photo_id]


def accepted_id(response: requests.Response) -> str:
    """The photo id of a 202 upload answer (fails the test otherwise)."""
    assert response.status_code == 202, response.text
    return response.json()["id"]
