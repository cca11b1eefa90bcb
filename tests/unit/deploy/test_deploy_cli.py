"""photoshare-deploy against moto in-process: up, status, down, and one-line errors."""

import ast
import json
from typing import Any
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError
from deploy_run import client, outputs, run
from moto_cfn_shims import CloudFrontDistribution, CloudFrontVpcOrigin

from photoshare_deploy import buckets, cli, indexes, network, stack, template
from photoshare_deploy.awsenv import Aws
from photoshare_deploy.errors import DeployError
from photoshare_shared.catalog.item import table_definition
from photoshare_shared.userpool import PASSWORD_POLICY, client_definition

STACK = "ps-test"


def test_up_creates_the_stack_with_its_resources_and_outputs(aws: None, capsys: pytest.CaptureFixture[str]):
    code, out, err = run(capsys, "up", "--stack", STACK, "--poll", "0")
    assert (code, err) == (0, "")
    assert "uploaded source bundle s3://photoshare-deploy-" in out
    assert "CREATE_COMPLETE" in out
    got = outputs(STACK)
    for key in ("SiteUrl", "BucketName", "TableName", "InstanceId", "LogGroupName", "UserPoolId", "UserPoolClientId"):
        assert f"{key}" in out and got[key] in out
    summaries = client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    types = {s.get("LogicalResourceId"): s.get("ResourceType") for s in summaries}
    assert {
        "PhotoBucket": "AWS::S3::Bucket",
        "PhotoTable": "AWS::DynamoDB::Table",
        "LogGroup": "AWS::Logs::LogGroup",
        "WebSecurityGroup": "AWS::EC2::SecurityGroup",
        "InstanceRole": "AWS::IAM::Role",
        "InstanceProfile": "AWS::IAM::InstanceProfile",
        "Instance": "AWS::EC2::Instance",
        "PublicAddress": "AWS::EC2::EIP",
        "UserPool": "AWS::Cognito::UserPool",
        "UserPoolClient": "AWS::Cognito::UserPoolClient",
        "Distribution": "AWS::CloudFront::Distribution",
        "UploadQueue": "AWS::SQS::Queue",
        "UploadDeadLetterQueue": "AWS::SQS::Queue",
    }.items() <= types.items()
    # Browsers on the site, and only there, may send direct uploads to the bucket.
    [rule] = client("s3").get_bucket_cors(Bucket=got["BucketName"])["CORSRules"]
    assert rule["AllowedOrigins"] == [got["SiteUrl"]]
    assert f"the bucket admits direct uploads from {got['SiteUrl']}" in out

    # The real table has exactly the app's keys and indexes.
    table = client("dynamodb").describe_table(TableName=got["TableName"])["Table"]
    app = table_definition(got["TableName"])
    assert table["KeySchema"] == app["KeySchema"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in table["GlobalSecondaryIndexes"]} == {
        g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in app["GlobalSecondaryIndexes"]
    }
    encryption = client("s3").get_bucket_encryption(Bucket=got["BucketName"])
    [rule] = encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    ec2 = client("ec2")
    [instance] = ec2.describe_instances(InstanceIds=[got["InstanceId"]])["Reservations"][0]["Instances"]
    assert instance["InstanceType"] == "t3.small"
    [volume] = ec2.describe_volumes(VolumeIds=[instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]])["Volumes"]
    assert volume["Encrypted"] and volume["VolumeType"] == "gp3"
    sg = ec2.describe_security_groups(GroupIds=[_physical("WebSecurityGroup")])["SecurityGroups"][0]
    # Nothing open to an address range; moto's CloudFormation drops a rule whose source is a prefix
    # list, so that rule is checked in the template test (and its parameter below).
    assert sg["IpPermissions"] == []

    iam = client("iam")
    role = _physical("InstanceRole")
    policy = iam.get_role_policy(RoleName=role, PolicyName="photoshare-app")["PolicyDocument"]
    if isinstance(policy, str):  # moto hands back the document of a CloudFormation role as a Python repr
        policy = ast.literal_eval(policy)
    # moto keeps an AWS::NoValue list item (the scaled-only statements) as None; CloudFormation drops it.
    by_sid = {s["Sid"]: s for s in policy["Statement"] if s is not None}
    assert by_sid["PhotoObjects"]["Resource"] == f"arn:aws:s3:::{got['BucketName']}/*"
    assert all(got["TableName"] in r for r in by_sid["PhotoTable"]["Resource"])
    groups = client("logs").describe_log_groups(logGroupNamePrefix=got["LogGroupName"])["logGroups"]
    assert groups[0]["retentionInDays"] == 30


def test_up_makes_the_user_pool_and_client_the_app_expects(aws: None, capsys: pytest.CaptureFixture[str]):
    assert run(capsys, "up", "--stack", STACK, "--poll", "0")[0] == 0
    got = outputs(STACK)
    cognito = client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=got["UserPoolId"])["UserPool"]
    assert pool["Name"] == f"photoshare-{STACK}"
    assert pool["Policies"]["PasswordPolicy"] == PASSWORD_POLICY
    assert pool["DeletionProtection"] == "ACTIVE" and pool["AutoVerifiedAttributes"] == ["email"]
    # Every sign-up, the site's form or not, passes the username check the stack made.
    check = client("lambda").get_function(FunctionName=pool["LambdaConfig"]["PreSignUp"])["Configuration"]
    assert check["FunctionArn"] == pool["LambdaConfig"]["PreSignUp"] and check["Handler"] == "index.handler"
    app = client_definition(got["UserPoolId"])
    made = cognito.describe_user_pool_client(UserPoolId=got["UserPoolId"], ClientId=got["UserPoolClientId"])
    made = made["UserPoolClient"]
    assert "ClientSecret" not in made
    for key in (
        "ClientName",
        "ExplicitAuthFlows",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "AccessTokenValidity",
        "IdTokenValidity",
        "RefreshTokenValidity",
        "TokenValidityUnits",
    ):
        assert made[key] == app[key], key


def test_up_puts_cloudfront_in_front_of_the_host_through_a_vpc_origin(aws: None, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(capsys, "up", "--stack", STACK, "--poll", "0")
    assert code == 0 and "run `up` again once the distribution is deployed" in out
    got = outputs(STACK)
    distribution = CloudFrontDistribution.made[_physical("Distribution")]
    assert got["SiteUrl"] == f"https://{distribution.attributes['DomainName']}"
    [origin] = distribution.properties["DistributionConfig"]["Origins"]
    # The host's private name, reached through the VPC origin made for this very instance.
    ec2 = client("ec2")
    [instance] = ec2.describe_instances(InstanceIds=[got["InstanceId"]])["Reservations"][0]["Instances"]
    assert origin["DomainName"] == instance["PrivateDnsName"]
    vpc_origin = CloudFrontVpcOrigin.made[origin["VpcOriginConfig"]["VpcOriginId"]]
    endpoint = vpc_origin.properties["VpcOriginEndpointConfig"]
    assert endpoint["Arn"] == f"arn:aws:ec2:eu-west-1:123456789012:instance/{got['InstanceId']}"
    assert "CustomOriginConfig" not in origin
    # The secret header is the stack's generated secret, which the host reads at deploy.
    headers = {h["HeaderName"]: h["HeaderValue"] for h in origin["OriginCustomHeaders"]}
    secret_arn = _physical("OriginSecret")
    assert headers["X-Photoshare-Origin"] == f"{{{{resolve:secretsmanager:{secret_arn}:SecretString}}}}"
    assert len(client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]) == 48
    # The security group's source: this region's CloudFront prefix list, as `up` looked it up.
    cloudfront = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.global.cloudfront.origin-facing"]}]
    )["PrefixLists"][0]["PrefixListId"]
    assert _parameters()["CloudFrontPrefixListId"] == cloudfront
    assert _parameters()["CloudFrontOriginSecurityGroupId"] == ""


def test_once_cloudfront_made_its_vpc_origin_group_only_that_group_reaches_the_host(
    aws: None, capsys: pytest.CaptureFixture[str]
):
    assert run(capsys, "up", "--stack", STACK, "--poll", "0")[0] == 0
    ec2 = client("ec2")
    vpc_id = _parameters()["VpcId"]
    # What CloudFront does in the VPC when it makes the first VPC origin there.
    service = ec2.create_security_group(
        GroupName="CloudFront-VPCOrigins-Service-SG", Description="CloudFront VPC origins", VpcId=vpc_id
    )["GroupId"]
    code, out, err = run(capsys, "up", "--stack", STACK, "--poll", "0")
    assert (code, err) == (0, "") and "run `up` again" not in out
    assert _parameters()["CloudFrontOriginSecurityGroupId"] == service
    sg = ec2.describe_security_groups(GroupIds=[_physical("WebSecurityGroup")])["SecurityGroups"][0]
    [rule] = sg["IpPermissions"]
    assert (rule["FromPort"], rule["ToPort"]) == (80, 80)
    assert [pair["GroupId"] for pair in rule["UserIdGroupPairs"]] == [service]
    assert rule["IpRanges"] == [] and rule.get("PrefixListIds", []) == []


def _parameters() -> dict[str, str]:
    current = client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in current["Parameters"]}


def _physical(logical: str) -> str:
    summaries = client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    return next(s["PhysicalResourceId"] for s in summaries if s.get("LogicalResourceId") == logical)


def test_status_update_and_down(aws: None, capsys: pytest.CaptureFixture[str]):
    assert run(capsys, "up", "--stack", STACK, "--poll", "0")[0] == 0
    code, out, _ = run(capsys, "status", "--stack", STACK)
    assert code == 0 and f"stack {STACK}: CREATE_COMPLETE" in out and ": running" in out

    code, out, _ = run(capsys, "up", "--stack", STACK, "--poll", "0", "--param", "AppVersion=v2")
    assert code == 0 and "UPDATE_COMPLETE" in out and "v2" in out

    bucket, pool = outputs(STACK)["BucketName"], outputs(STACK)["UserPoolId"]
    client("s3").put_object(Bucket=bucket, Key="originals/x", Body=b"x")
    code, out, err = run(capsys, "down", "--stack", STACK, "--yes", "--empty-bucket", "--delete-table", "--poll", "0")
    assert (code, err) == (0, "")
    assert "DELETE_COMPLETE" in out and f"deleted bucket {bucket} and its 1 objects" in out
    assert stack.describe(client("cloudformation"), STACK) is None
    assert bucket not in {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    # People's accounts outlive the stack.
    assert f"kept user pool {pool}" in out
    assert client("cognito-idp").describe_user_pool(UserPoolId=pool)["UserPool"]["Id"] == pool


def _before_accounts() -> dict[str, Any]:
    """The template as it was before accounts: no pool, client or distribution; port 80 open to a CIDR."""
    old = template.for_parameters(template.load())  # one host, before the scaled topology too
    del old["Conditions"]["IsScaled"], old["Conditions"]["IsSingle"]
    del old["Parameters"]["Topology"], old["Outputs"]["Topology"]
    accounts = ("UserPool", "UserPoolClient", "UsernameRuleFunction", "UsernameRuleRole", "UsernameRuleLogGroup")
    for name in (*accounts, "UsernameRulePermission", "Distribution", "HostOrigin", "OriginSecret"):
        del old["Resources"][name]
    del old["Parameters"]["CloudFrontOriginSecurityGroupId"], old["Conditions"]["HasOriginSecurityGroup"]
    [role_policy] = old["Resources"]["InstanceRole"]["Properties"]["Policies"]
    statements = role_policy["PolicyDocument"]["Statement"]
    statements[:] = [statement for statement in statements if statement["Sid"] not in ("OriginSecret", "UploadOwners")]
    for name in ("UserPoolId", "UserPoolClientId", "DistributionId"):
        del old["Outputs"][name]
    old["Outputs"]["SiteUrl"]["Value"] = {"Fn::Sub": "http://${PublicAddress}"}
    del old["Parameters"]["CloudFrontPrefixListId"]
    [rule] = old["Resources"]["WebSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    rule.pop("SourcePrefixListId", None), rule.pop("SourceSecurityGroupId", None)
    rule["CidrIp"] = "0.0.0.0/0"
    files = old["Resources"]["Instance"]["Metadata"]["AWS::CloudFormation::Init"]["app"]["files"]
    env = files["/etc/photoshare/deploy.env"]["content"]
    kept = ("COGNITO", "ORIGIN_SECRET")
    env["Fn::Sub"] = "".join(line for line in env["Fn::Sub"].splitlines(True) if not any(k in line for k in kept))
    return old


def test_up_adds_accounts_and_https_to_a_stack_from_before(aws: None, capsys: pytest.CaptureFixture[str]):
    given = {**network.default_network(client("ec2")), "BundleBucket": "old-bundles", "BundleKey": "old.tar.gz"}
    client("cloudformation").create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(_before_accounts()),
        Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in given.items()],
    )
    assert outputs(STACK)["SiteUrl"].startswith("http://") and "UserPoolId" not in outputs(STACK)

    code, out, err = run(capsys, "up", "--stack", STACK, "--poll", "0")
    assert (code, err) == (0, ""), out
    assert "UPDATE_COMPLETE" in out
    got = outputs(STACK)
    distribution = CloudFrontDistribution.made[_physical("Distribution")]
    assert got["SiteUrl"] == f"https://{distribution.attributes['DomainName']}"
    assert client("cognito-idp").describe_user_pool(UserPoolId=got["UserPoolId"])["UserPool"]["Id"]
    assert _parameters()["CloudFrontPrefixListId"].startswith("pl-")


def sent_template(params: dict[str, Any]) -> str:
    """The template a CreateStack or UpdateStack call carries, inline or through its S3 URL."""
    if "TemplateBody" in params:
        return params["TemplateBody"]
    url = urlparse(params["TemplateURL"])
    bucket = url.netloc.split(".")[0]
    return client("s3").get_object(Bucket=bucket, Key=url.path.lstrip("/"))["Body"].read().decode()


def test_a_template_over_cloudformations_inline_limit_goes_through_the_bundle_bucket(
    aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    sent: list[dict[str, Any]] = []
    made = Aws.client

    def recording(self: Aws, service: str, **kwargs: Any) -> Any:
        made_client = made(self, service, **kwargs)
        if service == "cloudformation":
            made_client.meta.events.register(
                "provide-client-params.cloudformation.CreateStack", lambda params, **_: sent.append(dict(params))
            )
        return made_client

    monkeypatch.setattr(Aws, "client", recording)
    code, out, err = run(capsys, "up", "--stack", STACK, "--poll", "0")
    assert (code, err) == (0, ""), out
    [created] = sent
    body = template.TEMPLATE_PATH.read_text()
    assert len(body.encode()) > buckets.MAX_TEMPLATE_BODY  # else this test proves nothing
    assert "TemplateBody" not in created and sent_template(created) == body
    small = buckets.template_source(Aws(), STACK, "{}")
    assert small == {"TemplateBody": "{}"}


def test_up_adds_the_tables_missing_indexes_one_update_at_a_time(
    aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    full = template.load()
    older = indexes.with_indexes(full, ["gallery", "attention", "owner"])
    assert {"list_id", "list_sort", "content_key"}.isdisjoint(
        a["AttributeName"] for a in older["Resources"]["PhotoTable"]["Properties"]["AttributeDefinitions"]
    )
    given = {**network.default_network(client("ec2")), "BundleBucket": "old-bundles", "BundleKey": "old.tar.gz"}
    cloudfront = network.cloudfront_prefix_list(client("ec2"))
    client("cloudformation").create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(older),
        Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in {**given, **cloudfront}.items()],
    )
    table_name = outputs(STACK)["TableName"]
    updates: list[list[str]] = []
    made = Aws.client

    def recording(self: Aws, service: str, **kwargs: Any) -> Any:
        made_client = made(self, service, **kwargs)
        if service == "cloudformation" and not getattr(made_client, "recorded", False):
            made_client.meta.events.register("provide-client-params.cloudformation.UpdateStack", record)
            made_client.recorded = True
        return made_client

    def record(params: dict[str, Any], **kwargs: Any) -> None:
        properties = template.load_text(sent_template(params))["Resources"]["PhotoTable"]["Properties"]
        updates.append([index["IndexName"] for index in properties["GlobalSecondaryIndexes"]])

    monkeypatch.setattr(Aws, "client", recording)
    code, out, err = run(capsys, "up", "--stack", STACK, "--poll", "0")
    assert (code, err) == (0, ""), out
    # Each update adds exactly one index, after the one before has backfilled (moto's shim refuses
    # an addition while another index is CREATING, and two in one update).
    assert updates == [
        ["gallery", "attention", "owner", "lists"],
        ["gallery", "attention", "owner", "lists", "content"],
    ]
    assert "adding index lists (1 of 2)…" in out and "adding index content (2 of 2)" in out
    assert out.index("waiting for lists to become ACTIVE") < out.index("adding index content (2 of 2)")
    assert "waiting for content to become ACTIVE" in out
    table = client("dynamodb").describe_table(TableName=table_name)["Table"]
    assert {i["IndexName"]: i["IndexStatus"] for i in table["GlobalSecondaryIndexes"]} == dict.fromkeys(
        ["gallery", "attention", "owner", "lists", "content"], "ACTIVE"
    )
    assert table["AttributeDefinitions"] == full["Resources"]["PhotoTable"]["Properties"]["AttributeDefinitions"]


def test_two_indexes_in_one_update_are_refused_as_by_cloudformation(aws: None):
    full = template.load()
    given = {**network.default_network(client("ec2")), "BundleBucket": "b", "BundleKey": "k"}
    params = {**given, **network.cloudfront_prefix_list(client("ec2"))}
    cfn = client("cloudformation")
    older = json.dumps(indexes.with_indexes(full, ["gallery", "attention", "owner"]))
    stack.create_or_update(cfn, STACK, buckets.template_source(Aws(), STACK, older), params, [])
    with pytest.raises(ClientError, match="more than one GSI creation"):
        stack.create_or_update(cfn, STACK, buckets.template_source(Aws(), STACK, json.dumps(full)), params, [])


def test_smoke_of_a_stack_uses_its_https_site_and_the_pools_region(aws: None, capsys, monkeypatch: pytest.MonkeyPatch):
    assert run(capsys, "up", "--stack", STACK, "--poll", "0")[0] == 0
    seen: dict[str, Any] = {}

    class Recorder:
        def __init__(self, url: str, echo: Any, **kwargs: Any) -> None:
            seen.update(url=url, **kwargs)

        def run(self) -> None:
            seen["admin"] = seen["cognito"](outputs(STACK)["UserPoolId"])

    monkeypatch.setattr(cli, "Smoke", Recorder)
    code, out, err = run(capsys, "smoke", "--stack", STACK)
    assert (code, err) == (0, "")
    assert seen["url"] == outputs(STACK)["SiteUrl"] and seen["url"].startswith("https://")
    assert f"smoke test of {seen['url']}" in out
    assert seen["login"] is None and seen["admin"].meta.region_name == "eu-west-1"


def test_down_asks_for_confirmation(aws: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    assert run(capsys, "up", "--stack", STACK, "--poll", "0")[0] == 0
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    code, _, err = run(capsys, "down", "--stack", STACK)
    assert (code, err) == (1, "error: not confirmed; nothing deleted\n")
    assert stack.describe(client("cloudformation"), STACK) is not None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["status", "--stack", "nope"], "error: stack nope does not exist (in this account and region)\n"),
        (["down", "--stack", "nope", "--yes"], "error: stack nope does not exist (in this account and region)\n"),
        (["up", "--stack", STACK, "--param", "Nope=1"], "error: unknown parameter Nope; the template takes: "),
        (
            ["up", "--stack", STACK, "--param", "InstanceType=t9.huge"],
            "error: bad value for InstanceType: 't9.huge'; allowed: ",
        ),
        (
            ["up", "--stack", STACK, "--param", "AdminCidr=everyone"],
            "error: bad value for AdminCidr: 'everyone' (empty, or an IPv4 CIDR",
        ),
        (
            ["up", "--stack", STACK, "--param", "CloudFrontPrefixListId=0.0.0.0/0"],
            "error: bad value for CloudFrontPrefixListId: '0.0.0.0/0' (a prefix list id",
        ),
        (["up", "--stack", STACK, "--param", "AdminCidr"], "error: bad --param 'AdminCidr': write it as NAME=VALUE\n"),
    ],
)
def test_errors_are_one_line(aws: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str):
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


def test_missing_credentials_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, _, err = run(capsys, "status", "--stack", STACK)
    assert code == 1 and err.startswith("error: no AWS credentials found") and err.count("\n") == 1


class FailingStack:
    """A CloudFormation stand-in whose stack rolled back with a resource failure."""

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        return {"Stacks": [{"StackId": "id-1", "StackStatus": "ROLLBACK_COMPLETE"}]}

    def get_paginator(self, name: str) -> Any:
        events = [
            {
                "EventId": "2",
                "LogicalResourceId": "Instance",
                "ResourceType": "AWS::EC2::Instance",
                "ResourceStatus": "CREATE_FAILED",
                "ResourceStatusReason": "Received 0 SUCCESS signal(s) out of 1",
                "Timestamp": _at(2),
            },
            {
                "EventId": "1",
                "LogicalResourceId": "ps",
                "ResourceType": "AWS::CloudFormation::Stack",
                "ResourceStatus": "CREATE_IN_PROGRESS",
                "Timestamp": _at(1),
            },
        ]
        return type("P", (), {"paginate": lambda self, **kw: [{"StackEvents": events}]})()


def _at(second: int) -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, 0, 0, second, tzinfo=UTC)


def test_a_failed_stack_event_gives_its_reason():
    lines: list[str] = []
    with pytest.raises(DeployError) as failure:
        stack.wait(FailingStack(), "ps", set(), lines.append, poll_s=0)
    assert str(failure.value) == "stack ps ended ROLLBACK_COMPLETE: Instance: Received 0 SUCCESS signal(s) out of 1"
    assert [line.split()[1] for line in lines] == ["CREATE_IN_PROGRESS", "CREATE_FAILED"]


def test_a_rolled_back_stack_must_be_deleted_before_up():
    with pytest.raises(DeployError, match="run `down --stack ps` first"):
        stack.create_or_update(FailingStack(), "ps", {"TemplateBody": "{}"}, {}, [])


def test_bundle_bucket_policy_denies_plain_http():
    [deny] = json.loads(buckets.tls_only_policy("b"))["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]


class BackfillingTable:
    """A DynamoDB stand-in whose index never finishes its backfill."""

    def describe_table(self, TableName: str) -> dict[str, Any]:
        index = {"IndexName": "lists", "IndexStatus": "CREATING"}
        return {"Table": {"TableName": TableName, "TableStatus": "ACTIVE", "GlobalSecondaryIndexes": [index]}}


def test_waiting_for_an_index_gives_up_after_its_timeout():
    lines: list[str] = []
    with pytest.raises(DeployError, match="lists of table t not ACTIVE after 0s"):
        indexes.wait_until_active(BackfillingTable(), "t", lines.append, poll_s=0, timeout_s=0)
    assert lines == ["waiting for lists to become ACTIVE (index backfill; at most 0s)"]
