"""photoshare-deploy against moto in-process: up, status, down, and one-line errors."""

import ast
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from photoshare_deploy import buckets, stack
from photoshare_deploy.cli import main
from photoshare_deploy.errors import DeployError
from photoshare_shared.schema import table_definition

STACK = "ps-test"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(buckets, "ENFORCE_TLS", False)  # moto ignores the policy's Condition
    with mock_aws():
        yield


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def client(service: str) -> Any:
    return boto3.client(service, region_name="eu-west-1")


def outputs() -> dict[str, str]:
    return stack.outputs(client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0])


def test_up_creates_the_stack_with_its_resources_and_outputs(aws: None, capsys: pytest.CaptureFixture[str]):
    code, out, err = run(capsys, "up", "--stack", STACK, "--poll", "0", "--param", "HttpCidr=203.0.113.0/24")
    assert (code, err) == (0, "")
    assert "uploaded source bundle s3://photoshare-deploy-" in out
    assert "CREATE_COMPLETE" in out
    got = outputs()
    for key in ("SiteUrl", "BucketName", "TableName", "InstanceId", "LogGroupName"):
        assert f"{key}" in out and got[key] in out
    assert got["SiteUrl"].startswith("http://")
    summaries = client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    types = {s.get("LogicalResourceId"): s.get("ResourceType") for s in summaries}
    assert {
        "PhotoBucket": "AWS::S3::Bucket", "PhotoTable": "AWS::DynamoDB::Table", "LogGroup": "AWS::Logs::LogGroup",
        "WebSecurityGroup": "AWS::EC2::SecurityGroup", "InstanceRole": "AWS::IAM::Role",
        "InstanceProfile": "AWS::IAM::InstanceProfile", "Instance": "AWS::EC2::Instance",
        "PublicAddress": "AWS::EC2::EIP",
    }.items() <= types.items()

    # The real table has exactly the app's keys and indexes.
    table = client("dynamodb").describe_table(TableName=got["TableName"])["Table"]
    app = table_definition(got["TableName"])
    assert table["KeySchema"] == app["KeySchema"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in table["GlobalSecondaryIndexes"]} == {
        g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in app["GlobalSecondaryIndexes"]
    }
    encryption = client("s3").get_bucket_encryption(Bucket=got["BucketName"])
    assert encryption["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    ec2 = client("ec2")
    [instance] = ec2.describe_instances(InstanceIds=[got["InstanceId"]])["Reservations"][0]["Instances"]
    assert instance["InstanceType"] == "t3.small"
    [volume] = ec2.describe_volumes(VolumeIds=[instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]])["Volumes"]
    assert volume["Encrypted"] and volume["VolumeType"] == "gp3"
    sg = ec2.describe_security_groups(GroupIds=[_physical("WebSecurityGroup")])["SecurityGroups"][0]
    assert [(p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in sg["IpPermissions"]] == [(80, ["203.0.113.0/24"])]

    iam = client("iam")
    role = _physical("InstanceRole")
    policy = iam.get_role_policy(RoleName=role, PolicyName="photoshare-app")["PolicyDocument"]
    if isinstance(policy, str):  # moto hands back the document of a CloudFormation role as a Python repr
        policy = ast.literal_eval(policy)
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["PhotoObjects"]["Resource"] == f"arn:aws:s3:::{got['BucketName']}/*"
    assert all(got["TableName"] in r for r in by_sid["PhotoTable"]["Resource"])
    groups = client("logs").describe_log_groups(logGroupNamePrefix=got["LogGroupName"])["logGroups"]
    assert groups[0]["retentionInDays"] == 30


def _physical(logical: str) -> str:
    summaries = client("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    return next(s["PhysicalResourceId"] for s in summaries if s.get("LogicalResourceId") == logical)


def test_status_update_and_down(aws: None, capsys: pytest.CaptureFixture[str]):
    assert run(capsys, "up", "--stack", STACK, "--poll", "0")[0] == 0
    code, out, _ = run(capsys, "status", "--stack", STACK)
    assert code == 0 and f"stack {STACK}: CREATE_COMPLETE" in out and ": running" in out

    code, out, _ = run(capsys, "up", "--stack", STACK, "--poll", "0", "--param", "AppVersion=v2")
    assert code == 0 and "UPDATE_COMPLETE" in out and "v2" in out

    bucket = outputs()["BucketName"]
    client("s3").put_object(Bucket=bucket, Key="originals/x", Body=b"x")
    code, out, err = run(capsys, "down", "--stack", STACK, "--yes", "--empty-bucket", "--delete-table", "--poll", "0")
    assert (code, err) == (0, "")
    assert "DELETE_COMPLETE" in out and f"deleted bucket {bucket} and its 1 objects" in out
    assert stack.describe(client("cloudformation"), STACK) is None
    assert bucket not in {b["Name"] for b in client("s3").list_buckets()["Buckets"]}


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
        (["up", "--stack", STACK, "--param", "InstanceType=t9.huge"], "error: bad value for InstanceType: 't9.huge'; allowed: "),
        (["up", "--stack", STACK, "--param", "HttpCidr=everyone"], "error: bad value for HttpCidr: 'everyone' (an IPv4 CIDR"),
        (["up", "--stack", STACK, "--param", "HttpCidr"], "error: bad --param 'HttpCidr': write it as NAME=VALUE\n"),
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
            {"EventId": "2", "LogicalResourceId": "Instance", "ResourceType": "AWS::EC2::Instance",
             "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "Received 0 SUCCESS signal(s) out of 1",
             "Timestamp": _at(2)},
            {"EventId": "1", "LogicalResourceId": "ps", "ResourceType": "AWS::CloudFormation::Stack",
             "ResourceStatus": "CREATE_IN_PROGRESS", "Timestamp": _at(1)},
        ]
        return type("P", (), {"paginate": lambda self, **kw: [{"StackEvents": events}]})()


def _at(second: int) -> Any:
    from datetime import datetime, timezone
    return datetime(2026, 1, 1, 0, 0, second, tzinfo=timezone.utc)


def test_a_failed_stack_event_gives_its_reason():
    lines: list[str] = []
    with pytest.raises(DeployError) as failure:
        stack.wait(FailingStack(), "ps", set(), lines.append, poll_s=0)
    assert str(failure.value) == "stack ps ended ROLLBACK_COMPLETE: Instance: Received 0 SUCCESS signal(s) out of 1"
    assert [line.split()[1] for line in lines] == ["CREATE_IN_PROGRESS", "CREATE_FAILED"]


def test_a_rolled_back_stack_must_be_deleted_before_up():
    with pytest.raises(DeployError, match="run `down --stack ps` first"):
        stack.create_or_update(FailingStack(), "ps", "{}", {}, [])


def test_bundle_bucket_policy_denies_plain_http():
    [deny] = json.loads(buckets.tls_only_policy("b"))["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
