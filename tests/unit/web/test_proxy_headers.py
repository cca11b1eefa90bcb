"""Behind trusted proxies (CloudFront in the deployed stack) the scheme comes from X-Forwarded-Proto,
counted back exactly as many proxies as are trusted; from anyone else the header counts for nothing.
Links the API hands out never come from the Host header, which whoever sends the request writes."""

from io import BytesIO

from tests.support.images import photo_bytes

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


def original_url(app, alice, headers: dict[str, str]) -> str:
    """Upload as alice with these headers, then read the photo's JSON the same way."""
    client = app.test_client()
    headers = {**alice.bearer, **headers}
    data = {"file": (BytesIO(photo_bytes()), "a.jpg")}
    response = client.post("/api/photos", data=data, content_type="multipart/form-data", headers=headers)
    assert response.status_code == 202
    return client.get(response.headers["Location"], headers=headers).get_json()["original_url"]


def test_without_a_site_url_the_download_link_is_a_path_whatever_the_host_header_says(make_app, alice):
    for trusted_proxies in (0, 1):
        url = original_url(make_app(trusted_proxies=trusted_proxies), alice, FORGED)
        assert url.startswith("/photos/") and url.endswith("/original")


def test_with_a_site_url_the_download_link_is_absolute_under_it_whatever_the_host_header_says(make_app, alice):
    app = make_app(site_url="https://photos.example.com", trusted_proxies=1)
    url = original_url(app, alice, FORGED)
    assert url.startswith("https://photos.example.com/photos/") and url.endswith("/original")


def test_the_photo_page_links_no_forged_host(client, make_app, alice):
    app = make_app()
    signed_in = {**alice.bearer, **FORGED}
    photo_id = (
        app.test_client()
        .post("/api/photos", data={"file": (BytesIO(photo_bytes()), "a.jpg")}, headers=signed_in)
        .get_json()["id"]
    )
    page = app.test_client().get(f"/photos/{photo_id}", headers=signed_in).get_data(as_text=True)
    assert f'href="/photos/{photo_id}/original"' in page
    assert "evil.example" not in page


def hsts(app, proto: str | None) -> str | None:
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    return app.test_client().get("/", headers=headers).headers.get("Strict-Transport-Security")


def test_https_responses_tell_browsers_to_stay_on_https(make_app):
    behind_cloudfront = make_app(trusted_proxies=1)
    assert hsts(behind_cloudfront, "https") == "max-age=31536000"
    assert hsts(behind_cloudfront, None) is None  # plain HTTP
    assert hsts(make_app(trusted_proxies=0), "https") is None  # nobody's word counts


def test_the_scheme_is_the_one_the_outermost_trusted_proxy_saw(make_app):
    # The viewer reached the first proxy over HTTPS; the second proxy reached the web over HTTP.
    assert hsts(make_app(trusted_proxies=2), "https, http") == "max-age=31536000"
    assert hsts(make_app(trusted_proxies=1), "https, http") is None
