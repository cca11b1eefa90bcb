"""The token API (/api/auth/*) for programs, and what happens when Cognito cannot be reached."""

import pytest
from botocore.stub import Stubber

from photoshare_web.accounts.cognito import UNAVAILABLE, AccountError, CognitoAccounts


def test_config_names_the_pool_and_client(anonymous, pool_ids):
    config = anonymous.get("/api/auth/config").get_json()
    assert config == {
        "user_pool_id": pool_ids.user_pool_id,
        "client_id": pool_ids.client_id,
        "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_ids.user_pool_id}",
    }


def test_password_sign_in_returns_tokens_that_the_api_accepts(anonymous, alice):
    answer = anonymous.post("/api/auth/token", json={"username": "alice", "password": alice.password})
    assert answer.status_code == 200
    tokens = answer.get_json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert {"access_token", "id_token", "refresh_token"} <= set(tokens)
    me = anonymous.get("/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert me == {"signed_in": True, "id": alice.sub, "username": "alice"}


def test_a_refresh_token_gets_new_tokens(anonymous, alice):
    answer = anonymous.post("/api/auth/token", json={"refresh_token": alice.refresh_token})
    assert answer.status_code == 200 and answer.get_json()["access_token"]


def test_form_encoded_sign_in_works_too(anonymous, alice):
    answer = anonymous.post("/api/auth/token", data={"username": "alice", "password": alice.password})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"username": "alice", "password": "Wrong-password-1"}, 401, "Incorrect username or password."),
        ({"username": "nobody", "password": "Wrong-password-1"}, 401, "Incorrect username or password."),
        ({"refresh_token": "forged"}, 401, "The session is over"),
        ({"username": "alice"}, 400, "Send {"),
        ([1, 2], 400, "Send JSON"),
    ],
)
def test_token_refusals(anonymous, alice, body, status, message):
    answer = anonymous.post("/api/auth/token", json=body)
    assert answer.status_code == status
    assert answer.get_json()["error"].startswith(message)


def test_cognito_trouble_is_a_503_with_a_plain_message(cognito, pool_ids):
    accounts = CognitoAccounts(cognito, pool_ids, auto_confirm=False)
    with Stubber(cognito) as stub:
        stub.add_client_error("initiate_auth", service_error_code="InternalErrorException", http_status_code=500)
        with pytest.raises(AccountError) as refused:
            accounts.sign_in(username="alice", password="Whatever-123")
    assert (refused.value.status, refused.value.message) == (503, UNAVAILABLE)


def test_a_challenge_the_site_does_not_offer_is_explained(cognito, pool_ids):
    accounts = CognitoAccounts(cognito, pool_ids, auto_confirm=False)
    with Stubber(cognito) as stub:
        stub.add_response("initiate_auth", {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s" * 20})
        with pytest.raises(AccountError) as refused:
            accounts.sign_in(username="alice", password="Whatever-123")
    assert refused.value.status == 403 and "not support" in refused.value.message
