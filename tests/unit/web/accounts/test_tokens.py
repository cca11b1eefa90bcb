"""Bearer tokens: only an access token of this pool and client, signed by the pool's key and
unexpired, is accepted; every forgery gets 401 with a reason and a WWW-Authenticate challenge."""

import time
from io import BytesIO

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from photoshare_shared.userpool import UserPoolIds, client_definition, user_pool_definition
from photoshare_web.accounts.tokens import InvalidToken, TokenVerifier, UnacceptableUsername, issuer_url, jwks_url
from tests.support.accounts import create_account, moto_keys, sign_like_moto
from tests.support.images import photo_bytes


def upload_with(client, token: str | None, scheme: str = "Bearer"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return client.post(
        "/api/photos",
        data={"file": (BytesIO(photo_bytes(64, 48)), "a.jpg", "image/jpeg")},
        headers=headers,
        content_type="multipart/form-data",
    )


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def refused(response, reason: str) -> None:
    assert response.status_code == 401, response.get_json()
    assert reason in response.get_json()["error"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="photoshare", error="invalid_token"'


def test_a_valid_access_token_uploads_as_its_owner(anonymous, alice, catalog):
    response = upload_with(anonymous, alice.access_token)
    assert response.status_code == 202
    photo = catalog.get(photo_id=response.get_json()["id"])
    assert (photo.owner_id, photo.owner_name) == (alice.sub, "alice")
    assert response.get_json()["owner"] == "alice"


def test_no_token_is_401_with_a_challenge_but_no_error(anonymous, publisher):
    response = upload_with(anonymous, None)
    assert response.status_code == 401
    assert response.get_json()["error"] == "Sign in to upload photos."
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="photoshare"'
    assert publisher.published == []


def test_a_token_signed_with_another_key_is_refused(anonymous, alice):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims_of(alice.access_token), stranger, algorithm="RS256", headers={"kid": "dummy"})
    refused(upload_with(anonymous, forged), "Signature verification failed")


def test_a_token_of_another_pool_is_refused(anonymous, cognito, settings):
    # moto signs every pool with the same key, so only the issuer tells them apart, as it must.
    pool = cognito.create_user_pool(**user_pool_definition("another-pool"))["UserPool"]["Id"]
    client = cognito.create_user_pool_client(**client_definition(pool))["UserPoolClient"]["ClientId"]
    outsider = create_account(cognito, UserPoolIds(pool, client), "outsider")
    refused(upload_with(anonymous, outsider.access_token), "issued by another user pool")


def test_a_token_of_another_app_client_is_refused(anonymous, cognito, pool_ids):
    other = cognito.create_user_pool_client(
        UserPoolId=pool_ids.user_pool_id, ClientName="other-app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    ids = UserPoolIds(pool_ids.user_pool_id, other["UserPoolClient"]["ClientId"])
    refused(upload_with(anonymous, create_account(cognito, ids, "elsewhere").access_token), "another app client")


def test_an_expired_token_is_refused(anonymous, alice):
    claims = claims_of(alice.access_token)
    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    refused(upload_with(anonymous, sign_like_moto(claims)), "expired")


def test_an_id_token_is_not_an_access_token(anonymous, alice):
    refused(upload_with(anonymous, alice.id_token), "an id token where an access token is needed")


@pytest.mark.parametrize("claim", ["exp", "sub", "token_use", "iss"])
def test_a_token_missing_a_required_claim_is_refused(anonymous, alice, claim):
    claims = claims_of(alice.access_token)
    del claims[claim]
    refused(upload_with(anonymous, sign_like_moto(claims)), "not a valid token")


def test_unsigned_and_hmac_tokens_are_refused(anonymous, alice):
    claims = claims_of(alice.access_token)
    unsigned = jwt.encode(claims, key=None, algorithm="none", headers={"kid": "dummy"})
    refused(upload_with(anonymous, unsigned), "not a valid token")
    hmac = jwt.encode(claims, "guessed-secret-0123456789-abcdefghij", algorithm="HS256", headers={"kid": "dummy"})
    refused(upload_with(anonymous, hmac), "not a valid token")


def test_an_unknown_key_id_is_refused(anonymous, alice):
    token = sign_like_moto(claims_of(alice.access_token), kid="rotated")
    refused(upload_with(anonymous, token), "signed with a key this pool does not publish")


@pytest.mark.parametrize(("scheme", "token"), [("Bearer", "not-a-jwt"), ("Basic", "YWxpY2U6cGFzcw=="), ("Bearer", "")])
def test_malformed_authorization_is_refused(anonymous, scheme, token):
    response = upload_with(anonymous, token, scheme=scheme)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_bad_token_is_refused_even_where_no_sign_in_is_needed(anonymous):
    # A client that sends credentials should learn they are bad, not be served as anonymous.
    response = anonymous.get("/api/photos", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401


def test_verifier_reports_what_is_wrong_without_the_app(alice, pool_ids):
    issuer = issuer_url("us-east-1", pool_ids.user_pool_id)
    verifier = TokenVerifier(issuer=issuer, client_id=pool_ids.client_id, keys=moto_keys())
    assert verifier.access_token(alice.access_token).username == "alice"
    assert verifier.id_token(alice.id_token).sub == alice.sub
    with pytest.raises(InvalidToken, match="an access token where an id token is needed"):
        verifier.id_token(alice.access_token)


def test_jwks_url_is_under_the_issuer_or_the_emulator():
    issuer = issuer_url("eu-west-1", "eu-west-1_AbC")
    assert issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"
    assert jwks_url(issuer, None) == f"{issuer}/.well-known/jwks.json"
    assert jwks_url(issuer, "http://127.0.0.1:4566/") == "http://127.0.0.1:4566/eu-west-1_AbC/.well-known/jwks.json"


@pytest.mark.parametrize("username", ["d\u0435mo", "<b>x</b>"])
def test_an_account_made_at_cognito_directly_with_a_name_the_site_refuses_is_refused(
    make_app, cognito, pool_ids, username
):
    # The app client is public: anyone can sign up at Cognito itself, skipping the site's form.
    impostor = create_account(cognito, pool_ids, username)
    app = make_app()
    bearer = upload_with(app.test_client(), impostor.access_token)
    assert bearer.status_code == 403
    assert "username breaks the site's rules (3 to 32 letters" in bearer.get_json()["error"]
    browser = app.test_client()
    page = browser.get("/signin").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    signin = browser.post("/signin", data={"csrf_token": token, "username": username, "password": impostor.password})
    assert signin.status_code == 403 and "username breaks the site" in signin.get_data(as_text=True)
    assert browser.get("/api/auth/me").get_json() == {"signed_in": False}


def test_the_verifier_refuses_a_username_outside_the_rule(alice, settings, pool_ids):
    verifier = TokenVerifier(
        issuer=issuer_url(settings.cognito_region, pool_ids.user_pool_id),
        client_id=pool_ids.client_id,
        keys=moto_keys(),
    )
    assert verifier.access_token(alice.access_token).username == "alice"
    claims = {**claims_of(alice.access_token), "username": "alice\n"}
    with pytest.raises(UnacceptableUsername):
        verifier.access_token(sign_like_moto(claims))
