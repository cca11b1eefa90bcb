"""The accounts services of the app: the Cognito client and the token verifier, made on first use."""

from functools import cached_property

from flask import current_app

from photoshare_shared.aws import make_client
from photoshare_shared.settings import Settings
from photoshare_shared.userpool import UserPoolIds, find_user_pool
from photoshare_web.accounts.cognito import CognitoAccounts
from photoshare_web.accounts.signouts import SignOuts
from photoshare_web.accounts.tokens import KeySource, TokenVerifier, issuer_url, jwks_key_source, jwks_url
from photoshare_web.errors import HttpError

NOT_SET_UP = (
    "Accounts are not set up: set PHOTOSHARE_COGNITO_USER_POOL_ID and PHOTOSHARE_COGNITO_CLIENT_ID, "
    "or create the user pool (make dev and docker compose do)."
)


class AccountServices:
    """Cognito calls and token checks for the configured user pool.

    Built lazily: finding the pool by name is an AWS call, which must not happen at import or
    app creation (the web starts, and answers /healthz, before the pool is reachable).
    """

    def __init__(self, settings: Settings, *, ids: UserPoolIds | None = None, keys: KeySource | None = None) -> None:
        self._settings = settings
        self._given_ids = ids
        self._given_keys = keys

    @cached_property
    def ids(self) -> UserPoolIds:
        """The user pool and app client (a failed lookup is retried on the next request)."""
        ids = self._given_ids or find_user_pool(self._settings)
        if ids is None:
            raise HttpError(503, NOT_SET_UP)  # no pool configured, and none of the configured name
        return ids

    @cached_property
    def issuer(self) -> str:
        """The `iss` claim of this pool's tokens."""
        return issuer_url(self._settings.cognito_region, self.ids.user_pool_id)

    @cached_property
    def cognito(self) -> CognitoAccounts:
        """Sign up, sign in, refresh, sign out."""
        client = make_client("cognito-idp", self._settings, region=self._settings.cognito_region)
        return CognitoAccounts(client, self.ids, auto_confirm=self._settings.uses_emulator)

    @cached_property
    def signouts(self) -> SignOuts:
        """Sessions signed out before their renewal (see photoshare_web.accounts.signouts)."""
        return SignOuts.from_settings(self._settings)

    @cached_property
    def verifier(self) -> TokenVerifier:
        """Checks access and ID tokens against the pool's published keys."""
        keys = self._given_keys or jwks_key_source(jwks_url(self.issuer, self._settings.aws_endpoint_url))
        return TokenVerifier(issuer=self.issuer, client_id=self.ids.client_id, keys=keys)


def accounts() -> AccountServices:
    """The current app's accounts services."""
    return current_app.extensions["photoshare_accounts"]
