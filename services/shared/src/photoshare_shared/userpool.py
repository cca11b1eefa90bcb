"""The Cognito user pool and app client: their one definition (the deploy template mirrors it,
a unit test compares them), finding them, and creating them in the local emulator."""

import secrets
from dataclasses import dataclass
from typing import Any

from photoshare_shared.aws import make_client
from photoshare_shared.settings import Settings

CLIENT_NAME = "photoshare-web"
PASSWORD_POLICY = {
    "MinimumLength": 10,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 7,
}
PASSWORD_RULES = "at least 10 characters, with an upper-case letter, a lower-case letter and a digit"
# Sessions last as long as the refresh token; the access token (checked on every API call) an hour.
ACCESS_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30
DEMO_USERNAME = "demo"


@dataclass(frozen=True)
class UserPoolIds:
    """Which user pool and app client the web signs people in with."""

    user_pool_id: str
    client_id: str


def user_pool_definition(name: str) -> dict[str, Any]:
    """Arguments for CreateUserPool: sign in by username, email required and verified by a code."""
    return {
        "PoolName": name,
        "Policies": {"PasswordPolicy": PASSWORD_POLICY},
        "AutoVerifiedAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
    }


def client_definition(user_pool_id: str) -> dict[str, Any]:
    """Arguments for CreateUserPoolClient: a public client (no secret) doing password and refresh auth."""
    return {
        "UserPoolId": user_pool_id,
        "ClientName": CLIENT_NAME,
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        # "Incorrect username or password" whether or not the user exists.
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "AccessTokenValidity": ACCESS_TOKEN_MINUTES,
        "IdTokenValidity": ACCESS_TOKEN_MINUTES,
        "RefreshTokenValidity": REFRESH_TOKEN_DAYS,
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    }


def find_user_pool(settings: Settings, cognito: Any = None) -> UserPoolIds | None:
    """The configured ids, else the pool named settings.cognito_pool_name and its web client."""
    if settings.cognito_user_pool_id and settings.cognito_client_id:
        return UserPoolIds(settings.cognito_user_pool_id, settings.cognito_client_id)
    cognito = cognito or make_client("cognito-idp", settings)
    for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == settings.cognito_pool_name:
                return _find_client(cognito, pool["Id"])
    return None


def _find_client(cognito: Any, user_pool_id: str) -> UserPoolIds | None:
    for page in cognito.get_paginator("list_user_pool_clients").paginate(UserPoolId=user_pool_id, MaxResults=60):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == CLIENT_NAME:
                return UserPoolIds(user_pool_id, client["ClientId"])
    return None


def ensure_user_pool(settings: Settings) -> UserPoolIds:
    """Create the pool and its client unless they exist (the local emulator's first start)."""
    cognito = make_client("cognito-idp", settings)
    found = find_user_pool(settings, cognito)
    if found:
        return found
    pool_id = cognito.create_user_pool(**user_pool_definition(settings.cognito_pool_name))["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(**client_definition(pool_id))["UserPoolClient"]["ClientId"]
    return UserPoolIds(pool_id, client_id)


def new_password() -> str:
    """A random password that meets PASSWORD_POLICY."""
    return f"{secrets.token_urlsafe(12)}-Aa1"


def ensure_user(settings: Settings, ids: UserPoolIds, *, username: str, password: str, email: str) -> None:
    """Create a confirmed user with this password, or reset an existing one's password to it."""
    cognito = make_client("cognito-idp", settings)
    try:
        cognito.admin_create_user(
            UserPoolId=ids.user_pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    except cognito.exceptions.UsernameExistsException:
        pass
    cognito.admin_set_user_password(UserPoolId=ids.user_pool_id, Username=username, Password=password, Permanent=True)
