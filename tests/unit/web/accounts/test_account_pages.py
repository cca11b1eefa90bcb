"""Sign up, confirm, sign in and sign out through the pages (a browser's session cookie), with
Cognito in moto: clear messages for every refusal, a secure cookie, no password kept anywhere."""

import json
import logging
import re
import time
from io import BytesIO
from types import SimpleNamespace

import pytest
import redis
from botocore.stub import Stubber
from flask.testing import FlaskClient

from photoshare_shared.userpool import PASSWORD_RULES, REFRESH_TOKEN_DAYS
from photoshare_web.accounts import current
from photoshare_web.accounts.cognito import CognitoAccounts
from photoshare_web.accounts.sealing import seal
from tests.support.images import photo_bytes

PASSWORD = "Correct-horse-42"


def csrf(client: FlaskClient, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def post_form(client: FlaskClient, path: str, **fields: str):
    return client.post(path, data={"csrf_token": csrf(client, path), **fields})


def sign_up(client: FlaskClient, username: str = "carol", password: str = PASSWORD, email: str = ""):
    return post_form(client, "/signup", username=username, email=email or f"{username}@example.com", password=password)


def sign_in(client: FlaskClient, username: str, password: str, **extra: str):
    return post_form(client, "/signin", username=username, password=password, **extra)


def who(client: FlaskClient) -> dict:
    return client.get("/api/auth/me").get_json()


def test_sign_up_then_confirm_with_the_emailed_code_then_sign_in(anonymous):
    # With real Cognito (not the emulator) a new account waits for the code sent to its email.
    response = sign_up(anonymous)
    assert response.status_code == 303 and response.headers["Location"] == "/confirm?username=carol"
    assert "We emailed a confirmation code to carol@example.com." in anonymous.get("/confirm?username=carol").get_data(
        as_text=True
    )
    refused = sign_in(anonymous, "carol", PASSWORD)
    assert refused.status_code == 403
    assert "not confirmed yet" in refused.get_data(as_text=True) and "/confirm?username=carol" in refused.get_data(
        as_text=True
    )
    assert post_form(anonymous, "/confirm", username="carol", code="12ab").status_code == 400
    confirmed = post_form(anonymous, "/confirm", username="carol", code="123456")
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/signin?username=carol"

    signed_in = sign_in(anonymous, "carol", PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/"
    assert who(anonymous) == {"signed_in": True, "id": who(anonymous)["id"], "username": "carol"}
    page = anonymous.get("/").get_data(as_text=True)
    assert "Signed in as carol." in page and 'class="who"' in page and "data-uploader" in page


def test_the_emulator_confirms_new_accounts_at_once(cognito, pool_ids):
    # The local emulator sends no email; the browser tests sign up through the pages this way.
    accounts = CognitoAccounts(cognito, pool_ids, auto_confirm=True)
    assert accounts.sign_up(username="dave", email="dave@example.com", password=PASSWORD) is True
    assert accounts.sign_in(username="dave", password=PASSWORD).access_token


@pytest.mark.parametrize(
    ("fields", "status", "message", "focus"),
    [
        ({"username": "a"}, 400, "Choose a username of 3 to 32", "username"),
        ({"username": "bad name!"}, 400, "Choose a username of 3 to 32", "username"),
        ({"email": "not-an-email"}, 400, "Enter a valid email address", "email"),
        ({"password": "short"}, 400, f"Choose a stronger password: {PASSWORD_RULES}.", "password"),
        ({"password": "alllowercase1"}, 400, f"Choose a stronger password: {PASSWORD_RULES}.", "password"),
        ({"username": "alice"}, 409, "That username is taken; please choose another.", "username"),
    ],
)
def test_sign_up_refusals_say_what_to_fix_and_keep_what_was_typed(anonymous, alice, fields, status, message, focus):
    values = {"username": "erin", "email": "erin@example.com", "password": PASSWORD, **fields}
    response = post_form(anonymous, "/signup", **values)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    assert re.findall(r'<input id="(\w+)"[^>]*\bautofocus\b', html) == [focus]  # the cursor is where to fix
    assert f'value="{values["email"]}"' in html  # what was typed stays, except the password
    assert values["password"] not in html


def test_sign_in_refusals_are_clear_and_do_not_reveal_who_exists(anonymous, alice):
    wrong = sign_in(anonymous, "alice", "Wrong-password-1")
    nobody = sign_in(anonymous, "nobody-here", "Wrong-password-1")
    for response in (wrong, nobody):
        assert response.status_code == 401
        assert "Incorrect username or password." in response.get_data(as_text=True)
    empty = sign_in(anonymous, "alice", "")
    assert empty.status_code == 400 and "Enter your username and password." in empty.get_data(as_text=True)
    assert who(anonymous) == {"signed_in": False}


def test_session_cookie_is_secure_httponly_samesite_and_holds_no_password(anonymous, alice):
    response = sign_in(anonymous, "alice", alice.password)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("photoshare_session="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "expires"} <= attributes
    assert "SameSite=Lax" in cookie
    assert alice.password not in cookie


def test_sign_in_returns_to_a_local_page_only(anonymous, alice):
    assert sign_in(anonymous, "alice", alice.password, next="/mine").headers["Location"] == "/mine"
    anonymous.post("/signout", data={"csrf_token": csrf(anonymous, "/")})
    for hostile in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert sign_in(anonymous, "alice", alice.password, next=hostile).headers["Location"] == "/"
        anonymous.post("/signout", data={"csrf_token": csrf(anonymous, "/")})


# Browsers drop tabs and newlines anywhere in a URL and read "\\" as "/": each of these is another site to them.
BROWSER_OFFSITE = ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\\/evil.example", " //evil.example"]


@pytest.mark.parametrize("hostile", BROWSER_OFFSITE)
def test_sign_in_and_sign_up_never_send_a_browser_to_another_site(anonymous, alice, hostile):
    signed_in = sign_in(anonymous, "alice", alice.password, next=hostile)
    assert (signed_in.status_code, signed_in.headers["Location"]) == (303, "/")
    # Signed in already, the sign-in and sign-up forms send the person straight on: here too.
    for form in ("/signin", "/signup"):
        assert anonymous.get(form, query_string={"next": hostile}).headers["Location"] == "/", form


def test_a_local_next_with_a_query_is_kept(anonymous, alice):
    assert (
        sign_in(anonymous, "alice", alice.password, next="/mine?cursor=abc").headers["Location"] == "/mine?cursor=abc"
    )


def test_sign_out_needs_csrf_then_forgets_the_session(anonymous, alice):
    sign_in(anonymous, "alice", alice.password)
    assert anonymous.post("/signout").status_code == 400
    assert who(anonymous)["signed_in"]
    response = anonymous.post("/signout", data={"csrf_token": csrf(anonymous, "/")})
    assert response.status_code == 303
    assert who(anonymous) == {"signed_in": False}
    assert "You are signed out." in anonymous.get("/").get_data(as_text=True)


def copy_of_cookie(app, browser: FlaskClient) -> FlaskClient:
    """Another client holding the same session cookie (one copied off the browser)."""
    thief = app.test_client()
    thief.set_cookie("photoshare_session", browser.get_cookie("photoshare_session").value)
    return thief


def test_a_copy_of_the_cookie_is_signed_out_with_the_browser(app, anonymous, alice, redis_url):
    sign_in(anonymous, "alice", alice.password)
    thief = copy_of_cookie(app, anonymous)
    assert who(thief)["username"] == "alice"
    with anonymous.session_transaction() as session:
        session_id, ends_at = session["account"]["sid"], session["account"]["ends_at"]
    anonymous.post("/signout", data={"csrf_token": csrf(anonymous, "/")})
    assert who(thief) == {"signed_in": False}  # before the session's hour is up
    # Redis keeps the session's random id (never the token) until the session would have ended.
    (key,) = redis.Redis.from_url(redis_url).keys("photoshare:signed-out:*")
    assert key.decode() == f"photoshare:signed-out:{session_id}"
    assert ends_at - time.time() - 60 < redis.Redis.from_url(redis_url).ttl(key) <= ends_at - time.time() + 61


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The session code's clock, that many seconds ahead (Redis and Cognito keep real time)."""
    real = time.time
    monkeypatch.setattr(current, "time", SimpleNamespace(time=lambda: real() + seconds))


def test_the_cookie_does_not_carry_the_refresh_token(app, anonymous, alice, monkeypatch):
    issued = []
    sign_in_at_cognito = CognitoAccounts.sign_in
    monkeypatch.setattr(
        CognitoAccounts, "sign_in", lambda self, **kw: issued.append(sign_in_at_cognito(self, **kw)) or issued[-1]
    )
    response = sign_in(anonymous, "alice", alice.password)
    (refresh_token,) = [tokens.refresh_token for tokens in issued]
    cookie = anonymous.get_cookie("photoshare_session").value
    assert refresh_token not in cookie and refresh_token not in str(response.headers)
    # Signed is not secret: whoever holds the cookie can decode it, and still finds no token in it.
    readable = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert readable["account"]["username"] == "alice" and refresh_token not in json.dumps(readable)
    assert who(anonymous)["username"] == "alice"


def test_a_copied_cookie_stays_refused_after_sign_out_past_its_renewal(app, anonymous, alice, monkeypatch):
    sign_in(anonymous, "alice", alice.password)
    thief = copy_of_cookie(app, anonymous)
    cognito = app.extensions["photoshare_accounts"].cognito
    with Stubber(cognito.client) as stub:  # Cognito fails to revoke the refresh token
        stub.add_client_error("revoke_token", service_error_code="InternalErrorException", http_status_code=500)
        anonymous.post("/signout", data={"csrf_token": csrf(anonymous, "/")})
    # Past the hourly renewal, where Cognito would hand the unrevoked token new access tokens.
    later(monkeypatch, 2 * 3600)
    assert who(thief) == {"signed_in": False}
    later(monkeypatch, 29 * 24 * 3600)
    assert who(copy_of_cookie(app, anonymous)) == {"signed_in": False}


def test_a_session_ends_with_its_refresh_tokens_validity(anonymous, alice, monkeypatch):
    sign_in(anonymous, "alice", alice.password)
    later(monkeypatch, REFRESH_TOKEN_DAYS * 24 * 3600 + 1)
    assert who(anonymous) == {"signed_in": False}


def test_a_failed_revocation_at_sign_out_is_a_warning(app, anonymous, alice, caplog):
    sign_in(anonymous, "alice", alice.password)
    cognito = app.extensions["photoshare_accounts"].cognito
    with Stubber(cognito.client) as stub, caplog.at_level(logging.WARNING):
        stub.add_client_error("revoke_token", service_error_code="InternalErrorException", http_status_code=500)
        assert anonymous.post("/signout", data={"csrf_token": csrf(anonymous, "/")}).status_code == 303
    [record] = [r for r in caplog.records if "could not revoke" in r.getMessage()]
    assert record.levelno == logging.WARNING and "InternalErrorException" in record.getMessage()
    assert who(anonymous) == {"signed_in": False}


def test_a_cookie_of_the_older_kind_is_signed_out(anonymous, alice):
    sign_in(anonymous, "alice", alice.password)
    with anonymous.session_transaction() as session:
        account = session["account"]
        session["account"] = {"sub": account["sub"], "username": "alice", "refresh_token": "x", "expires_at": 0}
    assert who(anonymous) == {"signed_in": False}


def test_with_redis_down_sign_in_and_out_still_work(make_app, alice, caplog):
    app = make_app(redis_url="redis://127.0.0.1:9/0")  # nothing listens there
    browser = app.test_client()
    assert sign_in(browser, "alice", alice.password).status_code == 303
    assert who(browser)["username"] == "alice"
    thief = copy_of_cookie(app, browser)
    with caplog.at_level(logging.WARNING):
        assert browser.post("/signout", data={"csrf_token": csrf(browser, "/")}).status_code == 303
    assert who(browser) == {"signed_in": False}
    assert "sign-out not shared with other copies of the cookie" in caplog.text
    # The copy lives on until its renewal at Cognito: better than signing everyone out meanwhile.
    assert who(thief)["username"] == "alice"


def test_an_expired_session_is_refreshed_at_cognito_or_signed_out(app, anonymous, alice):
    sign_in(anonymous, "alice", alice.password)
    with anonymous.session_transaction() as session:
        session["account"]["expires_at"] = 0  # the access token's hour is over
    assert who(anonymous)["username"] == "alice"  # refreshed with the refresh token
    with anonymous.session_transaction() as session:
        assert session["account"]["expires_at"] > 0
        session["account"].update(expires_at=0, refresh=seal(app.secret_key, "revoked-or-forged"))
    assert who(anonymous) == {"signed_in": False}
    sign_in(anonymous, "alice", alice.password)
    with anonymous.session_transaction() as session:  # sealed under another key, or altered
        session["account"].update(expires_at=0, refresh=seal("another key", session["account"]["sid"]))
    assert who(anonymous) == {"signed_in": False}


def test_the_page_scripts_call_the_api_with_the_cookie_and_a_csrf_header(anonymous, alice, publisher):
    sign_in(anonymous, "alice", alice.password)
    form = {"file": (BytesIO(photo_bytes(64, 48)), "a.jpg", "image/jpeg")}
    refused = anonymous.post("/api/photos", data=form, content_type="multipart/form-data")
    assert refused.status_code == 400 and "security token" in refused.get_json()["error"]
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', anonymous.get("/").get_data(as_text=True)).group(1)
    form = {"file": (BytesIO(photo_bytes(64, 48)), "a.jpg", "image/jpeg")}
    accepted = anonymous.post(
        "/api/photos", data=form, content_type="multipart/form-data", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 202 and accepted.get_json()["owner"] == "alice"
    assert publisher.published == [accepted.get_json()["id"]]


def test_while_cognito_is_down_the_session_holds_and_renewal_waits_a_minute(anonymous, alice, app):
    sign_in(anonymous, "alice", alice.password)
    cognito = app.extensions["photoshare_accounts"].cognito
    with anonymous.session_transaction() as session:
        session["account"]["expires_at"] = 0
    with Stubber(cognito.client) as stub:
        stub.add_client_error("initiate_auth", service_error_code="InternalErrorException", http_status_code=500)
        assert who(anonymous)["username"] == "alice"  # still signed in
        assert who(anonymous)["username"] == "alice"  # and no second call: the stub has none left
    with anonymous.session_transaction() as session:
        assert 50 < session["account"]["expires_at"] - time.time() <= 60


def test_a_renewal_keeps_the_pages_csrf_token_valid(anonymous, alice):
    sign_in(anonymous, "alice", alice.password)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', anonymous.get("/").get_data(as_text=True)).group(1)
    with anonymous.session_transaction() as session:
        session["account"]["expires_at"] = 0  # this very request renews the session at Cognito
    form = {"file": (BytesIO(photo_bytes(64, 48)), "a.jpg", "image/jpeg")}
    response = anonymous.post(
        "/api/photos", data=form, content_type="multipart/form-data", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 202, response.get_json()


def test_sign_in_attempts_are_rate_limited(make_app, metrics, alice):
    client = make_app(signin_rate_limit="3 per minute").test_client()
    answers = [sign_in(client, "alice", "Wrong-password-1").status_code for _ in range(3)]
    assert answers == [401, 401, 401]
    limited = sign_in(client, "alice", alice.password)
    assert limited.status_code == 429
    assert "Too many sign-in attempts from your address" in limited.get_data(as_text=True)
    token = client.post("/api/auth/token", json={"username": "alice", "password": alice.password})
    assert token.status_code == 429  # one budget for pages and the token API


def test_private_browsing_asks_everyone_to_sign_in(make_app, alice):
    app = make_app(public_browsing=False)
    anonymous = app.test_client()
    assert anonymous.get("/").headers["Location"] == "/signin?next=/"
    assert anonymous.get("/jobs").status_code == 302
    assert anonymous.get("/api/photos").status_code == 401
    assert anonymous.get("/api/jobs").status_code == 401
    assert anonymous.get("/signin").status_code == 200 and anonymous.get("/signup").status_code == 200
    assert anonymous.get("/healthz").status_code == 200
    assert sign_in(anonymous, "alice", alice.password).status_code == 303
    assert anonymous.get("/").status_code == 200 and anonymous.get("/api/photos").status_code == 200


def test_passwords_and_tokens_are_never_logged_even_at_debug(anonymous, alice, caplog):
    # At DEBUG botocore logs whole request and response bodies: the app hides the secrets in them.
    caplog.set_level(logging.DEBUG)
    sign_up(anonymous, "frank", password="Secret-Sauce-77")
    sign_in(anonymous, "alice", "Not-The-Password-9")
    tokens = anonymous.post("/api/auth/token", json={"username": "alice", "password": alice.password}).get_json()
    logged = "\n".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert "InitiateAuth" in logged and "[hidden]" in logged  # botocore's body logs were there, redacted
    for secret in (
        "Secret-Sauce-77",
        "Not-The-Password-9",
        alice.password,
        tokens["access_token"],
        tokens["refresh_token"],
    ):
        assert secret not in logged


def test_a_page_asked_with_a_refused_bearer_token_answers_401_once(make_app):
    # A redirect to the sign-in page could never help: the same header comes with the next request.
    client = make_app(public_browsing=False).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
    for path in ("/", "/mine", "/signin"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "Location" not in response.headers
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        assert "The access token was refused" in response.get_data(as_text=True)
