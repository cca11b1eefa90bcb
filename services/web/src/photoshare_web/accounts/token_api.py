"""The JSON API's sign-in: tokens for API callers, and where the user pool is."""

from typing import Any

from flask import Blueprint, request

from photoshare_web.accounts.cognito import AccountError, Tokens
from photoshare_web.accounts.current import current_user
from photoshare_web.accounts.provider import accounts
from photoshare_web.errors import HttpError
from photoshare_web.ratelimit import signin_limit
from photoshare_web.requestinput import json_object

bp = Blueprint("auth_api", __name__, url_prefix="/api/auth")

_TOKEN_BODY = '{"username": ..., "password": ...} or {"refresh_token": ...}'


@bp.get("/config")
def config() -> dict[str, str]:
    """The user pool and app client, for callers that talk to Cognito themselves."""
    ids = accounts().ids
    return {"user_pool_id": ids.user_pool_id, "client_id": ids.client_id, "issuer": accounts().issuer}


@bp.post("/token")
@signin_limit
def token() -> dict[str, Any]:
    """Sign in ({"username", "password"}) or refresh ({"refresh_token"}): Cognito's tokens."""
    body = json_object(_TOKEN_BODY) if request.is_json else request.form
    try:
        if body.get("refresh_token"):
            tokens = accounts().cognito.refresh(refresh_token=str(body["refresh_token"]))
        elif body.get("username") and body.get("password"):
            tokens = accounts().cognito.sign_in(username=str(body["username"]), password=str(body["password"]))
        else:
            raise HttpError(400, f"Send {_TOKEN_BODY}.")
    except AccountError as error:
        raise HttpError(error.status, error.message) from None
    return _token_json(tokens)


@bp.get("/me")
def me() -> dict[str, Any]:
    """The signed-in account ({"signed_in": false} when anonymous)."""
    user = current_user()
    if user is None:
        return {"signed_in": False}
    return {"signed_in": True, "id": user.sub, "username": user.username}


def _token_json(tokens: Tokens) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "access_token": tokens.access_token,
        "id_token": tokens.id_token,
        "token_type": "Bearer",
        "expires_in": tokens.expires_in,
    }
    if tokens.refresh_token:
        answer["refresh_token"] = tokens.refresh_token
    return answer
