"""One error path: refusals of the app, of Werkzeug and of its extensions are answered alike, as JSON
{"error": ...} for the API and as the error page for people."""

from werkzeug.exceptions import MethodNotAllowed, NotFound

from photoshare_web.accounts.provider import NOT_SET_UP, AccountServices


def test_an_unknown_api_route_is_a_json_404(anonymous):
    response = anonymous.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {"error": NotFound.description}


def test_an_unknown_page_is_the_error_page_with_404(anonymous):
    response = anonymous.get("/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert NotFound.description in response.get_data(as_text=True)


def test_a_method_a_route_does_not_take_is_a_405_in_the_askers_format(anonymous):
    api = anonymous.put("/api/photos")
    assert api.status_code == 405 and api.get_json() == {"error": MethodNotAllowed.description}
    page = anonymous.put("/upload")
    assert page.status_code == 405 and page.mimetype == "text/html"


def test_a_missing_user_pool_is_a_503_that_says_how_to_set_it_up(app, anonymous, settings):
    unconfigured = settings.model_copy(
        update={"cognito_user_pool_id": None, "cognito_client_id": None, "cognito_pool_name": "no-such-pool"}
    )
    app.extensions["photoshare_accounts"] = AccountServices(unconfigured)
    response = anonymous.get("/api/auth/config")
    assert response.status_code == 503
    assert response.get_json() == {"error": NOT_SET_UP}


def test_a_bug_is_a_500_without_a_stack_trace(make_app):
    app = make_app()
    app.config.update(PROPAGATE_EXCEPTIONS=False)  # as in production: the handler answers

    @app.get("/api/broken")
    def broken() -> str:
        raise RuntimeError("secret detail")

    response = app.test_client().get("/api/broken")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Something went wrong on our side; the error has been logged."}
