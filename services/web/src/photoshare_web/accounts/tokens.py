"""Verifying Cognito JSON Web Tokens: signature (the pool's JWKS), issuer, client, expiry, token use."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from photoshare_shared.usernames import USERNAME_RULES, is_valid_username

# kid -> public key; raises LookupError for a key the pool does not publish. In production a
# PyJWKClient over the pool's JWKS URL (fetched once, cached).
KeySource = Callable[[str], Any]

_ALGORITHMS = ["RS256"]  # what Cognito signs with; never accept "none" or an HMAC algorithm
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "token_use"]
_LEEWAY_S = 30  # clock skew between Cognito and this host


class InvalidToken(Exception):
    """The token is not a valid token of this pool and client; str(exc) says why."""


class UnacceptableUsername(Exception):
    """A valid token of an account whose username breaks the site's rule (made at Cognito directly)."""

    def __init__(self) -> None:
        super().__init__(
            f"This account's username breaks the site's rules ({USERNAME_RULES}), "
            "so this site does not accept it; ask the site's operator."
        )


class KeysUnavailable(Exception):
    """The pool's signing keys could not be fetched (Cognito or the network is down)."""


@dataclass(frozen=True)
class Identity:
    """Who a verified token speaks for."""

    sub: str  # the account's stable id
    username: str


def issuer_url(region: str, user_pool_id: str) -> str:
    """The `iss` of every token of the pool (the same string with the local emulator)."""
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_url(issuer: str, endpoint_url: str | None) -> str:
    """Where the pool publishes its public keys: under the issuer, or the emulator's endpoint."""
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{issuer.rsplit('/', 1)[1]}/.well-known/jwks.json"
    return f"{issuer}/.well-known/jwks.json"


def jwks_key_source(url: str) -> KeySource:
    """Keys from a JWKS URL, cached; an unknown kid fetches the set again (key rotation)."""
    client = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)

    def key(kid: str) -> Any:
        try:
            return client.get_signing_key(kid).key
        except jwt.PyJWKClientConnectionError as error:
            raise KeysUnavailable(str(error)) from error
        except jwt.PyJWKClientError as error:
            raise LookupError(kid) from error

    return key


class TokenVerifier:
    """Checks tokens of one user pool and app client."""

    def __init__(self, *, issuer: str, client_id: str, keys: KeySource) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._keys = keys

    def access_token(self, token: str) -> Identity:
        """The identity of a valid access token (what API callers send as Bearer)."""
        # Access tokens name the app client in `client_id`; they have no `aud`.
        claims = self._claims(token, token_use="access", client_claim="client_id")
        return _identity(claims["sub"], claims.get("username"))

    def id_token(self, token: str) -> Identity:
        """The identity of a valid ID token (what sign-in returns about the person)."""
        claims = self._claims(token, token_use="id", client_claim="aud")
        return _identity(claims["sub"], claims.get("cognito:username"))

    def _claims(self, token: str, *, token_use: str, client_claim: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            key = self._keys(str(header.get("kid", "")))
            claims = jwt.decode(
                token,
                key,
                algorithms=_ALGORITHMS,
                issuer=self._issuer,
                leeway=_LEEWAY_S,
                # The client is checked below, for both kinds of token alike.
                options={"require": _REQUIRED_CLAIMS, "verify_aud": False},
            )
        except LookupError as error:
            raise InvalidToken("not a valid token (signed with a key this pool does not publish)") from error
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the token has expired") from error
        except jwt.InvalidIssuerError as error:
            raise InvalidToken("issued by another user pool") from error
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"not a valid token ({error})") from error
        if claims["token_use"] != token_use:
            raise InvalidToken(f"an {claims['token_use']} token where an {token_use} token is needed")
        if claims.get(client_claim) != self._client_id:
            raise InvalidToken("issued to another app client")
        return claims


def _identity(sub: str, username: object) -> Identity:
    """Who the token speaks for, if the site accepts that username (the pool's own check can be
    missing: an account made before it, or by an administrator)."""
    if not is_valid_username(username):
        raise UnacceptableUsername
    return Identity(sub=sub, username=str(username))
