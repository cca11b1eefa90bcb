"""With PHOTOSHARE_ORIGIN_SECRET set, only requests carrying it (the site's CloudFront) are served."""

import pytest

from photoshare_web.origin import NOT_THROUGH_THE_SITE, ORIGIN_HEADER

SECRET = "s3cret-from-the-stack-0123456789"


@pytest.fixture
def guarded(make_app):
    return make_app(origin_secret=SECRET).test_client()


@pytest.mark.parametrize("given", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
def test_without_the_secret_header_every_page_and_api_call_is_refused(guarded, publisher, given):
    headers = {} if given is None else {ORIGIN_HEADER: given}
    for path in ("/", "/api/photos", "/signin", "/api/auth/me"):
        response = guarded.get(path, headers=headers)
        assert response.status_code == 403, path
        assert NOT_THROUGH_THE_SITE in response.get_data(as_text=True)
    upload = guarded.post("/api/photos", headers=headers)
    assert upload.status_code == 403 and publisher.published == []


def test_with_the_secret_header_the_site_answers(guarded, alice):
    headers = {ORIGIN_HEADER: SECRET}
    assert guarded.get("/", headers=headers).status_code == 200
    me = guarded.get("/api/photos", headers={**headers, **alice.bearer})
    assert me.status_code == 200


def test_the_health_probes_stay_open_for_the_container_and_deploy_checks(guarded):
    assert guarded.get("/healthz").status_code == 200


def test_unset_nothing_is_checked(anonymous):
    assert anonymous.get("/").status_code == 200
