"""Accounts for the tests: real Cognito users (moto in-process or the moto server) and their tokens."""

import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from moto.utilities.utils import load_resource

from photoshare_shared.userpool import UserPoolIds, new_password
from photoshare_web.accounts.tokens import KeySource


@dataclass(frozen=True)
class Account:
    """A confirmed user and the tokens of one sign-in."""

    username: str
    password: str
    sub: str
    access_token: str
    id_token: str
    refresh_token: str

    @property
    def bearer(self) -> dict[str, str]:
        """The Authorization header of an API call as this user."""
        return {"Authorization": f"Bearer {self.access_token}"}


def create_account(cognito: Any, ids: UserPoolIds, username: str | None = None) -> Account:
    """Sign a new user up through the public API, confirm it as an admin, sign it in."""
    username = username or f"user-{uuid.uuid4().hex[:10]}"
    password = new_password()
    sub = cognito.sign_up(
        ClientId=ids.client_id,
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )["UserSub"]
    cognito.admin_confirm_sign_up(UserPoolId=ids.user_pool_id, Username=username)
    tokens = cognito.initiate_auth(
        ClientId=ids.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]
    return Account(
        username=username,
        password=password,
        sub=sub,
        access_token=tokens["AccessToken"],
        id_token=tokens["IdToken"],
        refresh_token=tokens["RefreshToken"],
    )


def _moto_jwks(kind: str) -> dict[str, Any]:
    return load_resource(f"cognitoidp/resources/jwks-{kind}.json")


def moto_keys() -> KeySource:
    """The public keys moto signs every pool's tokens with (what its JWKS URL serves)."""
    keys = jwt.PyJWKSet.from_dict(_moto_jwks("public"))

    def key(kid: str) -> Any:
        return keys[kid].key

    return key


def sign_like_moto(claims: dict[str, Any], *, kid: str = "dummy") -> str:
    """A token signed with moto's own private key: valid signature, whatever claims the test wants."""
    key = jwt.PyJWK.from_dict(_moto_jwks("private")).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
