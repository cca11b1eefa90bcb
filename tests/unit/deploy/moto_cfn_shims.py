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
- the scaled topology's ElastiCache replication group, subnet group and parameter group, the SNS
  email subscription and the security group egress rules are records of their resolved properties
  (the broker with a made-up primary endpoint): moto's CloudFormation has no model for them.

moto finds models through `CloudFormationModel.__subclasses__()` (direct subclasses only), cached
by an lru_cache on first use. Importing this module defines them and clears those caches, so it
must be imported before the first stack is created (the deploy tests import it at the top).
"""

import json
import secrets
import string
from typing import Any

import boto3
from moto.cloudformation import parsing
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends
from moto.core.common_models import CloudFormationModel
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup
from moto.secretsmanager.models import secretsmanager_backends


def _cognito(account_id: str, region_name: str) -> CognitoIdpBackend:
    return cognitoidp_backends[account_id][region_name]


def _pool_settings(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPool/UpdateUserPool arguments from the resource's properties, less the name."""
    return {k: v for k, v in cloudformation_json["Properties"].items() if k != "UserPoolName"}


# moto's model registry files every model under the second part of its module name (moto.<service>...).
_MODULE = f"tests.{__name__}"


class _Shim:
    """What the models share: their type, name property and attributes come from class constants,
    they are ready as soon as made, and moto deletes them through delete()."""

    TYPE = ""
    NAME_PROPERTY = ""
    ATTRIBUTES: tuple[str, ...] = ()
    id: str

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.id

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.cfn_attributes()[attribute_name]

    def cfn_attributes(self) -> dict[str, str]:
        raise NotImplementedError

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        raise NotImplementedError("deleted through delete()")

    def is_created(self) -> bool:
        return True


class CognitoUserPool(_Shim, CloudFormationModel):
    """AWS::Cognito::UserPool as a pool in moto's cognito-idp; deletion protection holds."""

    __module__ = _MODULE
    TYPE, NAME_PROPERTY = "AWS::Cognito::UserPool", "UserPoolName"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    def __init__(self, account_id: str, region_name: str, pool_id: str) -> None:
        self.account_id, self.region_name, self.id = account_id, region_name, pool_id

    def cfn_attributes(self) -> dict[str, str]:
        provider = f"cognito-idp.{self.region_name}.amazonaws.com/{self.id}"
        arn = _cognito(self.account_id, self.region_name).describe_user_pool(self.id).arn
        return {"Arn": arn, "ProviderName": provider, "ProviderURL": f"https://{provider}", "UserPoolId": self.id}

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "CognitoUserPool":
        pool = _cognito(account_id, region_name).create_user_pool(resource_name, _pool_settings(cloudformation_json))
        return cls(account_id, region_name, pool.id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "CognitoUserPool",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "CognitoUserPool":
        backend = _cognito(account_id, region_name)
        backend.update_user_pool(original_resource.id, _pool_settings(cloudformation_json))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _cognito(account_id, region_name)
        if backend.describe_user_pool(self.id).extended_config.get("DeletionProtection") == "ACTIVE":
            raise ValueError(f"user pool {self.id} has deletion protection")
        backend.delete_user_pool(self.id)


class CognitoUserPoolClient(_Shim, CloudFormationModel):
    """AWS::Cognito::UserPoolClient as an app client of the pool in moto's cognito-idp."""

    __module__ = _MODULE
    TYPE, ATTRIBUTES = "AWS::Cognito::UserPoolClient", ("ClientId",)

    def __init__(self, pool_id: str, client_id: str) -> None:
        self.pool_id, self.id = pool_id, client_id

    def cfn_attributes(self) -> dict[str, str]:
        return {"ClientId": self.id}

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "CognitoUserPoolClient":
        settings = dict(cloudformation_json["Properties"])
        pool_id, secret = settings.pop("UserPoolId"), settings.pop("GenerateSecret", False)
        client = _cognito(account_id, region_name).create_user_pool_client(pool_id, secret, settings)
        return cls(pool_id, client.id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "CognitoUserPoolClient",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "CognitoUserPoolClient":
        fixed = ("UserPoolId", "GenerateSecret")
        settings = {k: v for k, v in cloudformation_json["Properties"].items() if k not in fixed}
        backend = _cognito(account_id, region_name)
        backend.update_user_pool_client(original_resource.pool_id, original_resource.id, settings)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        _cognito(account_id, region_name).delete_user_pool_client(self.pool_id, self.id)


class CloudFrontDistribution(_Shim, CloudFormationModel):
    """AWS::CloudFront::Distribution as a record: an id, a DomainName and the resolved configuration."""

    __module__ = _MODULE
    TYPE, ATTRIBUTES = "AWS::CloudFront::Distribution", ("DomainName", "Id")
    made: dict[str, "CloudFrontDistribution"] = {}  # by id: what the tests read

    def __init__(self, properties: dict[str, Any]) -> None:
        self.id = "E" + secrets.token_hex(6).upper()
        self.domain_name = f"d{secrets.token_hex(7)}.cloudfront.net"
        self.properties = properties
        self.made[self.id] = self

    def cfn_attributes(self) -> dict[str, str]:
        return {"DomainName": self.domain_name, "Id": self.id}

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "CloudFrontDistribution":
        return cls(cloudformation_json["Properties"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "CloudFrontDistribution",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "CloudFrontDistribution":
        original_resource.properties = cloudformation_json["Properties"]
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        self.made.pop(self.id, None)


class CloudFrontVpcOrigin(_Shim, CloudFormationModel):
    """AWS::CloudFront::VpcOrigin as a record: an id, an ARN and the resolved configuration."""

    __module__ = _MODULE
    TYPE, ATTRIBUTES = "AWS::CloudFront::VpcOrigin", ("Arn", "Id")
    made: dict[str, "CloudFrontVpcOrigin"] = {}  # by id: what the tests read

    def __init__(self, account_id: str, properties: dict[str, Any]) -> None:
        self.id = "vo_" + secrets.token_hex(10)
        self.arn = f"arn:aws:cloudfront::{account_id}:vpcorigin/{self.id}"
        self.properties = properties
        self.made[self.id] = self

    def cfn_attributes(self) -> dict[str, str]:
        return {"Arn": self.arn, "Id": self.id}

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "CloudFrontVpcOrigin":
        return cls(account_id, cloudformation_json["Properties"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "CloudFrontVpcOrigin",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "CloudFrontVpcOrigin":
        original_resource.properties = cloudformation_json["Properties"]
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        self.made.pop(self.id, None)


class SecretsManagerSecret(_Shim, CloudFormationModel):
    """AWS::SecretsManager::Secret as a secret in moto's secretsmanager, its value generated."""

    __module__ = _MODULE
    TYPE, NAME_PROPERTY, ATTRIBUTES = "AWS::SecretsManager::Secret", "Name", ("Id",)

    def __init__(self, arn: str) -> None:
        self.id = arn  # Ref of a secret is its ARN

    def cfn_attributes(self) -> dict[str, str]:
        return {"Id": self.id}

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "SecretsManagerSecret":
        generate = cloudformation_json["Properties"].get("GenerateSecretString", {})
        alphabet = string.ascii_letters + string.digits
        value = "".join(secrets.choice(alphabet) for _ in range(int(generate.get("PasswordLength", 32))))
        backend = secretsmanager_backends[account_id][region_name]
        made = backend.create_secret(
            name=f"{resource_name}-{secrets.token_hex(6)}",
            secret_string=value,
            secret_binary=None,
            description=cloudformation_json["Properties"].get("Description"),
            tags=None,
            kms_key_id=None,
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        return cls(json.loads(made)["ARN"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "SecretsManagerSecret",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "SecretsManagerSecret":
        return original_resource  # the value is kept, as CloudFormation keeps a generated one

    def delete(self, account_id: str, region_name: str) -> None:
        secretsmanager_backends[account_id][region_name].delete_secret(
            secret_id=self.id, recovery_window_in_days=None, force_delete_without_recovery=True
        )


class _Record(_Shim):
    """A resource kept only as its resolved properties, with an id and the attributes named below."""

    made: dict[str, "_Record"]

    def __init__(self, resource_name: str, properties: dict[str, Any]) -> None:
        self.id = f"{resource_name.lower()}-{secrets.token_hex(4)}"
        self.properties = properties
        self.made[self.id] = self

    def cfn_attributes(self) -> dict[str, str]:
        return {}

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "_Record":
        return cls(resource_name, cloudformation_json.get("Properties", {}))

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "_Record",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "_Record":
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        self.made.pop(self.id, None)


class ElastiCacheReplicationGroup(_Record, CloudFormationModel):
    __module__ = _MODULE
    """AWS::ElastiCache::ReplicationGroup: a record with a primary endpoint address. moto's Fn::Sub
    passes only the second part of ${Broker.PrimaryEndPoint.Address}, so "PrimaryEndPoint" is it too."""

    TYPE = "AWS::ElastiCache::ReplicationGroup"
    ATTRIBUTES = ("PrimaryEndPoint.Address", "PrimaryEndPoint")
    made: dict[str, _Record] = {}

    def cfn_attributes(self) -> dict[str, str]:
        address = f"master.{self.id}.cache.amazonaws.com"
        return {"PrimaryEndPoint.Address": address, "PrimaryEndPoint": address}


class ElastiCacheSubnetGroup(_Record, CloudFormationModel):
    __module__ = _MODULE
    TYPE = "AWS::ElastiCache::SubnetGroup"
    made: dict[str, _Record] = {}


class ElastiCacheParameterGroup(_Record, CloudFormationModel):
    __module__ = _MODULE
    TYPE = "AWS::ElastiCache::ParameterGroup"
    made: dict[str, _Record] = {}


class SnsSubscription(_Record, CloudFormationModel):
    __module__ = _MODULE
    TYPE = "AWS::SNS::Subscription"
    made: dict[str, _Record] = {}


class SecurityGroupEgress(_Record, CloudFormationModel):
    __module__ = _MODULE
    TYPE = "AWS::EC2::SecurityGroupEgress"
    made: dict[str, _Record] = {}


def _numbers(properties: dict[str, Any], *names: str) -> dict[str, Any]:
    """Parameters arrive as strings; the API wants numbers."""
    return {k: (float(v) if k in names else v) for k, v in properties.items()}


class CloudWatchAlarm(_Shim, CloudFormationModel):
    """AWS::CloudWatch::Alarm as an alarm in moto's cloudwatch (PutMetricAlarm with its properties)."""

    __module__ = _MODULE
    TYPE, NAME_PROPERTY, ATTRIBUTES = "AWS::CloudWatch::Alarm", "AlarmName", ("Arn",)

    def __init__(self, region_name: str, name: str) -> None:
        self.region_name, self.id = region_name, name

    def cfn_attributes(self) -> dict[str, str]:
        [alarm] = _api("cloudwatch", self.region_name).describe_alarms(AlarmNames=[self.id])["MetricAlarms"]
        return {"Arn": alarm["AlarmArn"]}

    @classmethod
    def _put(cls, region_name: str, properties: dict[str, Any]) -> None:
        _api("cloudwatch", region_name).put_metric_alarm(**_numbers(properties, "Threshold"))

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "CloudWatchAlarm":
        properties = {"AlarmName": resource_name, **cloudformation_json["Properties"]}
        cls._put(region_name, properties)
        return cls(region_name, properties["AlarmName"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "CloudWatchAlarm",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "CloudWatchAlarm":
        properties = cloudformation_json["Properties"]
        # moto replaces an instance within the same update and its Ref is briefly empty: keep the
        # alarm as it was then (CloudFormation would wait for the replacement).
        if all("Value" in dimension for dimension in properties.get("Dimensions", [])):
            cls._put(region_name, {"AlarmName": original_resource.id, **properties})
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        _api("cloudwatch", region_name).delete_alarms(AlarmNames=[self.id])


class AutoScalingPolicy(_Shim, CloudFormationModel):
    """AWS::AutoScaling::ScalingPolicy as a policy in moto's autoscaling (PutScalingPolicy)."""

    __module__ = _MODULE
    TYPE, ATTRIBUTES = "AWS::AutoScaling::ScalingPolicy", ("Arn", "PolicyName")

    def __init__(self, region_name: str, group: str, name: str, arn: str) -> None:
        self.region_name, self.group, self.name, self.id = region_name, group, name, arn

    def cfn_attributes(self) -> dict[str, str]:
        return {"Arn": self.id, "PolicyName": self.name}

    @classmethod
    def _put(cls, region_name: str, name: str, properties: dict[str, Any]) -> str:
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

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "AutoScalingPolicy":
        properties = cloudformation_json["Properties"]
        arn = cls._put(region_name, resource_name, properties)
        return cls(region_name, properties["AutoScalingGroupName"], resource_name, arn)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "AutoScalingPolicy",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "AutoScalingPolicy":
        cls._put(region_name, original_resource.name, cloudformation_json["Properties"])
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        api = _api("autoscaling", region_name)
        api.delete_policy(AutoScalingGroupName=self.group, PolicyName=self.name)


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

# moto cached its list of models when it first needed one; make it look again.
for _cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
    _cached.cache_clear()
