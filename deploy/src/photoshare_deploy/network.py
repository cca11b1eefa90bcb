"""Where the host goes (the default VPC and one of its default subnets, unless given) and who may
reach it (CloudFront's VPC-origin service group once it exists, its origin-facing prefix list until then)."""

from typing import Any

from botocore.exceptions import ClientError

from photoshare_deploy.errors import DeployError


def default_network(ec2: Any) -> dict[str, str]:
    """{"VpcId": ..., "SubnetId": ...} of the default VPC, or a one-line error saying what to pass."""
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    if not vpcs:
        raise DeployError("this region has no default VPC: pass --param VpcId=vpc-... --param SubnetId=subnet-...")
    vpc_id = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default-for-az", "Values": ["true"]}]
    )["Subnets"]
    if not subnets:
        raise DeployError(f"default VPC {vpc_id} has no default subnet: pass --param SubnetId=subnet-...")
    subnet = sorted(subnets, key=lambda s: s["AvailabilityZone"])[0]
    return {"VpcId": vpc_id, "SubnetId": subnet["SubnetId"]}


def default_subnets(ec2: Any, vpc_id: str) -> dict[str, str]:
    """{"SubnetIds": "subnet-a,subnet-b,..."}: the VPC's default subnets, one per Availability Zone
    (the scaled topology spreads its groups and broker over them); an error when fewer than two."""
    subnets = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default-for-az", "Values": ["true"]}]
    )["Subnets"]
    if len({s["AvailabilityZone"] for s in subnets}) < 2:
        raise DeployError(
            f"VPC {vpc_id} has no default subnets in two Availability Zones: "
            "pass --param SubnetIds=subnet-a,subnet-b (in two zones)"
        )
    ordered = sorted(subnets, key=lambda s: s["AvailabilityZone"])
    return {"SubnetIds": ",".join(s["SubnetId"] for s in ordered)}


CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


def cloudfront_prefix_list(ec2: Any) -> dict[str, str]:
    """{"CloudFrontPrefixListId": ...}: the region's prefix list of CloudFront's origin-facing servers."""
    lists = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [CLOUDFRONT_ORIGIN_FACING]}]
    )["PrefixLists"]
    if not lists:
        raise DeployError(
            f"no managed prefix list {CLOUDFRONT_ORIGIN_FACING} in this region: "
            "pass --param CloudFrontPrefixListId=pl-..."
        )
    return {"CloudFrontPrefixListId": lists[0]["PrefixListId"]}


VPC_ORIGINS_GROUP = "CloudFront-VPCOrigins-Service-SG"


def vpc_origins_security_group(ec2: Any, vpc_id: str) -> dict[str, str]:
    """{"CloudFrontOriginSecurityGroupId": ...} once CloudFront has made its VPC-origin service group
    in this VPC (with the first VPC origin there), else {}."""
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [VPC_ORIGINS_GROUP]}, {"Name": "vpc-id", "Values": [vpc_id]}]
    )["SecurityGroups"]
    return {"CloudFrontOriginSecurityGroupId": groups[0]["GroupId"]} if groups else {}


def instance_state(ec2: Any, instance_id: str) -> str:
    """The EC2 instance's state name (running, stopped, ...), or "not found"."""
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id]).get("Reservations", [])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code", "").startswith("InvalidInstanceID"):
            return "not found"
        raise
    instances = [i for r in reservations for i in r["Instances"]]
    return instances[0]["State"]["Name"] if instances else "not found"
