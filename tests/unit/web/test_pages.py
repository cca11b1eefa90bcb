"""Server-rendered pages: gallery, upload form with CSRF, photo page, delete confirmation, headers."""

import re
from io import BytesIO

import pytest

from photoshare_shared.imageformats import ACCEPTED_NAMES
from tests.support.images import photo_bytes

PAGES = ["/", "/upload", "/does-not-exist"]


def csrf_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post_upload(client, data: bytes, filename: str = "beach.jpg", token: str | None = None):
    form = {"file": (BytesIO(data), filename)}
    if token is not None:
        form["csrf_token"] = token
    return client.post("/upload", data=form, content_type="multipart/form-data")


def captions(html: str) -> list[str]:
    return re.findall(r'class="caption">([^<]*)<', html)


def test_empty_gallery_invites_first_upload(client):
    html = client.get("/").get_data(as_text=True)
    assert "No photos yet" in html and 'href="/upload"' in html


def test_upload_form_posts_with_csrf_and_redirects_to_photo_page(client, publisher):
    response = post_upload(client, photo_bytes(), token=csrf_token(client, "/upload"))
    assert response.status_code == 303
    photo_id = publisher.published[0]
    assert response.headers["Location"] == f"/photos/{photo_id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "beach.jpg" in page and "QUEUED" in page and "Uploaded" in page


def test_upload_without_csrf_token_is_refused(client, publisher):
    response = post_upload(client, photo_bytes())
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert publisher.published == []


def test_upload_form_shows_the_reason_for_a_bad_file(client):
    response = post_upload(client, b"not an image", token=csrf_token(client, "/upload"))
    assert response.status_code == 415
    assert ACCEPTED_NAMES in response.get_data(as_text=True)


def test_gallery_lists_tiles_with_status_and_escapes_file_names(client, publisher):
    token = csrf_token(client, "/upload")
    post_upload(client, photo_bytes(), filename="<img src=x onerror='alert(1)'>.jpg", token=token)
    html = client.get("/").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#39;alert(1)&#39;&gt;.jpg" in html
    assert f'data-photo-id="{publisher.published[0]}"' in html and 'data-status="QUEUED"' in html


def test_gallery_pages_through_older_photos(client, app, publisher):
    token = csrf_token(client, "/upload")
    for n in range(3):
        post_upload(client, photo_bytes(16, 16), filename=f"p{n}.jpg", token=token)
    app.extensions["photoshare"] = app.extensions["photoshare"].__class__(
        **{
            **vars(app.extensions["photoshare"]),
            "settings": app.extensions["photoshare"].settings.model_copy(update={"page_size": 2}),
        }
    )
    first = client.get("/").get_data(as_text=True)
    assert captions(first) == ["p2.jpg", "p1.jpg"]
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert captions(second) == ["p0.jpg"] and 'rel="next"' not in second


def test_delete_asks_for_confirmation_then_deletes(client, publisher, catalog):
    post_upload(client, photo_bytes(), token=csrf_token(client, "/upload"))
    photo_id = publisher.published[0]
    confirm_path = f"/photos/{photo_id}/delete"
    assert "Delete “beach.jpg”?" in client.get(confirm_path).get_data(as_text=True)
    assert catalog.get(photo_id=photo_id) is not None  # showing the question deletes nothing

    refused = client.post(confirm_path)  # no CSRF token
    assert refused.status_code == 400 and catalog.get(photo_id=photo_id) is not None

    response = client.post(confirm_path, data={"csrf_token": csrf_token(client, confirm_path)})
    assert response.status_code == 303 and response.headers["Location"] == "/mine"
    assert catalog.get(photo_id=photo_id) is None
    assert client.get(f"/photos/{photo_id}").status_code == 404


def test_unknown_photo_page_is_a_friendly_404(client):
    response = client.get("/photos/01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES + ["/api/photos", "/healthz"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_script(client):
    for path in PAGES:
        assert not re.search(r"<script(?![^>]*\ssrc=)", client.get(path).get_data(as_text=True))
