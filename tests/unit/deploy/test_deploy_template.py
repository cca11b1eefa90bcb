"""What checkov does not see in deploy/template.yaml: the app's table and user pool, IMDSv2, TLS-only,
scoped IAM, the security group, CloudFront in front of the host."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from photoshare_deploy import template
from photoshare_shared import cloudmetrics, usernames
from photoshare_shared.catalog.item import table_definition
from photoshare_shared.settings import Settings
from photoshare_shared.userpool import client_definition, user_pool_definition
from photoshare_web.origin import ORIGIN_HEADER

ROOT = Path(__file__).parents[3]
TEMPLATE = template.load()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def props(name: str) -> dict[str, Any]:
    return RESOURCES[name]["Properties"]


def _by_name(indexes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {index["IndexName"]: {k: v for k, v in index.items() if k != "IndexName"} for index in indexes}


def test_table_matches_the_apps_table_definition():
    app = table_definition("ignored")
    table = props("PhotoTable")
    assert table["BillingMode"] == app["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == app["KeySchema"]
    key = lambda d: d["AttributeName"]  # noqa: E731
    assert sorted(table["AttributeDefinitions"], key=key) == sorted(app["AttributeDefinitions"], key=key)
    assert _by_name(table["GlobalSecondaryIndexes"]) == _by_name(app["GlobalSecondaryIndexes"])


def test_table_has_point_in_time_recovery():
    assert props("PhotoTable")["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_instance_requires_imdsv2_with_hop_limit_two_for_containers():
    # Two: web and worker use the role for S3 and DynamoDB from their containers (the role is scoped).
    options = props("Instance")["MetadataOptions"]
    assert options["HttpTokens"] == "required"
    assert options["HttpPutResponseHopLimit"] == 2


def test_root_volume_is_encrypted_gp3():
    [root] = props("Instance")["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"
    assert root["Ebs"]["Encrypted"] is True
    assert root["Ebs"]["VolumeType"] == "gp3"


def test_ami_is_latest_amazon_linux_2023_from_ssm():
    ami = TEMPLATE["Parameters"]["LatestAmiId"]
    assert ami["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    assert ami["Default"].startswith("/aws/service/ami-amazon-linux-latest/al2023-ami-")
    assert props("Instance")["ImageId"] == {"Ref": "LatestAmiId"}


def test_bucket_denies_requests_without_tls():
    statements = props("PhotoBucketPolicy")["PolicyDocument"]["Statement"]
    tls = [s for s in statements if s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
    assert len(tls) == 1
    [deny] = tls
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert {"Fn::GetAtt": ["PhotoBucket", "Arn"]} in deny["Resource"]
    assert {"Fn::Sub": "${PhotoBucket.Arn}/*"} in deny["Resource"]


def test_bucket_is_private_encrypted_and_aborts_incomplete_uploads():
    bucket = props("PhotoBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and "AbortIncompleteMultipartUpload" in r for r in rules)
    assert RESOURCES["PhotoBucket"]["DeletionPolicy"] == "Retain"


def _ingress_rules() -> list[tuple[dict[str, Any], str | None]]:
    """Every ingress rule with the Condition it hangs on."""
    rules = [(rule, None) for rule in props("WebSecurityGroup").get("SecurityGroupIngress", [])]
    for resource in RESOURCES.values():
        if resource["Type"] == "AWS::EC2::SecurityGroupIngress":
            rules.append((resource["Properties"], resource.get("Condition")))
    return rules


def _covers(rule: dict[str, Any], port: int) -> bool:
    if str(rule["IpProtocol"]) == "-1":
        return True
    return int(rule["FromPort"]) <= port <= int(rule["ToPort"])


def test_security_group_opens_only_the_web_port_and_conditional_ssh():
    rules = _ingress_rules()
    assert all(rule.get("Description") for rule, _ in rules)
    assert all(rule.get("Description") for rule in props("WebSecurityGroup").get("SecurityGroupEgress", []))
    for rule, condition in rules:
        assert str(rule["IpProtocol"]) != "-1", "no all-protocol ingress"
        assert rule.get("CidrIp") != "0.0.0.0/0" or (rule["FromPort"], rule["ToPort"]) == (80, 80)
        assert rule.get("CidrIpv6") is None
        if _covers(rule, 22):
            assert (rule["FromPort"], rule["ToPort"]) == (22, 22)
            assert condition == "HasAdminCidr" and rule["CidrIp"] == {"Ref": "AdminCidr"}
        else:
            # The web port only from CloudFront: its VPC-origin service group once known, its
            # origin-facing servers until then; never both, never an address range.
            assert (rule["FromPort"], rule["ToPort"]) == (80, 80) and condition is None
            assert rule["SourceSecurityGroupId"] == {
                "Fn::If": [
                    "HasOriginSecurityGroup",
                    {"Ref": "CloudFrontOriginSecurityGroupId"},
                    {"Ref": "AWS::NoValue"},
                ]
            }
            assert rule["SourcePrefixListId"] == {
                "Fn::If": ["HasOriginSecurityGroup", {"Ref": "AWS::NoValue"}, {"Ref": "CloudFrontPrefixListId"}]
            }
            assert not {"CidrIp", "CidrIpv6"} & rule.keys()
    assert TEMPLATE["Parameters"]["AdminCidr"]["Default"] == ""
    assert TEMPLATE["Conditions"]["HasAdminCidr"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AdminCidr"}, ""]}]}
    assert "Default" not in TEMPLATE["Parameters"]["CloudFrontPrefixListId"]
    assert TEMPLATE["Parameters"]["CloudFrontOriginSecurityGroupId"]["Default"] == ""


def _statements(topology: str = "single") -> list[dict[str, Any]]:
    resolved = template.for_parameters(TEMPLATE, {"Topology": topology})
    policies = resolved["Resources"]["InstanceRole"]["Properties"]["Policies"]
    return [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# What Session Manager's agent needs (AWS's "custom instance profile for Session Manager"): no
# ssm:GetParameter*, no Run Command, no S3; ssmmessages takes no resource but "*".
SESSION_MANAGER_CHANNELS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]


def test_instance_role_is_scoped_to_this_bucket_table_and_log_group():
    by_sid = {statement["Sid"]: statement for statement in _statements()}
    channels = by_sid.pop("SessionManagerChannels")
    assert (channels["Action"], channels["Resource"]) == (SESSION_MANAGER_CHANNELS, "*")
    registration = by_sid["SessionManagerRegistration"]
    assert registration["Action"] == ["ssm:UpdateInstanceInformation"]
    assert registration["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"
    }
    assert by_sid["OriginSecret"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert by_sid["OriginSecret"]["Resource"] == {"Ref": "OriginSecret"}
    # The upload consumer finds the account a key's prefix names: one admin read, on this pool only.
    owners = by_sid.pop("UploadOwners")
    assert (owners["Action"], owners["Resource"]) == (["cognito-idp:AdminGetUser"], {"Fn::GetAtt": ["UserPool", "Arn"]})
    # PutMetricData takes no resource: held to the app's namespace instead.
    metrics = by_sid.pop("PipelineMetrics")
    assert (metrics["Action"], metrics["Resource"]) == (["cloudwatch:PutMetricData"], "*")
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": cloudmetrics.NAMESPACE}}
    for statement in by_sid.values():
        assert statement["Effect"] == "Allow"
        actions, resources = _as_list(statement["Action"]), _as_list(statement["Resource"])
        assert all("*" not in action for action in actions), f"wildcard action in {statement['Sid']}"
        assert "*" not in resources, f"'*' resource in {statement['Sid']}"
        text = json.dumps(resources)
        if any(a.startswith("s3:") for a in actions):
            assert "PhotoBucket" in text or "BundleKey" in text, statement
        if any(a.startswith("dynamodb:") for a in actions):
            assert set(actions) <= {
                f"dynamodb:{a}" for a in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "DescribeTable")
            }
            assert all("PhotoTable" in json.dumps(r) for r in resources)
        if any(a.startswith("logs:") for a in actions):
            assert all("${LogGroup}" in json.dumps(r) for r in resources)
        # Besides that, the web uses Cognito's public APIs (sign-up, sign-in, refresh, revoke) only.
        assert not any(a.startswith("cognito") for a in actions), statement
        # No SSM parameter (AmazonSSMManagedInstanceCore would read every one of the account).
        assert not any(a.startswith("ssm:Get") for a in actions), statement
    assert "ManagedPolicyArns" not in props("InstanceRole")


def test_outputs():
    outputs = TEMPLATE["Outputs"]
    assert {"SiteUrl", "BucketName", "TableName", "InstanceId", "UserPoolId", "UserPoolClientId"} <= outputs.keys()
    assert outputs["SiteUrl"]["Value"] == {"Fn::Sub": "https://${Distribution.DomainName}"}
    assert outputs["UserPoolId"]["Value"] == {"Ref": "UserPool"}
    assert outputs["UserPoolClientId"]["Value"] == {"Ref": "UserPoolClient"}


# CreateUserPool argument -> AWS::Cognito::UserPool property, where the names differ.
POOL_PROPERTY = {"PoolName": "UserPoolName"}
# The template's own: accounts outlive mistakes, the cheapest plan that has what the app uses, tags.
# LambdaConfig: the pre-sign-up check, which the local emulator does not run.
TEMPLATE_ONLY_POOL = {"DeletionProtection", "UserPoolTier", "LambdaConfig", "UserPoolTags"}


def test_user_pool_matches_the_apps_definition():
    app = {POOL_PROPERTY.get(k, k): v for k, v in user_pool_definition("name").items()}
    pool = props("UserPool")
    assert pool["UserPoolName"] == {"Fn::Sub": "photoshare-${AWS::StackName}"} and app.pop("UserPoolName") == "name"
    assert {k: v for k, v in pool.items() if k not in TEMPLATE_ONLY_POOL | {"UserPoolName"}} == app


def test_user_pool_keeps_peoples_accounts():
    assert RESOURCES["UserPool"]["DeletionPolicy"] == RESOURCES["UserPool"]["UpdateReplacePolicy"] == "Retain"
    assert props("UserPool")["DeletionProtection"] == "ACTIVE"


USERNAME_CASES = [
    ("demo", True),
    ("alice.b_c-d", True),
    ("1st", True),
    ("a" * 32, True),
    ("d\u0435mo", False),  # a Cyrillic "е": looks like "demo"
    ("\uff44emo", False),  # a full-width "ｄ"
    ("\u212aelvin", False),  # the Kelvin sign, which folds to "k"
    ("über", False),
    ("<b>bold</b>", False),
    ('"quoted"', False),
    ("a b", False),
    ("demo\n", False),
    ("-demo", False),
    (".demo", False),
    ("ab", False),
    ("a" * 33, False),
    ("", False),
]


def _username_rule_code() -> str:
    return props("UsernameRuleFunction")["Code"]["ZipFile"]


def test_the_pre_sign_up_check_is_the_apps_username_rule_verbatim():
    rule_source = Path(usernames.__file__).read_text()
    assert _username_rule_code().startswith(rule_source)


@pytest.mark.parametrize(("username", "valid"), USERNAME_CASES)
def test_the_pre_sign_up_check_refuses_exactly_what_the_app_refuses(username: str, valid: bool):
    lambda_module: dict[str, Any] = {}
    exec(compile(_username_rule_code(), "index.py", "exec"), lambda_module)  # noqa: S102 - the template's own code
    event = {"triggerSource": "PreSignUp_SignUp", "userName": username, "request": {}, "response": {}}
    assert usernames.is_valid_username(username) is valid
    if valid:
        assert lambda_module["handler"](event, None) == event
    else:
        with pytest.raises(ValueError, match="Choose a username of 3 to 32"):
            lambda_module["handler"](event, None)


def test_the_pool_runs_the_check_before_every_sign_up_and_only_the_pool_may_call_it():
    assert props("UserPool")["LambdaConfig"] == {"PreSignUp": {"Fn::GetAtt": ["UsernameRuleFunction", "Arn"]}}
    function = props("UsernameRuleFunction")
    assert function["Handler"] == "index.handler" and function["Runtime"].startswith("python3.")
    permission = props("UsernameRulePermission")
    assert permission["Principal"] == "cognito-idp.amazonaws.com" and permission["Action"] == "lambda:InvokeFunction"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    assert permission["FunctionName"] == {"Fn::GetAtt": ["UsernameRuleFunction", "Arn"]}
    # Least privilege: its role writes its own log group and nothing else.
    role = props("UsernameRuleRole")
    assert "ManagedPolicyArns" not in role
    [statement] = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == {"Fn::GetAtt": ["UsernameRuleLogGroup", "Arn"]}
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": "UsernameRuleLogGroup"}}


def test_client_matches_the_apps_definition():
    app = client_definition("pool")
    assert app.pop("UserPoolId") == "pool" and props("UserPoolClient")["UserPoolId"] == {"Ref": "UserPool"}
    assert {k: v for k, v in props("UserPoolClient").items() if k != "UserPoolId"} == app


def _host_script(name: str) -> str:
    """A host script as it runs: its own lines, then those of the common.sh it sources."""
    script = (ROOT / "deploy/host" / name).read_text()
    assert 'source "$release/deploy/host/common.sh"\n' in script
    return script + (ROOT / "deploy/host/common.sh").read_text()


def _distribution() -> dict[str, Any]:
    return props("Distribution")["DistributionConfig"]


MANAGED_CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
MANAGED_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
MANAGED_ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"


def test_cloudfront_serves_https_with_its_own_certificate():
    config = _distribution()
    assert config["Enabled"] is True
    assert config["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert (config["PriceClass"], config["HttpVersion"]) == ("PriceClass_100", "http2and3")
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ViewerProtocolPolicy"] == "redirect-to-https" and b["Compress"] is True for b in behaviors)
    assert all(b["TargetOriginId"] == "host" for b in behaviors)


def test_cloudfront_passes_the_app_through_uncached_and_caches_only_static_files():
    default = _distribution()["DefaultCacheBehavior"]
    assert set(default["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
    assert default["CachePolicyId"] == MANAGED_CACHING_DISABLED
    assert default["OriginRequestPolicyId"] == MANAGED_ALL_VIEWER  # Host, cookies, query, Authorization
    [static] = _distribution()["CacheBehaviors"]
    assert static["PathPattern"] == "/static/*" and static["CachePolicyId"] == MANAGED_CACHING_OPTIMIZED
    assert set(static["AllowedMethods"]) == {"GET", "HEAD"}


@pytest.mark.parametrize(
    ("topology", "origin_resource", "address", "endpoint_arn"),
    [
        (
            "single",
            "HostOrigin",
            {"Fn::GetAtt": ["Instance", "PrivateDnsName"]},
            {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/${Instance}"},
        ),
        ("scaled", "LoadBalancerOrigin", {"Fn::GetAtt": ["LoadBalancer", "DNSName"]}, {"Ref": "LoadBalancer"}),
    ],
)
def test_cloudfront_reaches_the_web_through_a_vpc_origin_never_the_public_internet(
    topology: str, origin_resource: str, address: dict[str, Any], endpoint_arn: dict[str, Any]
):
    resolved = template.for_parameters(TEMPLATE, {"Topology": topology})["Resources"]
    [origin] = resolved["Distribution"]["Properties"]["DistributionConfig"]["Origins"]
    assert origin["Id"] == "host"
    assert "CustomOriginConfig" not in origin  # which would go over the public internet
    assert origin["DomainName"] == address
    assert origin["VpcOriginConfig"] == {
        "VpcOriginId": {"Fn::GetAtt": [origin_resource, "Id"]},
        "OriginReadTimeout": 60,
    }
    endpoint = resolved[origin_resource]["Properties"]["VpcOriginEndpointConfig"]
    assert endpoint["Arn"] == endpoint_arn
    assert (endpoint["OriginProtocolPolicy"], endpoint["HTTPPort"]) == ("http-only", 80)
    # Exactly the topology's origin exists.
    assert {"HostOrigin", "LoadBalancerOrigin"} & resolved.keys() == {origin_resource}


def test_cloudfront_sends_the_stacks_origin_secret_which_the_host_hands_the_web():
    [origin] = _distribution()["Origins"]
    assert origin["OriginCustomHeaders"] == [
        {"HeaderName": "X-Forwarded-Proto", "HeaderValue": "https"},
        {
            "HeaderName": ORIGIN_HEADER,
            "HeaderValue": {"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}:SecretString}}"},
        },
    ]
    generated = props("OriginSecret")["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and generated["ExcludePunctuation"] is True
    init = RESOURCES["Instance"]["Metadata"]["AWS::CloudFormation::Init"]
    env = init["app"]["files"]["/etc/photoshare/deploy.env"]["content"]["Fn::Sub"]
    assert "PHOTOSHARE_ORIGIN_SECRET_ARN=${OriginSecret}\n" in env
    deploy_sh = _host_script("deploy.sh")
    assert 'origin_secret=$(secret "$PHOTOSHARE_ORIGIN_SECRET_ARN")' in deploy_sh
    assert '--secret-id "$1"' in deploy_sh
    assert 'echo "PHOTOSHARE_ORIGIN_SECRET=$origin_secret"' in deploy_sh
    aws = yaml.safe_load((ROOT / "compose.aws.yaml").read_text())
    assert aws["services"]["web"]["environment"]["PHOTOSHARE_ORIGIN_SECRET"] == "${PHOTOSHARE_ORIGIN_SECRET:-}"


def test_the_host_learns_the_pool_and_trusts_cloudfront_and_its_own_proxy():
    init = RESOURCES["Instance"]["Metadata"]["AWS::CloudFormation::Init"]
    env = init["app"]["files"]["/etc/photoshare/deploy.env"]["content"]["Fn::Sub"]
    assert "PHOTOSHARE_COGNITO_USER_POOL_ID=${UserPool}\n" in env
    assert "PHOTOSHARE_COGNITO_CLIENT_ID=${UserPoolClient}\n" in env
    deploy_sh = _host_script("deploy.sh")
    assert "\n  shared_compose_env\n" in deploy_sh
    for name in ("PHOTOSHARE_COGNITO_USER_POOL_ID", "PHOTOSHARE_COGNITO_CLIENT_ID"):
        assert f'echo "{name}=${name}"' in deploy_sh
    assert 'echo "PHOTOSHARE_TRUSTED_PROXIES=2"' in deploy_sh
    aws = yaml.safe_load((ROOT / "compose.aws.yaml").read_text())
    for service in ("web", "worker", "beat"):
        environment = aws["services"][service]["environment"]
        for name in ("PHOTOSHARE_COGNITO_USER_POOL_ID", "PHOTOSHARE_COGNITO_CLIENT_ID"):
            assert environment[name].startswith(f"${{{name}:?"), (service, name)


def test_host_runs_the_six_services_from_the_aws_compose_files_with_awslogs():
    deploy_sh = _host_script("deploy.sh")
    assert '-f "$release/compose.yaml" -f "$release/compose.aws.yaml"' in deploy_sh
    assert "build web proxy worker\n" in deploy_sh
    assert "up -d --remove-orphans redis web proxy worker beat metrics consumer\n" in deploy_sh
    assert "AWS_ENDPOINT_URL" not in deploy_sh  # real AWS, never the emulator
    init = RESOURCES["Instance"]["Metadata"]["AWS::CloudFormation::Init"]
    daemon = init["host"]["files"]["/etc/docker/daemon.json"]["content"]["Fn::Sub"]
    assert '"log-driver": "awslogs"' in daemon and "${LogGroup}" in daemon
    # The compose files (written by others) still have what deploy.sh relies on.
    base = yaml.safe_load((ROOT / "compose.yaml").read_text())
    aws = yaml.safe_load((ROOT / "compose.aws.yaml").read_text())
    assert {"redis", "web", "proxy", "worker", "beat", "metrics"} <= base["services"].keys()
    assert {"web", "worker", "beat", "metrics"} <= aws["services"].keys()
    # Port 80 (WEB_PORT) is the proxy's; the web itself is published nowhere.
    assert re.search(r"\$\{WEB_BIND:-[^}]*\}:\$\{WEB_PORT:-8000\}:8080", json.dumps(base["services"]["proxy"]["ports"]))
    assert "ports" not in base["services"]["web"]


@pytest.mark.parametrize("name", template.MANAGED)
def test_cli_managed_parameters_exist(name: str):
    assert name in TEMPLATE["Parameters"]


SCALED = template.for_parameters(TEMPLATE, {"Topology": "scaled"})["Resources"]
SINGLE = template.for_parameters(TEMPLATE, {"Topology": "single"})["Resources"]


def test_single_is_the_one_host_and_scaled_has_no_host():
    assert {"Instance", "PublicAddress", "HostOrigin", "HostStatusAlarm"} <= SINGLE.keys()
    fleet = {"WebGroup", "WorkerGroup", "BeatGroup", "LoadBalancer", "Broker", "FleetLaunchTemplate"}
    assert not fleet & SINGLE.keys()
    assert fleet <= SCALED.keys() and not {"Instance", "PublicAddress", "HostOrigin"} & SCALED.keys()
    # What both share is one definition: the data, accounts, CloudFront, logs and alarms.
    shared = {"PhotoBucket", "PhotoTable", "UserPool", "Distribution", "LogGroup", "AlarmTopic", "Dashboard"}
    assert shared <= SINGLE.keys() & SCALED.keys()
    assert TEMPLATE["Parameters"]["Topology"]["Default"] == "single"


def test_the_broker_is_one_shard_over_two_zones_encrypted_with_a_token_and_never_evicts():
    broker = SCALED["Broker"]["Properties"]
    assert broker["Engine"] == "redis" and broker["NumCacheClusters"] == 2
    assert "NumNodeGroups" not in broker  # cluster mode disabled: Celery's transport needs one keyspace
    assert broker["AutomaticFailoverEnabled"] and broker["MultiAZEnabled"]
    assert broker["TransitEncryptionEnabled"] and broker["AtRestEncryptionEnabled"]
    assert broker["AuthToken"] == {"Fn::Sub": "{{resolve:secretsmanager:${BrokerAuthToken}:SecretString}}"}
    assert SCALED["BrokerAuthToken"]["Properties"]["GenerateSecretString"]["ExcludePunctuation"] is True
    parameters = SCALED["BrokerParameterGroup"]["Properties"]["Properties"]
    assert parameters == {"maxmemory-policy": "noeviction", "cluster-enabled": "no"}
    # Only the fleet reaches it, and the fleet speaks rediss:// to it.
    [rule] = SCALED["BrokerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert rule["SourceSecurityGroupId"] == {"Fn::GetAtt": ["FleetSecurityGroup", "GroupId"]}
    assert 'REDIS_URL=rediss://:$(secret "$BROKER_AUTH_SECRET_ARN")@' in _host_script("deploy-fleet.sh")


def test_exactly_one_beat_and_a_drained_scale_in_for_workers():
    beat = SCALED["BeatGroup"]
    assert (beat["Properties"]["MinSize"], beat["Properties"]["MaxSize"]) == (1, 1)
    assert beat["UpdatePolicy"]["AutoScalingRollingUpdate"]["MinInstancesInService"] == 0  # replaced, never doubled
    [hook] = SCALED["WorkerGroup"]["Properties"]["LifecycleHookSpecificationList"]
    assert hook["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
    env = SCALED["FleetLaunchTemplate"]["Metadata"]["AWS::CloudFormation::Init"]["app"]["files"]
    assert f"WORKER_DRAIN_HOOK={hook['LifecycleHookName']}\n" in env["/etc/photoshare/deploy.env"]["content"]["Fn::Sub"]
    # The worker's warm shutdown fits in the hook's wait, and outlasts the longest job.
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    grace_s = int(compose["services"]["worker"]["stop_grace_period"].rstrip("s"))
    assert Settings().task_time_limit_s < grace_s < hook["HeartbeatTimeout"]
    drain = _host_script("drain-on-scale-in.sh")
    assert "stop worker" in drain and "complete-lifecycle-action" in drain
    deploy_fleet = (ROOT / "deploy/host/deploy-fleet.sh").read_text()
    assert "beat) build=(worker); services=(beat metrics)" in deploy_fleet


def test_the_load_balancer_is_internal_and_only_cloudfront_reaches_it():
    balancer = SCALED["LoadBalancer"]["Properties"]
    assert balancer["Scheme"] == "internal"
    assert balancer["SecurityGroups"] == [{"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]}]
    [rule] = SCALED["FleetSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert rule["SourceSecurityGroupId"] == {"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]}
    web = SCALED["WebScaling"]["Properties"]["TargetTrackingConfiguration"]
    assert web["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ALBRequestCountPerTarget"


ALARMS = {
    "single": {"OldestQueuedAlarm", "FailureRatioAlarm", "MetricsMissingAlarm", "HostStatusAlarm"},
    "scaled": {
        "OldestQueuedAlarm",
        "FailureRatioAlarm",
        "MetricsMissingAlarm",
        "FleetStatusAlarm",
        "LoadBalancer5xxAlarm",
        "UnhealthyTargetsAlarm",
        "BrokerMemoryAlarm",
        "BrokerEvictionsAlarm",
        "BrokerFailoverAlarm",
        "WorkersAtMaximumAlarm",
    },
}


@pytest.mark.parametrize("topology", ["single", "scaled"])
def test_every_alarm_wakes_someone_and_says_when_it_is_over(topology: str):
    resources = SCALED if topology == "scaled" else SINGLE
    alarms = {name: body["Properties"] for name, body in resources.items() if body["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms.keys() == ALARMS[topology]
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}] == alarm["OKActions"], name
        assert alarm["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-"), name  # status finds them by prefix
        assert alarm["AlarmDescription"], name
    subscription = TEMPLATE["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_the_deploy_clis_cors_rule_is_the_apps():
    from photoshare_deploy.buckets import site_cors
    from photoshare_shared.uploadsetup import cors

    assert site_cors("https://d1.cloudfront.net/") == cors("https://d1.cloudfront.net")


def test_upload_queue_and_notification_match_the_apps():
    from photoshare_shared.uploadsetup import ABORT_INCOMPLETE_AFTER_DAYS, MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_S

    queue = props("UploadQueue")
    assert queue["VisibilityTimeout"] == VISIBILITY_TIMEOUT_S
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["UploadDeadLetterQueue", "Arn"]},
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    }
    bucket = props("PhotoBucket")
    [notification] = bucket["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    uploads = rules["abort-abandoned-uploads"]
    assert uploads["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": ABORT_INCOMPLETE_AFTER_DAYS}
