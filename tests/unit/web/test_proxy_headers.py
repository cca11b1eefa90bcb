"""Behind trusted proxies (CloudFront in the deployed stack) the scheme comes from X-Forwarded-Proto,
counted back exactly as many proxies as are trusted; from anyone else the header counts for nothing."""

from io import BytesIO

from imagegen import photo_bytes


def original_url(app, alice, proto: str) -> str:
    """Upload as alice through the 'proxies', then read the photo's JSON the same way."""
    client = app.test_client()
    headers = {**alice.bearer, "X-Forwarded-Proto": proto, "X-Forwarded-For": "198.51.100.7"}
    data = {"file": (BytesIO(photo_bytes()), "a.jpg")}
    response = client.post("/api/photos", data=data, content_type="multipart/form-data", headers=headers)
    assert response.status_code == 202
    return client.get(response.headers["Location"], headers=headers).get_json()["original_url"]


def test_one_trusted_proxy_saying_https_gives_https_urls(make_app, alice):
    url = original_url(make_app(trusted_proxies=1), alice, "https")
    assert url.startswith("https://localhost/photos/") and url.endswith("/original")


def test_x_forwarded_proto_is_ignored_without_a_trusted_proxy(make_app, alice):
    assert original_url(make_app(trusted_proxies=0), alice, "https").startswith("http://localhost/photos/")


def test_the_scheme_is_the_one_the_outermost_trusted_proxy_saw(make_app, alice):
    # The viewer reached the first proxy over HTTPS; the second proxy reached the web over HTTP.
    assert original_url(make_app(trusted_proxies=2), alice, "https, http").startswith("https://")
    assert original_url(make_app(trusted_proxies=1), alice, "https, http").startswith("http://")


def test_https_responses_tell_browsers_to_stay_on_https(make_app):
    behind_cloudfront = make_app(trusted_proxies=1).test_client()
    assert (
        behind_cloudfront.get("/", headers={"X-Forwarded-Proto": "https"}).headers["Strict-Transport-Security"]
        == "max-age=31536000"
    )
    assert "Strict-Transport-Security" not in behind_cloudfront.get("/").headers  # plain HTTP
    direct = make_app(trusted_proxies=0).test_client()
    assert "Strict-Transport-Security" not in direct.get("/", headers={"X-Forwarded-Proto": "https"}).headers
