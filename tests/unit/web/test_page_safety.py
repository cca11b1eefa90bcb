"""Every page: security headers, CSRF on every state-changing form, hostile text escaped."""

import re
from io import BytesIO

import pytest

from photoshare_worker.processing import run_photo_job
from tests.support.hostile import CORPUS

HOSTILE_NAME = "<img src=x onerror='alert(1)'>.jpg"
EXIF_SCRIPT = next(case for case in CORPUS if case.name == "exif-script-tags")


@pytest.fixture
def hostile_photo(client, store, catalog, settings) -> str:
    """A READY photo whose file name and EXIF text carry markup."""
    response = client.post(
        "/api/photos", data={"file": (BytesIO(EXIF_SCRIPT.make()), HOSTILE_NAME)}, content_type="multipart/form-data"
    )
    photo_id = response.get_json()["id"]
    run_photo_job(photo_id, store=store, catalog=catalog, settings=settings)
    return photo_id


@pytest.fixture
def failed_hostile_photo(client, catalog) -> str:
    response = client.post(
        "/api/photos", data={"file": (BytesIO(CORPUS[0].make()), HOSTILE_NAME)}, content_type="multipart/form-data"
    )
    photo_id = response.get_json()["id"]
    catalog.start_processing(photo_id=photo_id)
    catalog.mark_failed(photo_id=photo_id, error="<script>alert('reason')</script>")
    return photo_id


def page_paths(photo_id: str) -> list[str]:
    return ["/", "/upload", "/jobs", f"/photos/{photo_id}", f"/photos/{photo_id}/delete", "/no-such-page"]


def test_every_page_has_the_security_headers(client, hostile_photo):
    for path in page_paths(hostile_photo):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "same-origin", path
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path


def test_hostile_file_names_exif_and_reasons_are_escaped_everywhere(client, hostile_photo, failed_hostile_photo):
    for photo_id in (hostile_photo, failed_hostile_photo):
        for path in page_paths(photo_id):
            html = client.get(path).get_data(as_text=True)
            assert "<img src=x" not in html, path
            assert "<script>alert" not in html, path
    photo_page = client.get(f"/photos/{hostile_photo}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in photo_page  # the camera make, shown as text
    jobs_page = client.get("/jobs").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;" in jobs_page


def test_every_state_changing_form_carries_a_csrf_token_and_needs_it(client, failed_hostile_photo):
    forms_seen = 0
    for path in page_paths(failed_hostile_photo):
        html = client.get(path).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S):
            forms_seen += 1
            assert 'name="csrf_token"' in form, (path, form)
            action = re.search(r'action="([^"]+)"', form).group(1)
            assert client.post(action).status_code == 400, action  # refused without the token
    assert forms_seen >= 4  # upload, retry, retry all, delete
