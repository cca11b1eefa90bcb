"""The app's calls to Amazon Cognito: sign up, confirm, sign in, refresh, sign out.

Every Cognito error becomes an AccountError with an HTTP status and a sentence a person
understands. Passwords pass straight through to Cognito: never logged, never stored.
"""

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from photoshare_shared.usernames import USERNAME_RULES
from photoshare_shared.userpool import PASSWORD_RULES, UserPoolIds

log = logging.getLogger(__name__)

UNAVAILABLE = "Sign-in is unavailable right now; please try again shortly."
WRONG_PASSWORD = "Incorrect username or password."
SESSION_OVER = "The session is over (it expired, or was signed out); please sign in again."

_TOO_MANY = (429, "Too many attempts; please wait a few minutes and try again.")

# Cognito error code -> (HTTP status, what the person is told).
_ERRORS: dict[str, tuple[int, str]] = {
    "NotAuthorizedException": (401, WRONG_PASSWORD),
    "UserNotFoundException": (401, WRONG_PASSWORD),  # the same answer: no probing for usernames
    "UserNotConfirmedException": (403, "This account is not confirmed yet: enter the code we emailed you."),
    "PasswordResetRequiredException": (403, "This account needs a new password; ask the site's operator."),
    "InvalidPasswordException": (400, f"Choose a stronger password: {PASSWORD_RULES}."),
    "UsernameExistsException": (409, "That username is taken; please choose another."),
    "AliasExistsException": (409, "An account with that email address exists already."),
    "CodeMismatchException": (400, "That code is not right; check the email, or send a new code."),
    "ExpiredCodeException": (400, "That code has expired; send a new one."),
    "CodeDeliveryFailureException": (503, "The confirmation email could not be sent; please try again."),
    "InvalidParameterException": (400, "Check the username and email address and try again."),
    # The pool's pre-sign-up check (deploy/template.yaml) refused the username.
    "UserLambdaValidationException": (400, f"Choose a username of {USERNAME_RULES}."),
    "TooManyRequestsException": _TOO_MANY,
    "TooManyFailedAttemptsException": _TOO_MANY,
    "LimitExceededException": _TOO_MANY,
}


class AccountError(Exception):
    """A refused account action: HTTP status, a message for people, and Cognito's error code."""

    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Tokens:
    """What a successful sign-in or refresh returns (a refresh returns no new refresh token)."""

    access_token: str
    id_token: str
    refresh_token: str | None
    expires_in: int


class CognitoAccounts:
    """Account actions against one user pool and its public app client."""

    def __init__(self, client: Any, ids: UserPoolIds, *, auto_confirm: bool) -> None:
        self._cognito = client
        self.ids = ids
        # The local emulator sends no email, so new accounts are confirmed at once.
        self._auto_confirm = auto_confirm

    @property
    def client(self) -> Any:
        """The boto3 cognito-idp client it calls (tests stub it)."""
        return self._cognito

    def sign_up(self, *, username: str, email: str, password: str) -> bool:
        """Create an account; True when it is confirmed already (else a code was emailed)."""
        answer = self._call(
            "sign_up",
            ClientId=self.ids.client_id,
            Username=username,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        if answer.get("UserConfirmed"):
            return True
        if self._auto_confirm:
            self._call("admin_confirm_sign_up", UserPoolId=self.ids.user_pool_id, Username=username)
            return True
        return False

    def confirm(self, *, username: str, code: str) -> None:
        """Confirm a new account with the code from its email."""
        self._call("confirm_sign_up", ClientId=self.ids.client_id, Username=username, ConfirmationCode=code)

    def resend_code(self, *, username: str) -> None:
        """Email a new confirmation code."""
        self._call("resend_confirmation_code", ClientId=self.ids.client_id, Username=username)

    def sign_in(self, *, username: str, password: str) -> Tokens:
        """Check a username and password; the account's tokens."""
        return self._tokens({"USERNAME": username, "PASSWORD": password}, flow="USER_PASSWORD_AUTH", refresh_token=None)

    def refresh(self, *, refresh_token: str) -> Tokens:
        """New access and ID tokens for a signed-in session (fails once the account is gone or signed out)."""
        try:
            parameters = {"REFRESH_TOKEN": refresh_token}
            return self._tokens(parameters, flow="REFRESH_TOKEN_AUTH", refresh_token=refresh_token)
        except AccountError as error:
            if error.status == 401:
                raise AccountError(401, SESSION_OVER, error.code) from None
            raise

    def revoke(self, *, refresh_token: str) -> None:
        """End a session at Cognito too (best effort: signing out locally must never fail, and the
        sign-out list keeps refusing the session's cookie whatever happens here)."""
        try:
            self._cognito.revoke_token(Token=refresh_token, ClientId=self.ids.client_id)
        except Exception as error:  # noqa: BLE001 - whatever Cognito (or an emulator without RevokeToken) says
            # A warning: the token stays usable at Cognito itself (by whoever holds it) until it expires.
            code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
            log.warning("could not revoke a refresh token at sign-out: %s", code or type(error).__name__)

    def _tokens(self, parameters: dict[str, str], *, flow: str, refresh_token: str | None) -> Tokens:
        answer = self._call("initiate_auth", ClientId=self.ids.client_id, AuthFlow=flow, AuthParameters=parameters)
        result = answer.get("AuthenticationResult")
        if not result:
            # A challenge (new password, MFA) this app does not offer.
            raise AccountError(403, "This account needs a step this site does not support; ask its operator.")
        return Tokens(
            access_token=result["AccessToken"],
            id_token=result["IdToken"],
            refresh_token=result.get("RefreshToken") or refresh_token,
            expires_in=int(result.get("ExpiresIn", 3600)),
        )

    def _call(self, operation: str, **parameters: Any) -> dict[str, Any]:
        try:
            return getattr(self._cognito, operation)(**parameters)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _ERRORS:
                status, message = _ERRORS[code]
                raise AccountError(status, message, code) from None
            # The parameters hold the password: log the operation and code only.
            log.error("Cognito %s failed: %s", operation, code or "unknown error")
            raise AccountError(503, UNAVAILABLE, code) from None
        except BotoCoreError as error:
            log.error("Cognito %s failed: %s", operation, type(error).__name__)
            raise AccountError(503, UNAVAILABLE) from None
