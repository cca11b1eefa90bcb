"""The user pool definition, finding it by name, and the local provisioning (moto in-process)."""

import pytest

from photoshare_shared.aws import make_client
from photoshare_shared.provision import demo_banner, ensure_demo_user, main
from photoshare_shared.userpool import (
    CLIENT_NAME,
    DEMO_USERNAME,
    PASSWORD_POLICY,
    UserPoolIds,
    ensure_user_pool,
    find_user_pool,
    new_password,
)


def test_ensure_is_idempotent_and_find_by_name_agrees(settings, pool_ids):
    assert ensure_user_pool(settings) == pool_ids
    assert find_user_pool(settings) == pool_ids
    cognito = make_client("cognito-idp", settings)
    pool = cognito.describe_user_pool(UserPoolId=pool_ids.user_pool_id)["UserPool"]
    assert pool["Name"] == settings.cognito_pool_name
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == PASSWORD_POLICY["MinimumLength"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_ids.user_pool_id, ClientId=pool_ids.client_id)
    assert client["UserPoolClient"]["ClientName"] == CLIENT_NAME
    assert "ClientSecret" not in client["UserPoolClient"]  # a public client: browsers never see it anyway


def test_configured_ids_win_without_any_lookup(settings):
    configured = settings.model_copy(update={"cognito_user_pool_id": "eu-west-1_Abc", "cognito_client_id": "client"})
    assert find_user_pool(configured) == UserPoolIds("eu-west-1_Abc", "client")
    assert configured.cognito_region == "eu-west-1"


def test_an_unknown_pool_name_is_not_found(settings):
    assert find_user_pool(settings.model_copy(update={"cognito_pool_name": "no-such-pool"})) is None


def test_settings_need_both_ids_or_neither():
    from photoshare_shared.settings import Settings

    with pytest.raises(ValueError, match="both PHOTOSHARE_COGNITO_USER_POOL_ID and PHOTOSHARE_COGNITO_CLIENT_ID"):
        Settings(cognito_user_pool_id="us-east-1_x")


def test_generated_passwords_meet_the_policy(settings, pool_ids):
    cognito = make_client("cognito-idp", settings)
    for n in range(20):  # moto checks the pool's policy on sign-up
        cognito.sign_up(
            ClientId=pool_ids.client_id,
            Username=f"gen{n}",
            Password=new_password(),
            UserAttributes=[{"Name": "email", "Value": f"gen{n}@example.com"}],
        )


def test_the_demo_account_gets_a_fresh_password_each_time(settings, pool_ids):
    cognito = make_client("cognito-idp", settings)
    first = ensure_demo_user(settings, pool_ids)
    second = ensure_demo_user(settings, pool_ids)
    assert first != second
    auth = {"USERNAME": DEMO_USERNAME, "PASSWORD": second}
    tokens = cognito.initiate_auth(ClientId=pool_ids.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)
    assert tokens["AuthenticationResult"]["AccessToken"]
    assert demo_banner(second) == f"demo account: username demo, password {second}"


def test_provisioning_refuses_real_aws(settings, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with pytest.raises(SystemExit, match="only for the local emulator"):
        main()
