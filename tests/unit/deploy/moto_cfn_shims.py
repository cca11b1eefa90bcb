"""Test-only CloudFormation models for the template's resources that moto's CloudFormation lacks.

moto skips resource types it has no model for (AWS::Cognito::UserPool, AWS::Cognito::UserPoolClient,
AWS::CloudFront::Distribution, AWS::CloudFront::VpcOrigin, AWS::SecretsManager::Secret here) and
then fails the whole stack on the outputs and properties that read their attributes (UserPoolId,
SiteUrl, ...). These models let the tests run `photoshare-deploy up/down`
on the real template against moto:

- the pool and the client are made in moto's own cognito-idp backend from the template's properties
  (CloudFormation names are the API's, but for UserPoolName), so a test can read the password
  policy, the client's flows and token settings back from the pool itself;
- the distribution and the VPC origin are only records of their resolved configuration with an id
  (and a `*.cloudfront.net` DomainName): nothing serves them;
- the secret is made in moto's secretsmanager with a value as GenerateSecretString asks, so a test
  can read it back by the ARN the template's Ref gives;
- alarms (AWS::CloudWatch::Alarm) and scaling policies (AWS::AutoScaling::ScalingPolicy) are made
  through moto's own API from the template's properties (their names are the API's), so a test
  and `photoshare-deploy status` read them back as from AWS;
- the load balancer's LoadBalancerFullName and the target group's TargetGroupFullName (the
  dimensions of their CloudWatch metrics), which moto's models do not give, are made from their ARNs;
- a stack update leaves out the resources whose Condition is false (moto's would update them from
  nothing);
- a stack update changes the table's global secondary indexes as CloudFormation does (moto's leaves
  the table as it was): one index created or deleted per update, none while another backfills, and
  a new index CREATING until the next DescribeTable has seen it so;
- the scaled topology's ElastiCache replication group, subnet group and parameter group, the SNS
  email subscription and the security group egress rules are records of their resolved properties
  (the broker with a made-up primary endpoint): moto's CloudFormation has no model for them.

Each of these types is one `Kind`: how its resource is made (its physical id and attributes),
updated and deleted; `_model` turns a Kind into the model moto drives. moto finds models through
`CloudFormationModel.__subclasses__()` (direct subclasses only), cached by an lru_cache on first
use. Importing this module defines them and clears those caches, so it must be imported before the
first stack is created (the deploy tests' conftest.py imports it).
"""

import json
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import boto3
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends
from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup
from moto.secretsmanager.models import secretsmanager_backends

Made = tuple[str, dict[str, str]]  # a resource's physical id (its Ref) and its attributes (Fn::GetAtt)


def _record(resource: "_Shim") -> Made:
    """A made-up id (the resource's name, lowercased, and a random suffix) and no attributes."""
    return f"{resource.name.lower()}-{secrets.token_hex(4)}", {}


def _nothing(resource: "_Shim", *properties: dict[str, Any]) -> None:
    pass


@dataclass(frozen=True)
class Kind:
    """How the model of one resource type makes, updates and deletes a resource. The defaults keep
    a record only: the resolved properties (kept current by the model) under a made-up id."""

    type: str
    name_property: str = ""
    attributes: tuple[str, ...] = ()
    make: Callable[["_Shim"], Made] = _record
    update: Callable[["_Shim", dict[str, Any]], None] = _nothing  # before the new properties are kept
    delete: Callable[["_Shim"], None] = _nothing


class _Shim:
    """One resource of a type moto lacks, as moto's CloudFormation drives it: what it does is its
    KIND's; every type lists what it made, by physical id, in its own `made` (what the tests read)."""

    KIND: ClassVar[Kind]
    made: ClassVar[dict[str, "_Shim"]]

    def __init__(self, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> None:
        self.name, self.properties, self.account_id, self.region_name = name, properties, account_id, region_name
        self.id, self.attributes = self.KIND.make(self)
        self.made[self.id] = self

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.KIND.type

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.KIND.name_property

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.KIND.attributes

    @property
    def physical_resource_id(self) -> str:
        return self.id

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.attributes[attribute_name]

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "_Shim":
        return cls(resource_name, cloudformation_json["Properties"], account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "_Shim",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "_Shim":
        cls.KIND.update(original_resource, cloudformation_json["Properties"])
        original_resource.properties = cloudformation_json["Properties"]
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        raise NotImplementedError("deleted through delete()")

    def delete(self, account_id: str, region_name: str) -> None:
        self.KIND.delete(self)
        self.made.pop(self.id, None)

    def is_created(self) -> bool:
        return True


# moto's model registry files every model under the second part of its module name (moto.<service>...).
_MODULE = f"tests.{__name__}"


def _model(name: str, kind: Kind) -> Any:
    """A direct subclass of CloudFormationModel, made through its metaclass: moto finds models so."""
    namespace = {"KIND": kind, "made": {}, "__module__": _MODULE, "__qualname__": name}
    return type(CloudFormationModel)(name, (_Shim, CloudFormationModel), namespace)


# Cognito: the pool and its client in moto's cognito-idp, made from the template's properties.


def _cognito(resource: _Shim) -> CognitoIdpBackend:
    return cognitoidp_backends[resource.account_id][resource.region_name]


def _pool_settings(properties: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPool/UpdateUserPool arguments from the resource's properties, less the name."""
    return {k: v for k, v in properties.items() if k != "UserPoolName"}


def _make_pool(resource: _Shim) -> Made:
    pool = _cognito(resource).create_user_pool(resource.name, _pool_settings(resource.properties))
    provider = f"cognito-idp.{resource.region_name}.amazonaws.com/{pool.id}"
    return pool.id, {
        "Arn": pool.arn,
        "ProviderName": provider,
        "ProviderURL": f"https://{provider}",
        "UserPoolId": pool.id,
    }


def _delete_pool(resource: _Shim) -> None:
    backend = _cognito(resource)
    if backend.describe_user_pool(resource.id).extended_config.get("DeletionProtection") == "ACTIVE":
        raise ValueError(f"user pool {resource.id} has deletion protection")
    backend.delete_user_pool(resource.id)


CognitoUserPool = _model(
    "CognitoUserPool",
    Kind(
        "AWS::Cognito::UserPool",
        name_property="UserPoolName",
        attributes=("Arn", "ProviderName", "ProviderURL", "UserPoolId"),
        make=_make_pool,
        update=lambda pool, properties: _cognito(pool).update_user_pool(pool.id, _pool_settings(properties)),
        delete=_delete_pool,
    ),
)

_CLIENT_FIXED = ("UserPoolId", "GenerateSecret")  # the client's pool and whether it has a secret


def _make_client(resource: _Shim) -> Made:
    settings = {k: v for k, v in resource.properties.items() if k not in _CLIENT_FIXED}
    pool_id, secret = resource.properties["UserPoolId"], resource.properties.get("GenerateSecret", False)
    client = _cognito(resource).create_user_pool_client(pool_id, secret, settings)
    return client.id, {"ClientId": client.id}


def _update_client(client: _Shim, properties: dict[str, Any]) -> None:
    settings = {k: v for k, v in properties.items() if k not in _CLIENT_FIXED}
    _cognito(client).update_user_pool_client(client.properties["UserPoolId"], client.id, settings)


CognitoUserPoolClient = _model(
    "CognitoUserPoolClient",
    Kind(
        "AWS::Cognito::UserPoolClient",
        attributes=("ClientId",),
        make=_make_client,
        update=_update_client,
        delete=lambda client: _cognito(client).delete_user_pool_client(client.properties["UserPoolId"], client.id),
    ),
)


# CloudFront: records of the resolved configuration with an id; nothing serves them.


def _make_distribution(resource: _Shim) -> Made:
    distribution_id = "E" + secrets.token_hex(6).upper()
    return distribution_id, {"DomainName": f"d{secrets.token_hex(7)}.cloudfront.net", "Id": distribution_id}


def _make_vpc_origin(resource: _Shim) -> Made:
    origin_id = "vo_" + secrets.token_hex(10)
    return origin_id, {"Arn": f"arn:aws:cloudfront::{resource.account_id}:vpcorigin/{origin_id}", "Id": origin_id}


CloudFrontDistribution = _model(
    "CloudFrontDistribution",
    Kind("AWS::CloudFront::Distribution", attributes=("DomainName", "Id"), make=_make_distribution),
)
CloudFrontVpcOrigin = _model(
    "CloudFrontVpcOrigin", Kind("AWS::CloudFront::VpcOrigin", attributes=("Arn", "Id"), make=_make_vpc_origin)
)


# Secrets Manager: a secret in moto's secretsmanager, its value as GenerateSecretString asks; an
# update keeps the value, as CloudFormation keeps a generated one.


def _make_secret(resource: _Shim) -> Made:
    generate = resource.properties.get("GenerateSecretString", {})
    alphabet = string.ascii_letters + string.digits
    value = "".join(secrets.choice(alphabet) for _ in range(int(generate.get("PasswordLength", 32))))
    made = secretsmanager_backends[resource.account_id][resource.region_name].create_secret(
        name=f"{resource.name}-{secrets.token_hex(6)}",
        secret_string=value,
        secret_binary=None,
        description=resource.properties.get("Description"),
        tags=None,
        kms_key_id=None,
        client_request_token=None,
        replica_regions=[],
        force_overwrite=False,
    )
    arn = json.loads(made)["ARN"]  # Ref of a secret is its ARN
    return arn, {"Id": arn}


def _delete_secret(resource: _Shim) -> None:
    secretsmanager_backends[resource.account_id][resource.region_name].delete_secret(
        secret_id=resource.id, recovery_window_in_days=None, force_delete_without_recovery=True
    )


SecretsManagerSecret = _model(
    "SecretsManagerSecret",
    Kind(
        "AWS::SecretsManager::Secret",
        name_property="Name",
        attributes=("Id",),
        make=_make_secret,
        delete=_delete_secret,
    ),
)


# The scaled topology's records. moto's Fn::Sub passes only the second part of
# ${Broker.PrimaryEndPoint.Address}, so the broker's "PrimaryEndPoint" is its address too.


def _make_broker(resource: _Shim) -> Made:
    broker_id, _ = _record(resource)
    address = f"master.{broker_id}.cache.amazonaws.com"
    return broker_id, {"PrimaryEndPoint.Address": address, "PrimaryEndPoint": address}


ElastiCacheReplicationGroup = _model(
    "ElastiCacheReplicationGroup",
    Kind(
        "AWS::ElastiCache::ReplicationGroup",
        attributes=("PrimaryEndPoint.Address", "PrimaryEndPoint"),
        make=_make_broker,
    ),
)
ElastiCacheSubnetGroup = _model("ElastiCacheSubnetGroup", Kind("AWS::ElastiCache::SubnetGroup"))
ElastiCacheParameterGroup = _model("ElastiCacheParameterGroup", Kind("AWS::ElastiCache::ParameterGroup"))
SnsSubscription = _model("SnsSubscription", Kind("AWS::SNS::Subscription"))
SecurityGroupEgress = _model("SecurityGroupEgress", Kind("AWS::EC2::SecurityGroupEgress"))


# Alarms and scaling policies: made through moto's own API from the template's properties.


def _numbers(properties: dict[str, Any], *names: str) -> dict[str, Any]:
    """Parameters arrive as strings; the API wants numbers."""
    return {k: (float(v) if k in names else v) for k, v in properties.items()}


def _put_alarm(region_name: str, properties: dict[str, Any]) -> None:
    _api("cloudwatch", region_name).put_metric_alarm(**_numbers(properties, "Threshold"))


def _make_alarm(resource: _Shim) -> Made:
    properties = {"AlarmName": resource.name, **resource.properties}
    _put_alarm(resource.region_name, properties)
    name = properties["AlarmName"]
    [alarm] = _api("cloudwatch", resource.region_name).describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return name, {"Arn": alarm["AlarmArn"]}


def _update_alarm(alarm: _Shim, properties: dict[str, Any]) -> None:
    # moto replaces an instance within the same update and its Ref is briefly empty: keep the
    # alarm as it was then (CloudFormation would wait for the replacement).
    if all("Value" in dimension for dimension in properties.get("Dimensions", [])):
        _put_alarm(alarm.region_name, {"AlarmName": alarm.id, **properties})


CloudWatchAlarm = _model(
    "CloudWatchAlarm",
    Kind(
        "AWS::CloudWatch::Alarm",
        name_property="AlarmName",
        attributes=("Arn",),
        make=_make_alarm,
        update=_update_alarm,
        delete=lambda alarm: _api("cloudwatch", alarm.region_name).delete_alarms(AlarmNames=[alarm.id]),
    ),
)


def _put_policy(region_name: str, name: str, properties: dict[str, Any]) -> str:
    given = dict(properties)
    if "TargetTrackingConfiguration" in given:
        given["TargetTrackingConfiguration"] = _numbers(given["TargetTrackingConfiguration"], "TargetValue")
    if "EstimatedInstanceWarmup" in given:
        given["EstimatedInstanceWarmup"] = int(given["EstimatedInstanceWarmup"])
    api = _api("autoscaling", region_name)
    api.put_scaling_policy(PolicyName=name, **given)
    group = given["AutoScalingGroupName"]
    [made] = api.describe_policies(AutoScalingGroupName=group, PolicyNames=[name])["ScalingPolicies"]
    return str(made["PolicyARN"])


def _make_policy(resource: _Shim) -> Made:
    arn = _put_policy(resource.region_name, resource.name, resource.properties)
    return arn, {"Arn": arn, "PolicyName": resource.name}


def _update_policy(policy: _Shim, properties: dict[str, Any]) -> None:
    _put_policy(policy.region_name, policy.name, properties)


def _delete_policy(policy: _Shim) -> None:
    group = policy.properties["AutoScalingGroupName"]
    _api("autoscaling", policy.region_name).delete_policy(AutoScalingGroupName=group, PolicyName=policy.name)


AutoScalingPolicy = _model(
    "AutoScalingPolicy",
    Kind(
        "AWS::AutoScaling::ScalingPolicy",
        attributes=("Arn", "PolicyName"),
        make=_make_policy,
        update=_update_policy,
        delete=_delete_policy,
    ),
)


def _api(service: str, region_name: str) -> Any:
    """moto's own API, from inside its CloudFormation (the test's mock_aws is active)."""
    return boto3.client(service, region_name=region_name)


def _full_name(arn: str) -> str:
    """A CloudWatch LoadBalancer or TargetGroup dimension: the ARN after "loadbalancer/" (or from "targetgroup/")."""
    resource = arn.split(":", 5)[5]
    return resource.removeprefix("loadbalancer/")


def _with_full_name(model: Any, attribute: str) -> None:
    given = getattr(model, "get_cfn_attribute", None)

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == attribute:
            return _full_name(self.arn)
        if given is None:
            raise NotImplementedError(f"{model.__name__}.{attribute_name}")
        return given(self, attribute_name)

    model.get_cfn_attribute = get_cfn_attribute
    model.has_cfn_attr = classmethod(lambda cls, name: True)


_with_full_name(FakeLoadBalancer, "LoadBalancerFullName")
_with_full_name(FakeTargetGroup, "TargetGroupFullName")

# moto's stack update "modifies" a resource whose Condition is false as well, from nothing (its
# create leaves such a resource out, as CloudFormation does): leave it out of updates too.
_update_resource = parsing.parse_and_update_resource


def _update_unless_excluded(logical_id: str, resource_json: dict[str, Any], resources_map: Any, **kwargs: Any) -> Any:
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None
    return _update_resource(logical_id, resource_json, resources_map, **kwargs)


parsing.parse_and_update_resource = _update_unless_excluded


def _update_table(
    original_resource: Table, new_resource_name: str, cloudformation_json: dict[str, Any], **kwargs: Any
) -> Table:
    properties = cloudformation_json["Properties"]
    wanted = {index["IndexName"]: index for index in properties.get("GlobalSecondaryIndexes", [])}
    live = {index.name: index for index in original_resource.global_indexes}
    changes = [{"Create": wanted[name]} for name in wanted.keys() - live.keys()]
    changes += [{"Delete": {"IndexName": name}} for name in live.keys() - wanted.keys()]
    if len(changes) > 1:
        raise ValidationError(message="Cannot perform more than one GSI creation or deletion in a single update")
    if changes and any(index.status != "ACTIVE" for index in live.values()):
        raise ValidationError(message="Only 1 online index can be created or deleted simultaneously per table")
    original_resource.attr = properties["AttributeDefinitions"]
    backend = _dynamodb(original_resource)
    backend.update_table_global_indexes(original_resource, changes)
    for change in changes:
        if "Create" in change:
            next(
                i for i in original_resource.global_indexes if i.name == change["Create"]["IndexName"]
            ).status = "CREATING"
    return original_resource


def _dynamodb(table: Table) -> DynamoDBBackend:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[table.account_id][table.region_name]


Table.update_from_cloudformation_json = classmethod(  # type: ignore[method-assign,assignment]
    lambda cls, **kwargs: _update_table(**kwargs)
)
_describe_table = DynamoDBBackend.describe_table


def _describe_then_backfill(self: DynamoDBBackend, name: str) -> dict[str, Any]:
    described = _describe_table(self, name)
    for index in self.get_table(name).global_indexes:
        index.status = "ACTIVE"  # the backfill ends once a DescribeTable has seen it running
    return described


DynamoDBBackend.describe_table = _describe_then_backfill  # type: ignore[method-assign]

# moto cached its list of models when it first needed one; make it look again.
for _cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
    _cached.cache_clear()
