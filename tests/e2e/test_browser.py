"""The web UI in a real browser (headless Chromium via Playwright) against the real stack.

Sign up, sign in and out; upload through the file picker and by drag and drop, watch the tiles
turn READY, see a refused file's reason inline, read a photo's metadata, step through photos with
the keyboard, delete one, and see no delete button on someone else's photo.
Screenshots go to test-artifacts/ (browser-*.png).
"""

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image, ImageDraw
from PIL.ExifTags import GPS, IFD
from PIL.ExifTags import Base as B
from PIL.TiffImagePlugin import IFDRational
from playwright import sync_api

from tests.support.client import ApiClient

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def jpeg(hue: int, *, model: str) -> bytes:
    """A 1200x900 JPEG with a camera's EXIF: 1/250 s, f/5.6, 35 mm, ISO 200, a GPS fix (Paris)."""
    image = Image.new("HSV", (1200, 900))
    draw = ImageDraw.Draw(image)
    for y in range(0, 900, 6):
        draw.rectangle([0, y, 1200, y + 6], fill=((hue + y // 30) % 256, 150 + y // 12, 250 - y // 8))
    draw.ellipse([750, 120, 1000, 370], fill=((hue + 40) % 256, 90, 255))
    image = image.convert("RGB")
    exif = Image.Exif()
    exif[B.Make] = "Nikon"
    exif[B.Model] = model
    exif[IFD.Exif] = {
        B.LensModel: "NIKKOR Z 35mm f/1.8 S",
        B.DateTimeOriginal: "2024:06:15 14:30:05",
        B.ExposureTime: IFDRational(1, 250),
        B.FNumber: IFDRational(56, 10),
        B.ISOSpeedRatings: 200,
        B.FocalLength: IFDRational(35, 1),
    }
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N",
        GPS.GPSLatitude: (IFDRational(48, 1), IFDRational(51, 1), IFDRational(2442, 100)),
        GPS.GPSLongitudeRef: "E",
        GPS.GPSLongitude: (IFDRational(2, 1), IFDRational(21, 1), IFDRational(1566, 100)),
    }
    out = BytesIO()
    # A comment unique to the call: each call is a new photo (the same bytes twice would be a duplicate).
    image.save(out, "JPEG", quality=88, exif=exif, comment=uuid.uuid4().bytes)
    return out.getvalue()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = os.environ.get("PHOTOSHARE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("no Chromium found: install Debian's chromium package (.ci/run does) or set PHOTOSHARE_CHROMIUM")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page: Any, stack: Any, account: Any) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto(stack.url("/signin"))
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    sync_api.expect(page.locator(".who")).to_have_text(account.username)


@pytest.fixture
def page(browser: Any, stack: Any, new_account: Callable[[], ApiClient]) -> Iterator[Any]:
    """A browser tab signed in as a new account of its own."""
    tab = _new_tab(browser)
    sign_in(tab, stack, new_account().account)
    yield tab
    tab.context.close()


@pytest.fixture
def anonymous_page(browser: Any) -> Iterator[Any]:
    """A browser tab nobody signed in to."""
    tab = _new_tab(browser)
    yield tab
    tab.context.close()


def _new_tab(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=False)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.problems = problems  # type: ignore[attr-defined]
    return page


def tile_ids(page: Any) -> list[str]:
    return page.locator(".grid .tile").evaluate_all("tiles => tiles.map(t => t.dataset.photoId)")


def test_upload_browse_step_through_and_delete(stack: Any, api: ApiClient, page: Any) -> None:
    expect = sync_api.expect
    ARTIFACTS.mkdir(exist_ok=True)
    run = uuid.uuid4().hex[:6]
    names = [f"{word}-{run}.jpg" for word in ("dawn", "noon", "dusk", "dropped")]

    page.goto(stack.url("/"))
    if page.locator(".grid .tile").count() == 0:
        expect(page.locator("[data-empty]")).to_contain_text("No photos yet")
        page.screenshot(path=str(ARTIFACTS / "browser-empty.png"))

    # Three files through the picker (one change event), one dropped on the page.
    picked = [
        {"name": name, "mimeType": "image/jpeg", "buffer": jpeg(hue, model="Z 6")}
        for name, hue in zip(names[:3], (10, 90, 170), strict=True)
    ]
    page.set_input_files("#file", picked)
    dropped = jpeg(220, model="Z 6")
    data_transfer = page.evaluate_handle(
        """([name, bytes]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(bytes)], name, { type: "image/jpeg" }));
            return dt;
        }""",
        [names[3], list(dropped)],
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event("[data-grid]", event, {"dataTransfer": data_transfer})

    rows = page.locator(".uploads .upload")
    expect(rows).to_have_count(4)
    for name in names:
        tile = page.locator(".grid .tile", has=page.locator(".caption", has_text=name))
        expect(tile).to_have_attribute("data-status", "READY", timeout=30_000)
        expect(tile.locator(".badge")).to_have_text("READY")
        expect(tile.locator("img")).to_have_attribute("alt", name)
    # Every thumbnail really loaded (presigned S3 URL allowed by the CSP's img-src).
    page.wait_for_function(
        "() => [...document.querySelectorAll('.grid img')].every(img => img.complete && img.naturalWidth > 0)"
    )
    expect(page.locator(".uploads .upload .badge.status-ready")).to_have_count(4, timeout=10_000)

    # A file that is no photo: the server's reason inline, the other rows untouched.
    text_file = b"just some notes, not a photo\n"
    reason = api.post(api.url("/api/photos"), files={"file": ("notes.txt", text_file)}, timeout=10).json()["error"]
    page.set_input_files("#file", {"name": f"notes-{run}.txt", "mimeType": "text/plain", "buffer": text_file})
    refused = page.locator('.uploads .upload[data-state="error"]', has_text=f"notes-{run}.txt")
    expect(refused.locator(".upload-state")).to_have_text(reason)
    expect(refused.locator(".upload-state")).to_have_attribute("role", "alert")
    expect(page.locator(".uploads .upload .badge.status-ready")).to_have_count(4)
    page.screenshot(path=str(ARTIFACTS / "browser-gallery.png"), full_page=True)

    # The server's order (newest first) after a reload; open the middle one of ours.
    page.reload()
    ours = [
        photo_id
        for photo_id in tile_ids(page)
        if photo_id
        in set(
            page.locator(".grid .tile", has=page.locator(".caption", has_text=run)).evaluate_all(
                "tiles => tiles.map(t => t.dataset.photoId)"
            )
        )
    ]
    assert len(ours) == 4, ours
    # Behind each thumbnail, until it loads: the photo's average colour, computed by the worker.
    for photo_id in ours:
        colour = requests.get(stack.url(f"/api/photos/{photo_id}"), timeout=10).json()["average_color"]
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        shown = page.locator(f'.grid .tile[data-photo-id="{photo_id}"] img').evaluate(
            "img => getComputedStyle(img).backgroundColor"
        )
        assert shown == f"rgb({red}, {green}, {blue})", (colour, shown)
    newer, middle, older = ours[0], ours[1], ours[2]
    page.locator(f'.grid .tile[data-photo-id="{middle}"] a').click()
    expect(page).to_have_url(stack.url(f"/photos/{middle}"))
    expect(page.locator(".preview")).to_be_visible()
    page.wait_for_function("() => document.querySelector('.preview').naturalWidth > 0")
    details = page.locator("table.meta")
    expect(details.locator("tr", has_text="Camera")).to_contain_text("Nikon Z 6")
    expect(details.locator("tr", has_text="Lens")).to_contain_text("NIKKOR Z 35mm f/1.8 S")
    expect(details.locator("tr", has_text="Exposure")).to_contain_text("1/250 s")
    expect(details.locator("tr", has_text="Aperture")).to_contain_text("f/5.6")
    expect(details.locator("tr", has_text="Focal length")).to_contain_text("35 mm")
    expect(details.locator("tr", has_text="Taken")).to_contain_text("2024-06-15 14:30:05")
    map_link = details.locator("a.map-link")
    expect(map_link).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=48.85678&mlon=2.35435#map=15/48.85678/2.35435"
    )
    # A path: links are never built from the Host header (PHOTOSHARE_SITE_URL is unset here).
    expect(page.get_by_role("link", name="Download original")).to_have_attribute("href", f"/photos/{middle}/original")
    page.screenshot(path=str(ARTIFACTS / "browser-photo.png"), full_page=True)

    # ← newer, → older, with the keyboard.
    for key, photo_id in (("ArrowRight", older), ("ArrowLeft", middle), ("ArrowLeft", newer)):
        page.keyboard.press(key)
        expect(page).to_have_url(stack.url(f"/photos/{photo_id}"))
        page.wait_for_load_state("load")  # photo.js listens from here on
    page.get_by_role("link", name="Older").click()
    expect(page).to_have_url(stack.url(f"/photos/{middle}"))

    # Delete, confirmed in the dialog (Cancel first: nothing happens).
    page.get_by_role("link", name="Delete…").click()
    dialog = page.locator("dialog#delete-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(stack.url(f"/photos/{middle}"))
    page.get_by_role("link", name="Delete…").click()
    page.screenshot(path=str(ARTIFACTS / "browser-delete-dialog.png"))
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(page).to_have_url(stack.url("/mine"))
    expect(page.locator(".notice")).to_contain_text("Deleted")
    expect(page.locator(f'.grid .tile[data-photo-id="{middle}"]')).to_have_count(0)
    expect(page.locator(f'.grid .tile[data-photo-id="{newer}"]')).to_have_count(1)
    assert requests.get(stack.url(f"/api/photos/{middle}"), timeout=10).status_code == 404

    # A phone-sized screen: two columns, nothing wider than the viewport.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "browser-gallery-phone.png"))
    page.goto(stack.url(f"/photos/{newer}"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "browser-photo-phone.png"), full_page=True)

    # The text upload above is the only request the browser saw refused; no script error, no CSP report.
    assert [p for p in page.problems if "415" not in p] == [], page.problems


def test_uploads_run_three_at_a_time_and_can_be_cancelled(stack: Any, page: Any) -> None:
    expect = sync_api.expect
    held: list[Any] = []
    # Never answered: uploads stay in flight (photos go direct, asking /api/uploads first).
    page.route("**/api/uploads", lambda route: held.append(route))
    page.goto(stack.url("/"))
    files = [
        {"name": f"held-{n}.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + bytes(2000)} for n in range(4)
    ]
    page.set_input_files("#file", files)
    rows = page.locator(".uploads .upload")
    expect(rows).to_have_count(4)
    expect(page.locator('.uploads .upload[data-state="sending"]')).to_have_count(3)
    waiting = page.locator('.uploads .upload[data-state="waiting"]')
    expect(waiting).to_have_count(1)
    expect(waiting.locator(".upload-state")).to_have_text("Waiting…")

    first = page.locator(".uploads .upload", has_text="held-0.jpg")
    first.get_by_role("button", name="Cancel upload of held-0.jpg").click()
    expect(first).to_have_attribute("data-state", "cancelled")
    expect(first.locator(".upload-state")).to_have_text("Cancelled")
    # The freed slot goes to the file that was waiting.
    expect(page.locator('.uploads .upload[data-state="sending"]')).to_have_count(3)
    for row in rows.all():
        if row.get_attribute("data-state") == "sending":
            row.get_by_role("button").click()
    expect(page.locator('.uploads .upload[data-state="cancelled"]')).to_have_count(4)
    assert page.locator(".grid .tile", has=page.locator(".caption", has_text="held-")).count() == 0


def test_the_same_photo_again_is_named_already_there(stack: Any, page: Any) -> None:
    expect = sync_api.expect
    photo = jpeg(140, model="Z 7")
    name = f"twice-{uuid.uuid4().hex[:6]}.jpg"
    page.goto(stack.url("/"))
    page.set_input_files("#file", {"name": name, "mimeType": "image/jpeg", "buffer": photo})
    expect(page.locator(".uploads .upload .badge.status-ready")).to_have_count(1, timeout=30_000)
    page.set_input_files("#file", {"name": f"again-{name}", "mimeType": "image/jpeg", "buffer": photo})
    again = page.locator(".uploads .upload", has_text=f"again-{name}")
    expect(again.locator(".upload-state")).to_have_text("Already in your photos")
    expect(page.locator(".grid .tile", has=page.locator(".caption", has_text=name))).to_have_count(1)
    assert page.problems == [], page.problems


def test_a_reload_mid_upload_resumes_with_the_parts_s3_has(stack: Any, page: Any) -> None:
    expect = sync_api.expect
    image = jpeg(160, model="Z 6II")
    big = image + bytes(11 * 1024 * 1024)  # three 5 MB parts; JPEG readers stop at the image's end
    name = f"big-{uuid.uuid4().hex[:6]}.jpg"
    file = {"name": name, "mimeType": "image/jpeg", "buffer": big}
    sent: list[str] = []
    page.on("requestfinished", lambda r: sent.append(r.url) if r.method == "PUT" else None)
    # On the first page load part 2's PUT goes astray (refused) while part 1 goes up; then the tab
    # is reloaded and the same file dropped again.
    part = lambda n: re.compile(rf"[?&]partNumber={n}(&|$)")  # noqa: E731
    page.goto(stack.url("/"))
    page.evaluate(
        """() => {
            const open = XMLHttpRequest.prototype.open;
            XMLHttpRequest.prototype.open = function (method, url, ...rest) {
                if (method === "PUT" && /[?&]partNumber=2(&|$)/.test(url)) { url = "/no-such-part"; }
                return open.call(this, method, url, ...rest);
            };
        }"""
    )
    with page.expect_response(lambda r: bool(part(1).search(r.url)) and r.request.method == "PUT"):
        page.set_input_files("#file", file)
    expect(page.locator('.uploads .upload[data-state="error"]', has_text=name)).to_have_count(1)
    page.reload()
    page.set_input_files("#file", file)
    row = page.locator(".uploads .upload", has_text=name)
    expect(row.locator(".badge")).to_have_text(re.compile("QUEUED|PROCESSING|READY"), timeout=30_000)
    # Part 1 went up before the reload and was not sent again.
    assert sum(bool(part(1).search(url)) for url in sent) == 1, sent
    assert all(any(part(n).search(url) for url in sent) for n in (2, 3)), sent


def test_the_upload_form_works_without_javascript(
    stack: Any, api: ApiClient, browser: Any, new_account: Callable[[], ApiClient]
) -> None:
    expect = sync_api.expect
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, stack, new_account().account)
        page.goto(stack.url("/"))
        name = f"nojs-{uuid.uuid4().hex[:6]}.jpg"
        page.set_input_files("#file", {"name": name, "mimeType": "image/jpeg", "buffer": jpeg(30, model="Z 5")})
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("h1")).to_have_text(name)
        expect(page.locator(".notice")).to_contain_text("Uploaded")
        photo_id = page.url.rsplit("/", 1)[1]
        assert api.wait_for(photo_id, {"READY"})["exif"]["model"] == "Z 5"
        # Delete falls back to the confirmation page.
        page.get_by_role("link", name="Delete…").click()
        expect(page.locator("h1")).to_have_text(f"Delete “{name}”?")
        page.get_by_role("button", name="Delete").click()
        expect(page.locator(".notice")).to_contain_text("Deleted")
    finally:
        context.close()


def test_load_more_appends_the_next_page_in_place(stack: Any, api: ApiClient, page: Any) -> None:
    expect = sync_api.expect
    small = jpeg(120, model="Z fc")
    for n in range(25):  # more than one page (24); bytes after the image's end make each a new photo
        distinct = small + uuid.uuid4().bytes
        response = api.post(api.url("/api/photos"), files={"file": (f"more-{n:02d}.jpg", distinct)}, timeout=10)
        assert response.status_code == 202, response.text
    everything = requests.get(stack.url("/api/photos?limit=100"), timeout=10).json()["items"]
    page.goto(stack.url("/"))
    expect(page.locator(".grid .tile")).to_have_count(24)
    more = page.get_by_role("link", name="Load more")
    more.click()
    expected = [photo["id"] for photo in everything[: min(48, len(everything))]]
    expect(page.locator(".grid .tile")).to_have_count(len(expected))
    assert tile_ids(page) == expected
    assert page.url == stack.url("/")  # no navigation
    if len(everything) <= 48:
        expect(more).to_have_count(0)
    assert page.problems == [], page.problems


def test_accounts_sign_up_upload_sign_out_and_only_owners_delete(
    stack: Any, api: ApiClient, anonymous_page: Any, new_account: Callable[[], ApiClient]
) -> None:
    expect = sync_api.expect
    page = anonymous_page
    ARTIFACTS.mkdir(exist_ok=True)

    # Nobody signed in: no upload box, an invitation instead; the upload page asks to sign in.
    page.goto(stack.url("/"))
    expect(page.locator("[data-uploader]")).to_have_count(0)
    expect(page.locator(".invite")).to_contain_text("to share your photos")
    page.goto(stack.url("/upload"))
    expect(page).to_have_url(re.compile(r"/signin\?next=/upload$"))
    page.screenshot(path=str(ARTIFACTS / "browser-signin.png"))

    # Sign up (the local emulator confirms new accounts at once); a weak password is explained first.
    page.get_by_role("link", name="Create an account").click()
    username = f"ann-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(f"{username}@example.com")
    page.get_by_label("Password").fill("alllowercase")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".error")).to_contain_text("Choose a stronger password")
    assert "alllowercase" not in page.content()  # a password is never sent back
    expect(page.get_by_label("Username")).to_have_value(username)
    page.screenshot(path=str(ARTIFACTS / "browser-signup.png"))
    password = f"Ann-{uuid.uuid4().hex[:8]}-Photos1"
    page.get_by_label("Email address").fill(f"{username}@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(stack.url("/upload"))  # where the person was going
    expect(page.locator(".notice")).to_contain_text(f"Welcome, {username}")
    expect(page.locator(".who")).to_have_text(username)

    # Upload through the page; the photo is ann's.
    name = f"mine-{uuid.uuid4().hex[:6]}.jpg"
    page.set_input_files("#file", {"name": name, "mimeType": "image/jpeg", "buffer": jpeg(60, model="Z 8")})
    row = page.locator(".uploads .upload", has_text=name)
    expect(row.locator(".badge")).to_have_text("READY", timeout=30_000)
    mine = row.get_attribute("data-photo-id")
    assert api.wait_for(mine, {"READY"})["owner"] == username

    # Someone else's photo: no delete button for ann, and the API refuses her.
    other = new_account()
    theirs = other.post(
        other.url("/api/photos"), files={"file": ("theirs.jpg", jpeg(200, model="Z 9"))}, timeout=10
    ).json()["id"]
    page.goto(stack.url(f"/photos/{theirs}"))
    expect(page.locator(".owner")).to_contain_text(other.account.username)
    expect(page.get_by_role("link", name="Delete…")).to_have_count(0)
    page.goto(stack.url(f"/photos/{mine}"))
    expect(page.locator(".owner")).to_contain_text(f"{username} (you)")
    expect(page.get_by_role("link", name="Delete…")).to_have_count(1)
    page.goto(stack.url("/mine"))
    assert tile_ids(page) == [mine]

    # Sign out: the delete button is gone from ann's photo too, and the nav offers sign-in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".notice")).to_contain_text("You are signed out")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(stack.url(f"/photos/{mine}"))
    expect(page.get_by_role("link", name="Delete…")).to_have_count(0)
    assert page.context.request.delete(stack.url(f"/api/photos/{mine}")).status == 401

    # Sign in again: a wrong password is refused with a plain message, the right one works.
    nav.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("Wrong-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error")).to_have_text("Incorrect username or password.")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(stack.url(f"/photos/{mine}"))
    expect(page.get_by_role("link", name="Delete…")).to_have_count(1)
    cookie = next(c for c in page.context.cookies() if c["name"] == "photoshare_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    # The refused sign-up and sign-in were the only errors (answered 400 and 401, as they should).
    expected = ("400 ", "401 ", "Failed to load resource: the server responded with a status of 40")
    assert [p for p in page.problems if not p.startswith(expected)] == [], page.problems
