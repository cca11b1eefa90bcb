"""Sharing in a real browser (headless Chromium via Playwright) against the real stack.

Make an album, add photos to it from the multi-select of "My photos", share it with a password
and an expiry, open the link in a second browser context with no account, revoke it and see it
gone, its images within the bound; and a revisit of the gallery and of the link page reuses the
thumbnails in the browser's cache. Figures are printed; screenshots go to test-artifacts/.
"""

import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright import sync_api

from tests.e2e.test_browser import ARTIFACTS, _new_tab, jpeg, sign_in
from tests.e2e.test_browser import browser as browser  # noqa: F401  (the fixture, shared with that module)
from tests.support.client import ApiClient

pytestmark = pytest.mark.browser

PASSWORD = "correct horse 42"


class NetworkLog:
    """Image responses a page got over the network, read from Chromium's DevTools protocol: a
    copy from the memory cache is announced by `requestServedFromCache`, one from the disk cache
    is flagged `fromDiskCache`, and a revalidated copy answers 304."""

    def __init__(self, page: Any) -> None:
        self.responses: dict[str, dict[str, Any]] = {}
        self.from_cache: set[str] = set()
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.responseReceived", lambda e: self.responses.__setitem__(e["requestId"], e["response"]))
        session.on("Network.requestServedFromCache", lambda e: self.from_cache.add(e["requestId"]))

    def images_sent(self, marker: str) -> list[str]:
        """URLs containing `marker` whose bytes came over the network (a 200 not from a cache)."""
        return [
            r["url"]
            for request_id, r in self.responses.items()
            if marker in r["url"]
            and r["status"] == 200
            and request_id not in self.from_cache
            and not r.get("fromDiskCache")
            and not r.get("fromMemoryCache")
        ]

    def images_reused(self, marker: str) -> int:
        """How many images containing `marker` came from a cache, or as a 304."""
        return sum(
            1
            for request_id, r in self.responses.items()
            if marker in r["url"] and (request_id in self.from_cache or r.get("fromDiskCache") or r["status"] == 304)
        )

    def clear(self) -> None:
        self.responses.clear()
        self.from_cache.clear()


def images_shown(page: Any) -> int:
    """How many images of the grid have loaded."""
    return page.evaluate(
        "() => [...document.querySelectorAll('.grid img')].filter(i => i.complete && i.naturalWidth > 0).length"
    )


@pytest.fixture
def owner(browser: Any, stack: Any, new_account: Callable[[], ApiClient]) -> Iterator[tuple[Any, ApiClient]]:  # noqa: F811
    """A tab signed in as a new account, and the API as that account."""
    api = new_account()
    tab = _new_tab(browser)
    sign_in(tab, stack, api.account)
    yield tab, api
    tab.context.close()


def _ready_photos(api: ApiClient, count: int, *, visibility: str) -> list[str]:
    ids = []
    for n in range(count):
        files = {"file": (f"trip-{n}-{uuid.uuid4().hex[:4]}.jpg", jpeg(30 * n + 20, model="Z 6"))}
        response = api.post(api.url("/api/photos"), files=files, data={"visibility": visibility}, timeout=30)
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    api.wait_until(ids, {"READY"}, timeout=60)
    return ids


def test_make_an_album_share_it_with_a_password_open_it_anonymously_and_revoke_it(
    stack: Any,
    owner: tuple[Any, ApiClient],
    browser: Any,  # noqa: F811
) -> None:
    expect = sync_api.expect
    ARTIFACTS.mkdir(exist_ok=True)
    page, api = owner
    photos = _ready_photos(api, 3, visibility="private")

    # An album, then two photos into it from the multi-select of "My photos".
    page.goto(stack.url("/albums"))
    page.get_by_label("Title").fill("Trip")
    page.get_by_role("button", name="Make album").click()
    expect(page.locator("h1")).to_have_text("Trip")
    page.goto(stack.url("/mine"))
    for photo_id in photos[:2]:
        page.locator(f'.tile[data-photo-id="{photo_id}"] input[type=checkbox]').check()
    page.get_by_label("Add the selected photos to").select_option(label="Trip")
    page.get_by_role("button", name="Add selected").click()
    expect(page.locator(".notice")).to_contain_text("Added 2 photo(s)")
    page.goto(stack.url("/albums"))
    page.get_by_role("link", name="Trip").click()
    expect(page.locator(".grid .tile")).to_have_count(2)
    expect(page.locator("img.cover")).to_be_visible()

    # Share it with a password and an expiry.
    page.locator("[data-share-expiry]").fill("2099-12-31T23:00")
    page.locator("[data-share-password]").fill(PASSWORD)
    page.get_by_role("button", name="Make a share link").click()
    expect(page).to_have_url(re.compile(r"/shares"))
    row = page.locator("tr[data-link-id]").first
    expect(row).to_contain_text("2099-12-31 23:00 UTC")
    link = row.locator("input.link-url").input_value()
    link_url = stack.url(link) if link.startswith("/") else link
    page.screenshot(path=str(ARTIFACTS / "browser-shared-links.png"))

    # Someone without an account: the password first, then the album.
    stranger = _new_tab(browser)
    try:
        network = NetworkLog(stranger)
        stranger.goto(link_url)
        expect(stranger.locator("h1")).to_have_text("This link needs a password")
        stranger.get_by_label("Password").fill("wrong one")
        stranger.get_by_role("button", name="Open").click()
        expect(stranger.locator(".error")).to_have_text("That password is not right.")
        stranger.get_by_label("Password").fill(PASSWORD)
        stranger.get_by_role("button", name="Open").click()
        expect(stranger.locator(".grid .tile")).to_have_count(2)
        stranger.wait_for_function(
            "() => [...document.querySelectorAll('.grid img')].every(i => i.complete && i.naturalWidth > 0)"
        )
        assert {stranger.locator(".grid .tile").nth(i).get_attribute("data-photo-id") for i in range(2)} == set(
            photos[:2]
        )
        assert photos[2] not in stranger.content()
        stranger.screenshot(path=str(ARTIFACTS / "browser-shared-album.png"))
        image_url = stack.url(stranger.locator(".grid img").first.get_attribute("src"))

        # Coming back (from elsewhere: going to the same address again is a reload): the
        # thumbnails come from the browser's cache (or a 304), not again.
        stranger.goto(stack.url("/"))
        network.clear()
        stranger.goto(link_url)
        stranger.wait_for_function(
            "() => [...document.querySelectorAll('.grid img')].every(i => i.complete && i.naturalWidth > 0)"
        )
        assert images_shown(stranger) == 2
        assert network.images_sent("/photos/") == []
        reused = network.images_reused("/photos/")
        print(f"\nlink page revisit: 2 thumbnails shown, {reused} from the cache or as 304, 0 sent again")

        # The owner revokes it: the page is gone at once, the images within the bound.
        page.goto(stack.url("/shares"))
        page.locator("tr[data-link-id]").first.get_by_role("button", name="Revoke").click()
        expect(page.locator("tr[data-link-id]").first).to_contain_text("revoked")
        revoked_at = time.monotonic()
        assert stranger.goto(link_url).status == 404
        expect(stranger.locator("main")).to_contain_text("revoked")
        while stranger.context.request.get(image_url).status != 404:
            assert time.monotonic() - revoked_at < 60, "a revoked link's image still loads after 60 s"
            time.sleep(0.5)
        print(f"revoked link's image refused after {time.monotonic() - revoked_at:.1f} s (bound: 20 s + max-age 20 s)")
    finally:
        stranger.context.close()


def test_a_revisit_of_the_gallery_loads_thumbnails_from_the_browser_cache(
    stack: Any, owner: tuple[Any, ApiClient]
) -> None:
    page, api = owner
    _ready_photos(api, 2, visibility="public")
    network = NetworkLog(page)
    for _ in range(2):  # a second try only if a signing window ended between the two visits
        page.goto(stack.url("/"))
        page.wait_for_function(
            "() => [...document.querySelectorAll('.grid img')].every(i => i.complete && i.naturalWidth > 0)"
        )
        first = [page.locator(".grid img").nth(i).get_attribute("src") for i in range(images_shown(page))]
        page.goto(stack.url("/albums"))  # away, then back (the same address again would be a reload)
        network.clear()
        page.goto(stack.url("/"))
        page.wait_for_function(
            "() => [...document.querySelectorAll('.grid img')].every(i => i.complete && i.naturalWidth > 0)"
        )
        second = [page.locator(".grid img").nth(i).get_attribute("src") for i in range(images_shown(page))]
        if first == second:
            break
    assert first == second and first, "the same thumbnail URLs within a signing window"
    assert network.images_sent("/thumbnails/") == []
    reused = network.images_reused("/thumbnails/")
    print(f"\ngallery revisit: {len(first)} thumbnails shown, {reused} from the cache, 0 fetched again")
